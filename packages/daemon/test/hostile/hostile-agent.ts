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
// deep-result commands itself with a response the SDK could never encode.
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk.toString('utf8');
  for (let newline = input.indexOf('\\n'); newline !== -1; newline = input.indexOf('\\n')) {
    const message = JSON.parse(input.slice(0, newline));
    input = input.slice(newline + 1);
    if (message.type === 'command' && message.name === 'deep-result') void raw('{"type":"response","id":' + JSON.stringify(message.id) + ',"ok":true,"result":' + nested(20000) + '}');
  }
});

export default class Hostile extends Agent {
  async initialize() {
    this.registerCommand('work', async (args) => ({ bytes: JSON.stringify(args).length, big: 'r'.repeat(Number(args.resultBytes ?? 0)) }), { async: true });
    this.registerCommand('echo', async (args) => args);
    this.registerCommand('deep-result', () => new Promise(() => undefined), { async: true });
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
