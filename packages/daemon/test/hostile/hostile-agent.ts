/**
 * The source of an agent.ts that, besides speaking the protocol through the
 * SDK, writes hostile lines of its own straight to its stdout: the pipe the
 * daemon reads.
 */
export const HOSTILE_AGENT = `import { closeSync } from 'node:fs';
import { Agent } from '@opperator/sdk';

const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const raw = (line) => new Promise((resolve) => (process.stdout.write(line + '\\n') ? resolve(undefined) : process.stdout.once('drain', resolve)));

// Sees the daemon's messages too (the SDK reads the same stdin): answers
// deep-result and big-result commands itself, with responses the SDK would never send.
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk.toString('utf8');
  for (let newline = input.indexOf('\\n'); newline !== -1; newline = input.indexOf('\\n')) {
    const message = JSON.parse(input.slice(0, newline));
    input = input.slice(newline + 1);
    if (message.type === 'command' && message.name === 'deep-result') void raw('{"type":"response","id":' + JSON.stringify(message.id) + ',"ok":true,"result":' + nested(20000) + '}');
    if (message.type === 'command' && message.name === 'big-result') void raw('{"type":"response","id":' + JSON.stringify(message.id) + ',"ok":true,"result":"' + 'b'.repeat(2 * 1024 * 1024) + '"}');
  }
});

const TYPES = ['log', 'response', 'command_progress', 'sidebar_section', 'sidebar_section_removal', 'lifecycle_event', 'secret_request', 'ready', 'teleport', ''];
function spewLine(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const type = pick(TYPES);
  switch (Math.floor(random() * 12)) {
    case 0: return Buffer.from('{"type":"' + type + '","id":"x","a":' + nested(65 + Math.floor(random() * 20000)) + '}\\n');
    case 1: return Buffer.concat([Buffer.from('{"type":"log","level":"info","message":"'), Buffer.alloc(1024 * 1024 + 10, 0x78), Buffer.from('"}\\n')]);
    case 2: return Buffer.concat([Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)).filter((b) => b !== 10)), Buffer.from('\\n')]);
    case 3: return Buffer.from('{"type":"log","level":"info","message":"partial ' + Math.floor(random() * 1000) + '{"type":"response","id":"x","ok":true}\\n'); // a line broken off, the next one glued to it
    case 4: return Buffer.from(JSON.stringify({ type: 'response', id: 'not-pending-' + Math.floor(random() * 100), ok: random() < 0.5, result: { x: random() }, error: { message: 'e' } }) + '\\n');
    case 5: return Buffer.from(JSON.stringify({ type: 'command_progress', id: 'nobody', progress: random() * 4 - 2, text: 't'.repeat(Math.floor(random() * 10000)) }) + '\\n');
    case 6: return Buffer.from(JSON.stringify({ type: 'sidebar_section', id: 'fuzz-' + Math.floor(random() * 300), title: 'x', content: 'c'.repeat(Math.floor(random() * 100000)) }) + '\\n');
    case 7: return Buffer.from(JSON.stringify({ type: 'sidebar_section_removal', id: 'fuzz-' + Math.floor(random() * 300) }) + '\\n');
    case 8: return Buffer.from('{"type":"log","level":"info","message":"wide","fields":{"a":[' + '0,'.repeat(100001) + '0]}}\\n');
    case 9: return Buffer.from('{"type":"log","level":"info","message":"n","fields":{"a":1e400,"b":-0,"c":' + '9'.repeat(500) + '}}\\n');
    case 10: return Buffer.from(JSON.stringify({ type: 'log', level: pick(['debug', 'info', 'warning', 'error', 'loud']), message: String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(random() * 0xd7ff))), fields: { esc: '\\u001b]52;c;AAAA\\u0007\\u001b[2J' } }) + '\\n');
    default: return Buffer.from(JSON.stringify({ type, id: random(), requestId: [], name: { a: 1 }, event: 'nope', protocolVersion: 'x' }) + '\\n');
  }
}

export default class Hostile extends Agent {
  async initialize() {
    this.registerCommand('work', async (args) => ({ bytes: JSON.stringify(args).length, big: 'r'.repeat(Number(args.resultBytes ?? 0)) }), { async: true });
    this.registerCommand('echo', async (args) => args);
    this.registerCommand('deep-result', () => new Promise(() => undefined), { async: true });
    this.registerCommand('big-result', () => new Promise(() => undefined));
    this.registerCommand('hang', () => new Promise(() => undefined));
    this.registerCommand('deep-log', async () => {
      await raw('{"type":"log","level":"info","message":"deep","fields":{"a":' + nested(20000) + '}}');
      return 'sent';
    });
    this.registerCommand('sections', async (args) => {
      for (let i = 0; i < Number(args.count); i += 1) await raw(JSON.stringify({ type: 'sidebar_section', id: String(args.prefix ?? 's') + i, title: 't', content: 'c'.repeat(Number(args.bytes)) }));
      return 'sent';
    });
    this.registerCommand('flood-logs', async (args) => {
      const line = JSON.stringify({ type: 'log', level: 'info', message: 'f'.repeat(Number(args.bytes)) });
      for (let i = 0; i < Number(args.count); i += 1) await raw(line);
      return 'sent';
    });
    // Writes args.count hostile lines (see spewLine); returns how many lines and bytes went out.
    this.registerCommand('spew', async (args) => {
      let seed = Number(args.seed) >>> 0;
      const random = () => {
        seed = (seed + 0x6d2b79f5) >>> 0;
        let t = seed;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      let bytes = 0;
      for (let i = 0; i < Number(args.count); i += 1) {
        const line = spewLine(random);
        bytes += line.length;
        // A line in two writes with nothing between them: the daemon reads it in parts, and no SDK message lands inside it.
        const cut = Math.floor(random() * line.length);
        process.stdout.write(line.subarray(0, cut));
        await new Promise((resolve) => (process.stdout.write(line.subarray(cut)) ? resolve(undefined) : process.stdout.once('drain', resolve)));
      }
      return { lines: Number(args.count), bytes };
    });
    this.registerCommand('close-stdin', async () => {
      setTimeout(() => {
        process.stdin.removeAllListeners();
        process.stdin.destroy();
        // Node keeps fd 0 open after destroy(); closed, the daemon's next write fails with EPIPE.
        setTimeout(() => closeSync(0), 20);
      }, 50);
      setInterval(() => undefined, 1000); // stays up, deaf
      return 'closing';
    });
  }
}
`;
