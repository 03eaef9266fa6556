/**
 * The daemon process: `opperator daemon start` runs it in the background,
 * `opperator daemon start --foreground` in the terminal. It prints
 * "opperator daemon ready" once the control socket answers.
 */
import { fileURLToPath } from 'node:url';
import { SecretStore } from '@opperator/secrets';
import { buildRootOf, chooseLaunch } from './agent-launch.js';
import { readDaemonConfig } from './config.js';
import { Daemon } from './daemon.js';

const config = readDaemonConfig();
const secrets = new SecretStore({ home: config.home, mode: config.secretStoreMode, dbusSessionBusAddress: config.dbusSessionBusAddress });
// Agents are TypeScript files. The daemon builds each one with esbuild into
// plain JavaScript (with the SDK runner) before it starts it; without
// esbuild, the SDK runner runs agent.ts under tsx. The runner and tsx are
// resolved from this installation (not from the agent's folder); the daemon
// only needs their paths, it imports neither.
const launch = await chooseLaunch(
  { runnerFile: fileURLToPath(import.meta.resolve('@opperator/sdk/runner')), tsxUrl: import.meta.resolve('tsx'), buildRoot: buildRootOf(config.stateDir) },
  (message) => process.stderr.write(`${message}\n`),
);

const daemon = new Daemon({ config, launch, secrets });
try {
  await daemon.start();
} catch (err) {
  process.stderr.write(`opperator daemon: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
process.stdout.write(`opperator daemon ready (pid ${process.pid}, socket ${config.socketPath})\n`);
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (signals > 1) process.exit(130);
  void daemon.stop();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
await daemon.stopped;
process.exit(0);
