/**
 * The main job: the guide's whole flow, through the real `opperator` CLI,
 * against the local sandbox (no account anywhere).
 *
 *   1. start the sandbox (oidc-provider + a Gmail-shaped demo API) with short-lived access tokens
 *   2. put examples/invoice-monitor into a fresh OPPERATOR_HOME
 *   3. start it under the daemon: its section says what is missing
 *   4. store the client credentials as secrets
 *   5. run authorize_gmail: the browser opens through BROWSER (else the URL is printed)
 *   6. the section turns green
 *   7. Gmail API calls keep succeeding while the access token expires and is refreshed
 *
 * Everything runs in a temporary OPPERATOR_HOME with a file secret store, so
 * your own agents, daemon and keyring are untouched; it is removed at the end
 * unless `--keep` is given.
 *
 *   npm run demo [-- --keep] [-- --token-ttl 8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_PATH, installExampleAgent } from '@opperator/testing';
import { styled, wantsColor } from './terminal-style.js';

const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false }, 'token-ttl': { type: 'string', default: '8' }, checks: { type: 'string', default: '4' } } });
const tokenTtlSeconds = Number(values['token-ttl']);
const startedAt = Date.now();
const home = await mkdtemp(join(tmpdir(), 'opperator-demo-'));
const env = { ...process.env, OPPERATOR_HOME: home, OPPERATOR_SECRET_STORE: 'file' };
const AGENT = 'invoice-monitor';

/** The CLI processes running now, so an interrupt can end them. */
const running = new Set<ChildProcess>();
/** Set by the first SIGINT/SIGTERM: the demo is being taken down and the main flow must not report or clean up. */
let interrupted: NodeJS.Signals | undefined;
let interruptedAt = 0;
/**
 * Ctrl-C reaches this process twice: from the terminal (the whole process
 * group) and relayed by tsx. A second signal within this time is that echo,
 * not the user insisting.
 */
const SIGNAL_ECHO_MS = 1_000;

/** Runs `opperator ...args`; output is shown unless captured. Fails the demo on a non-zero exit unless allowed. */
function opperator(args: string[], options: { capture?: boolean; input?: string; allowFailure?: boolean; cleanup?: boolean } = {}): Promise<{ code: number | null; stdout: string }> {
  // Once interrupted, only the clean-up runs: any other command would start a new daemon in the home being removed.
  if (interrupted && !options.cleanup) return new Promise(() => undefined);
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ['pipe', options.capture ? 'pipe' : 'inherit', 'inherit'] });
  running.add(child);
  child.once('close', () => running.delete(child));
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stdin?.end(options.input ?? '');
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 || options.allowFailure ? resolve({ code, stdout }) : reject(new Error(`opperator ${args[0]} ${args[1] ?? ''} exited with code ${code}`)))),
  );
}

