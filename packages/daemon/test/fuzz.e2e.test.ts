import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';
import { HOSTILE_AGENT } from './hostile/hostile-agent.js';
import { isAlive, nestedJson, RawControlClient, residentMiB } from './hostile/control-client.js';

/** How long the fuzzing runs; OPPERATOR_FUZZ_MS changes it (a longer run locally). */
const FUZZ_DURATION_MS = Number(process.env.OPPERATOR_FUZZ_MS ?? 15_000);
/** Seed of the run (printed, so a failure can be replayed with OPPERATOR_FUZZ_SEED). */
const SEED = Number(process.env.OPPERATOR_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Hostile control connections open at once. */
const HOSTILE_CONNECTIONS = 4;
/** Hostile lines the agent writes per `spew` command. */
const SPEW_BATCH = 40;

// Methods a well-meaning user may call too, which would end the run rather than test it: left out.
const METHODS = ['daemon.status', 'agents.reload', 'agent.list', 'watch', 'agent.start', 'agent.commands', 'agent.sections', 'agent.logs', 'agent.invoke', 'task.list', 'task.get', 'task.cancel', 'nope', 'constructor', '__proto__', 'toString', ''];
const COMMANDS = ['work', 'echo', 'deep-log', 'deep-result', 'spew', 'missing', ''];

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const int = (max: number) => Math.floor(random() * max);

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 5 : 8)) {
    case 0: return int(2) === 0 ? null : random() < 0.5;
    case 1: return pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 1.5]);
    case 2: return 'x'.repeat(int(200));
    case 3: return pick(['agent', 'hostile', '../../etc/passwd', '\u001b[2J', '\u0000', '💥'.repeat(20)]);
    case 4: return '';
    case 5: return Array.from({ length: int(5) }, () => randomValue(depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['name', 'id', 'args', 'lines', 'follow', 'command', 'detach', 'client', 'agent', '__proto__', 'x']), randomValue(depth + 1)]));
  }
}

/** One hostile chunk for the control socket: a line, a part of one, or raw bytes. */
function hostileChunk(): Buffer {
  const id = pick<unknown>([int(1000), `f${int(1000)}`, null, {}, [], 'x'.repeat(200), -0.5]);
  switch (int(11)) {
    case 0: return Buffer.from(Array.from({ length: 1 + int(300) }, () => int(256)));
    case 1: return Buffer.from(`{"id":${JSON.stringify(id)},"method":"agent.invoke","params":{"name":"hostile","command":"work","args":{"x":${nestedJson(65 + int(20_000))}}}}\n`);
    case 2: return Buffer.from(`{"id":"wide","method":"task.list","params":{"a":[${'0,'.repeat(100_001)}0]}}\n`);
    case 3: return Buffer.from(`${JSON.stringify({ id, method: pick(METHODS), params: randomValue() })}\n`);
    case 4: return Buffer.from(`${JSON.stringify({ id: `f${int(1000)}`, method: 'agent.invoke', params: { name: pick(['hostile', 'nobody', 7]), command: pick(COMMANDS), args: pick([randomValue(), { seed: int(1e9), count: 5 }]), detach: random() < 0.3 } })}\n`);
    case 5: return Buffer.from(`{"id":1,"method":"agent.li`); // the rest never comes
    case 6: return Buffer.concat([Buffer.from('{"id":"big","method":"agent.list","params":{"p":"'), Buffer.alloc(1024 * 1024 + 1, 0x61), Buffer.from('"}}\n')]);
    case 7: return Buffer.concat([Buffer.from('{"id":"utf","method":"agent.sections","params":{"name":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}}\n')]);
    case 8: return Buffer.from(`${JSON.stringify({ id, method: 'agent.logs', params: { name: 'hostile', follow: random() < 0.5, lines: pick([-1, 0, 1e9, 'x', 10]) } })}\n`);
    case 9: return Buffer.from(`${pick(['[]', 'null', '"x"', '1', '{}', '{"id":1}', '{"method":"agent.list"}', '{"id":1,"method":7}'])}\n`);
    default: return Buffer.from(`{"id":${JSON.stringify(id)},"method":"${pick(METHODS)}","params":${JSON.stringify(randomValue())}}\n`);
  }
}

let home: TempDir;
let pid: number;
let client: RawControlClient;
let socketPath: string;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

beforeAll(async () => {
  home = await makeAgentHome([{ name: 'hostile', source: HOSTILE_AGENT, yaml: 'auto_restart: false' }]);
  const daemon = await cli('daemon', 'start');
  expect(daemon, daemon.stderr).toMatchObject({ code: 0 });
  const agent = await cli('agent', 'start', 'hostile');
  expect(agent, agent.stderr).toMatchObject({ code: 0 });
  socketPath = join(home.path, 'run', 'daemon.sock');
  client = await RawControlClient.connect(socketPath);
  pid = ((await client.request('daemon.status')) as { result: { pid: number } }).result.pid;
}, 60_000);

