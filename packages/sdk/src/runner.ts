/**
 * The agent process the daemon spawns:
 *
 * ```sh
 * OPPERATOR_AGENT_NAME=demo OPPERATOR_AGENT_DIR=/home/me/.config/opperator/agents/demo \
 *   node --import tsx /path/to/packages/sdk/src/runner.ts /home/me/.config/opperator/agents/demo/agent.ts
 * ```
 *
 * In practice the daemon first bundles this file and the agent's entry with
 * esbuild (two entry points sharing one SDK chunk, so the agent's `Agent` is
 * the runner's) and runs plain JavaScript:
 *
 * ```sh
 * node --enable-source-maps ~/.cache/opperator/build/demo/runner.mjs ~/.cache/opperator/build/demo/agent.mjs
 * ```
 *
 * The behaviour is the same either way: the entry argument is whatever
 * module holds the agent's default export, and `OPPERATOR_AGENT_DIR` names the
 * agent's folder (the bundle's folder is not it).
 *
 * stdin/stdout carry the NDJSON protocol; stderr is for humans. This is the
 * only file of the SDK that reads the environment: `OPPERATOR_AGENT_NAME`
 * (default: the entry's folder name), `OPPERATOR_AGENT_DIR` (default: the
 * entry's folder), `OPPERATOR_TOKEN_STORE` (where `useOAuth` keeps tokens,
 * from `token_store` in agents.yaml) and `OPPERATOR_EMULATE` (the provider emulator `useOAuth`
 * uses instead of the real Google, GitHub and Microsoft; set it in the agent's
 * `env:` in agents.yaml). It is an entry point, not a module to import: the daemon
 * finds its path with `import.meta.resolve('@opperator/sdk/runner')`.
 *
 * @packageDocumentation
 */
import { resolve } from 'node:path';
import { runAgentProcess } from './agent-process.js';

const entry = process.argv[2];
if (entry === undefined || entry === '') {
  process.stderr.write('usage: node --import tsx runner.ts <agent entry file>  (or, bundled: node runner.mjs <agent.mjs>)\n');
  process.exit(2);
}
const fromEnv = (name: string) => process.env[name] || undefined; // an empty variable counts as unset

const code = await runAgentProcess({
  entryFile: resolve(entry),
  agentName: fromEnv('OPPERATOR_AGENT_NAME'),
  agentDir: fromEnv('OPPERATOR_AGENT_DIR'),
  providerEmulator: fromEnv('OPPERATOR_EMULATE'),
  tokenStore: fromEnv('OPPERATOR_TOKEN_STORE'),
  input: process.stdin,
  output: process.stdout,
  errorOutput: process.stderr,
});
// Exit explicitly: timers or sockets the agent left open must not keep a stopped agent alive.
process.exit(code);