// Headings in bold on a terminal; `npm run demo > log` writes plain text (terminal-style.ts).
const color = wantsColor(process.stdout);
const step = (n: number, text: string) => console.log(`\n${styled('bold', `${n}. ${text}`, color)}`);
const seconds = () => ((Date.now() - startedAt) / 1000).toFixed(1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function authSection(): Promise<string> {
  const sections = JSON.parse((await opperator(['agent', 'sections', AGENT, '--json'], { capture: true })).stdout) as Array<{ id: string; content: string }>;
  return sections.find((s) => s.id === 'oauth_gmail')?.content ?? '';
}

/** The section updates itself a moment after each change; wait for the expected state. */
async function waitForSection(text: string): Promise<void> {
  for (let i = 0; i < 100 && !(await authSection()).includes(text); i++) await sleep(100);
}

async function refreshCount(): Promise<number> {
  const logs = (await opperator(['agent', 'logs', AGENT, '-n', '10000', '--json'], { capture: true })).stdout;
  return logs.split('\n').filter((line) => line.includes('gmail: access token refreshed')).length;
}

/** A free port for this run's sandbox, so a sandbox you already run on 9440 is left alone. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Stops what this demo started (the daemon with its agent, the sandbox); removes the home when asked. */
async function stopEverything(removeHome: boolean): Promise<void> {
  await opperator(['daemon', 'stop'], { capture: true, allowFailure: true, cleanup: true });
  await opperator(['sandbox', 'stop'], { capture: true, allowFailure: true, cleanup: true });
  if (removeHome) await rm(home, { recursive: true, force: true });
}

/**
 * Ctrl-C (SIGINT) or SIGTERM: end the CLI calls under way, stop the daemon
 * and the sandbox this demo started, remove its temporary home, and say so.
 * A second signal exits at once and says what may be left.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    if (Date.now() - interruptedAt < SIGNAL_ECHO_MS) return;
    console.error(`\nStopping without cleaning up. If anything is left: OPPERATOR_HOME=${home} npx opperator daemon stop; OPPERATOR_HOME=${home} npx opperator sandbox stop; rm -rf ${home}`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  interrupted = signal;
  interruptedAt = Date.now();
  console.error(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: stopping the daemon and the sandbox this demo started, and removing ${home} ...`);
  for (const child of running) child.kill('SIGTERM');
  void stopEverything(true).then(
    () => {
      console.error('Stopped; nothing this demo started is left running.');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    },
    (err: unknown) => {
      console.error(`Cleaning up failed: ${err instanceof Error ? err.message : String(err)}. Left: ${home}`);
      process.exit(1);
    },
  );
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

let exitCode = 0;
try {
  console.log(`Demo home: ${home} (a file secret store; your keyring and agents are not touched)`);
  step(1, `Starting the sandbox authorization server (access tokens live ${tokenTtlSeconds} s)`);
  await opperator(['sandbox', 'start', '--port', String(await freePort()), '--access-token-ttl', `${tokenTtlSeconds}s`]);
  const sandbox = JSON.parse((await opperator(['sandbox', 'status', '--json', '--show-secrets'], { capture: true })).stdout) as { issuer: string; clients: Array<{ clientId: string; clientSecret?: string }> };
  const client = sandbox.clients.find((c) => c.clientSecret);
  if (!client?.clientSecret) throw new Error('The sandbox reported no confidential client.');

  step(2, `Installing examples/${AGENT} (INVOICE_MONITOR_PROVIDER=${sandbox.issuer})`);
  const dir = await installExampleAgent(home, {
    example: AGENT,
    secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'],
    env: { INVOICE_MONITOR_PROVIDER: sandbox.issuer },
  });
  console.log(`Agent folder: ${dir}`);

  step(3, 'Starting the daemon and the agent; its section before any credentials exist');
  await opperator(['agent', 'start', AGENT]);
  await waitForSection('Missing');
  await opperator(['agent', 'sections', AGENT]);

  step(4, 'Storing the client credentials in the secret store (piped, never on a command line)');
  await opperator(['secret', 'set', 'invoice_monitor_gmail_client_id'], { input: client.clientId });
  await opperator(['secret', 'set', 'invoice_monitor_gmail_client_secret'], { input: client.clientSecret });

  step(5, `Running authorize_gmail (${process.env.BROWSER ? `browser: ${process.env.BROWSER}` : 'your browser opens; if none can, the URL is printed'})`);
  await opperator(['agent', 'invoke', AGENT, 'authorize_gmail']);

  step(6, 'The section now');
  await waitForSection('✓ Authenticated');
  await opperator(['agent', 'sections', AGENT]);
  console.log(styled('green', `✓ Authenticated ${seconds()} s after the demo started`, color));

  step(7, `Gmail API calls across token refreshes (one call every ${tokenTtlSeconds} s, one access-token lifetime)`);
  for (let i = 1; i <= Number(values.checks); i++) {
    const result = JSON.parse((await opperator(['agent', 'invoke', AGENT, 'check_invoices', '--json'], { capture: true })).stdout) as { unread: number };
    console.log(`  call ${i}: ${result.unread} unread messages; token refreshes so far: ${await refreshCount()}`);
    if (i < Number(values.checks)) await sleep(tokenTtlSeconds * 1000);
  }
  console.log('');
  await opperator(['agent', 'sections', AGENT]);
  console.log(`\n${styled('bold', '$ opperator auth status', color)}   (every sign-in of every agent, as gh auth status)`);
  await opperator(['auth', 'status']);
  console.log(`\nDone in ${seconds()} s: signed in, section green, API calls kept working while tokens were refreshed.`);
  if (values.keep) {
    console.log(`Still running. Explore with OPPERATOR_HOME=${home}, e.g.:\n  OPPERATOR_HOME=${home} npx opperator agent logs ${AGENT} -f\nStop with: OPPERATOR_HOME=${home} npx opperator daemon stop && OPPERATOR_HOME=${home} npx opperator sandbox stop`);
  }
} catch (err) {
  exitCode = 1;
  if (!interrupted) {
    console.error(`\nThe demo failed: ${err instanceof Error ? err.message : String(err)}`);
    console.error(`Agent log: OPPERATOR_HOME=${home} npx opperator agent logs ${AGENT}`);
  }
} finally {
  if (!interrupted && (!values.keep || exitCode !== 0)) await stopEverything(exitCode === 0);
}
// An interrupt's own cleanup ends the process.
if (!interrupted) process.exit(exitCode);
