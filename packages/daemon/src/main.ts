/**
 * The daemon process: `opperator daemon start` runs it in the background,
 * `opperator daemon start --foreground` in the terminal. It prints
 * "opperator daemon ready" once the control socket answers.
 */
import { dirname, join } from 'node:path';
import { migrateHome } from '@opperator/protocol';
import { SecretStore } from '@opperator/secrets';
import { chooseLaunch } from './agent-launch.js';
import { readDaemonConfig } from './config.js';
import { Daemon } from './daemon.js';
import { keepOwnLogBounded, logFileArgument } from './daemon-log.js';
import { BwrapIsolation } from './isolation.js';
import { locateRuntimeSdk } from './runtime-sdk.js';
import { prepareSocketDirectory } from './socket-directory.js';
import { AgentProcessRecords, stopLeftoverAgents } from './supervisor/index.js';

/**
 * A repeat of the signal within this time is the same Ctrl-C relayed by a
 * parent (npm and npx forward what the terminal already sent the group).
 */
const SIGNAL_ECHO_MS = 1_000;
const exitCodeOf = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 130 : 143);
let daemon: Daemon | undefined = undefined;
let received: NodeJS.Signals | undefined;
let receivedAt = 0;
// Listening before anything is taken: a signal during the start (Ctrl-C in the
// terminal of `daemon start --foreground`, or the CLI stopping a start it
// was interrupted in) still stops the agents and gives back the socket and
// the pid file, instead of ending the process with them in place.
const onSignal = (signal: NodeJS.Signals) => {
  if (received) {
    if (Date.now() - receivedAt < SIGNAL_ECHO_MS) return;
    process.stderr.write(`opperator daemon: ${signal} again: exiting now; agents still stopping may be left running\n`);
    process.exit(exitCodeOf(signal));
  }
  received = signal;
  receivedAt = Date.now();
  // Before the daemon exists nothing is held: no lock, no socket, no agent.
  if (!daemon) process.exit(exitCodeOf(signal));
  process.stderr.write(`opperator daemon: ${signal}: stopping the agents, then the daemon\n`);
  void daemon.stop();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const config = readDaemonConfig();
// A daemon started by a service manager may be the first to run with the XDG layout, so it moves an old
// single-folder home itself (the CLI does it before starting one); never while that layout's daemon runs.
const moved = await migrateHome(config.layout, { runtimeDir: config.runtimeDir, uid: process.getuid?.() ?? 0 }).catch((err: unknown) => ({
  outcome: 'blocked' as const,
  message: `could not move the files of ${config.home} to their XDG places: ${err instanceof Error ? err.message : String(err)}`,
}));
if (moved.outcome === 'blocked') {
  process.stderr.write(`opperator daemon: ${moved.message}\n`);
  process.exit(1);
}
if (moved.outcome === 'migrated') process.stderr.write(`opperator daemon: ${moved.report}\n`);
// Started in the background, the daemon writes to a log file for months: kept bounded (see rotateOwnLog).
const logFile = logFileArgument(process.argv.slice(2));
if (logFile) keepOwnLogBounded(logFile);
const secrets = new SecretStore({ dir: config.secretsDir, mode: config.secretStoreMode, dbusSessionBusAddress: config.dbusSessionBusAddress });
// Agents are TypeScript files. The daemon builds each one with esbuild into
// plain JavaScript (with the SDK runner) before it starts it; without
// esbuild, the SDK runner runs agent.ts under tsx (where tsx is installed:
// a development checkout). The runtime's SDK goes to agents that do not
// install their own; the daemon only needs paths, it imports neither.
const sdk = locateRuntimeSdk(import.meta.url);
const launch = await chooseLaunch(
  { runnerFile: sdk.runnerFile, sdkIndexFile: sdk.indexFile, sdkOauthFile: sdk.oauthFile, resolveTsx: () => import.meta.resolve('tsx'), buildRoot: config.buildDir },
  (message) => process.stderr.write(`${message}\n`),
);

// Every agent process is recorded while it runs: a daemon killed with SIGKILL leaves them behind, the next one stops them.
const processRecords = new AgentProcessRecords(join(config.stateDir, 'agent-processes'));
// Agents with `isolate: true` run under bubblewrap, seeing neither the home (agents.yaml, other agents), the state (other agents' logs and tasks), the secrets nor the socket.
const protectedPaths = [...new Set([config.home, config.stateDir, config.secretsDir, dirname(config.socketPath)])];
const isolation = new BwrapIsolation({ searchPath: config.agentBaseEnv.PATH ?? '', protectedPaths, readOnlyPaths: (name) => launch.readOnlyPaths?.(name) ?? [] });
daemon = new Daemon({ config, launch, secrets, processOptions: { processRecords, isolation } });
try {
  // A home too deep for a socket path has its socket in a short private directory (controlSocketLocation).
  if (config.socketShortened) await prepareSocketDirectory(config.socketPath);
  // Before any agent starts: what a crashed daemon left would otherwise run next to the new instances.
  for (const left of await stopLeftoverAgents(processRecords.dir)) {
    if (left.outcome === 'stopped') process.stderr.write(`opperator daemon: stopped agent ${left.agent} (process group ${left.pid}: ${left.pids.join(', ')}), left running by a daemon that ended without stopping it\n`);
  }
  await daemon.start();
} catch (err) {
  process.stderr.write(`opperator daemon: ${err instanceof Error ? err.message : String(err)}\n`);
  // Gives back the pid file when the start failed after taking it (agents.yaml invalid, socket not bindable).
  await daemon.stop();
  process.exit(1);
}
if (!received) process.stdout.write(`opperator daemon ready (pid ${process.pid}, socket ${config.socketPath})\n`);
await daemon.stopped;
if (received) process.stderr.write(`opperator daemon: stopped (${received}); its agents are stopped and its socket and pid file removed\n`);
process.exit(received ? exitCodeOf(received) : 0);
