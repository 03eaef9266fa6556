/**
 * The daemon process: `opperator daemon start` runs it in the background,
 * `opperator daemon start --foreground` in the terminal. It prints
 * "opperator daemon ready" once the control socket answers.
 */
import { fileURLToPath } from 'node:url';
import { SecretStore } from '@opperator/secrets';
import { readDaemonConfig } from './config.js';
import { Daemon } from './daemon.js';

const config = readDaemonConfig();
const secrets = new SecretStore({ home: config.home, mode: config.secretStoreMode, dbusSessionBusAddress: config.dbusSessionBusAddress });
// Agents are TypeScript files run by the SDK's runner under tsx. Both are
// resolved from this installation (not from the agent's folder, which has no
// node_modules of ours); the daemon only needs their paths, it imports neither.
const launch = {
  command: process.execPath,
  argsBefore: ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.resolve('@opperator/sdk/runner'))],
};

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