afterAll(async () => {
  client?.close();
  await cli('daemon', 'stop');
  await home?.remove();
});

/** One hostile connection: chunks until the deadline or a random hang-up; reads and drops what comes back, unless deaf. */
async function hostileConnection(deadline: number, counts: { control: number }): Promise<void> {
  const socket: Socket = createConnection(socketPath);
  socket.on('error', () => undefined); // a hang-up by either side is part of the game
  const deaf = random() < 0.2;
  if (deaf) socket.pause();
  else socket.resume();
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()).once('error', () => resolve()));
  const lines = 1 + int(40);
  for (let i = 0; i < lines && Date.now() < deadline && !socket.destroyed; i += 1) {
    const chunk = hostileChunk();
    counts.control += 1;
    if (!socket.write(chunk)) await new Promise<void>((resolve) => { socket.once('drain', () => resolve()); socket.once('close', () => resolve()); });
    if (random() < 0.1) await new Promise((resolve) => setTimeout(resolve, int(20)));
  }
  if (random() < 0.5) await new Promise((resolve) => setTimeout(resolve, int(200)));
  socket.destroy();
}

describe('fuzzing the control socket and the agent pipe', () => {
  it(`keeps the daemon up and answering for ${FUZZ_DURATION_MS} ms of hostile input`, async () => {
    const started = Date.now();
    const deadline = started + FUZZ_DURATION_MS;
    const counts = { control: 0, agent: 0, answered: 0 };
    const rssBefore = await residentMiB(pid);
    // A watcher stays connected throughout, as the TUI does: every task and section change is encoded for it.
    const watcher = await RawControlClient.connect(socketPath);
    const watchClosed = new Promise<string>((resolve) => watcher.socket.once('close', () => resolve('closed')));
    watcher.start('watch');

    const hostileClients = Array.from({ length: HOSTILE_CONNECTIONS }, async () => {
      while (Date.now() < deadline) await hostileConnection(deadline, counts);
    });
    // The agent's stdout: batches of hostile lines, asked through a client of its own.
    const spewer = (async () => {
      const agentClient = await RawControlClient.connect(socketPath);
      while (Date.now() < deadline) {
        const answer = await agentClient.request('agent.invoke', { name: 'hostile', command: 'spew', args: { seed: int(2 ** 31), count: SPEW_BATCH } }, 30_000);
        expect(answer).toMatchObject({ ok: true, result: { ok: true } });
        counts.agent += SPEW_BATCH;
      }
      agentClient.close();
    })();
    // The well-behaved client: every request answered, correctly, all along.
    const wellBehaved = (async () => {
      while (Date.now() < deadline) {
        const n = counts.answered;
        expect(await client.request('agent.invoke', { name: 'hostile', command: 'echo', args: { n } })).toMatchObject({ ok: true, result: { ok: true, result: { n } } });
        expect(await client.request('agent.list')).toMatchObject({ ok: true, result: [{ name: 'hostile', state: 'running' }] });
        expect(await client.request('task.list', { agent: 'hostile' })).toMatchObject({ ok: true });
        counts.answered += 3;
      }
    })();
    await Promise.all([...hostileClients, spewer, wellBehaved]);
    const durationMs = Date.now() - started;

    expect(isAlive(pid)).toBe(true);
    expect(await Promise.race([watchClosed, new Promise((resolve) => setTimeout(() => resolve('open'), 100))])).toBe('open');
    expect(watcher.events.some((event) => 'task' in event.event)).toBe(true);
    watcher.close();
    expect(await client.request('task.list')).toMatchObject({ ok: true });
    const sections = await client.request('agent.sections', { name: 'hostile' });
    expect(sections).toMatchObject({ ok: true });
    expect(await client.request('agent.invoke', { name: 'hostile', command: 'work', args: { after: true } })).toMatchObject({ ok: true, result: { ok: true } });
    // The stores on disk stay readable: tasks.json and the sections file parse.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(Array.isArray(JSON.parse(await readFile(join(home.path, 'state', 'tasks.json'), 'utf8')))).toBe(true);
    expect(Array.isArray(JSON.parse(await readFile(join(home.path, 'state', 'sections', 'hostile.json'), 'utf8')))).toBe(true);
    const rssAfter = await residentMiB(pid);
    console.log(
      `fuzz (seed ${SEED}): ${counts.control + counts.agent} hostile messages in ${durationMs} ms ` +
        `(${counts.control} on the control socket, ${counts.agent} on the agent pipe); ` +
        `${counts.answered} answers to the well-behaved client; daemon RSS ${rssBefore} -> ${rssAfter} MiB`,
    );
  }, FUZZ_DURATION_MS + 90_000);
});
