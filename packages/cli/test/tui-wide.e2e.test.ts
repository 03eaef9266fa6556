import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { textColumns as stringWidth } from '@opperator/tui';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// The TUI in a real terminal (tmux 120×35, the size the findings were
// reported at) against a real daemon, with an agent whose section titles,
// content and command result hold emoji and CJK: the layout stays aligned as
// the terminal draws it: where tmux's own grid puts the end of each row
// (its copy-mode cursor, not our count of the captured text) is where Ink's
// layout (string-width) puts it. The characters are ones tmux 3.3 and
// string-width agree on (🚀 📬 ✅ 👩‍💻 🇫🇷, CJK); on others a terminal differs
// from Ink whatever we count (tmux: 👍🏽 4 columns, ❤️ and ⚠️ 1, Ink: 2).

const WIDTH = 120;
const HEIGHT = 35;
const LEFT = Math.max(20, Math.round(WIDTH * 0.3));

const run = promisify(execFile);

/**
 * A tmux session as `TmuxSession` of @opperator/testing, which also reads
 * tmux's own column count of each row: capture-pane gives the characters
 * only, so a glyph tmux draws wider or narrower than Ink counted would not
 * show in it.
 */
class MeasuredTmux {
  readonly #socket = `opperator-wide-${randomBytes(4).toString('hex')}`;
  #tmux = (...args: string[]) => run('tmux', ['-L', this.#socket, ...args]);

  async start(command: string[], env: Record<string, string>): Promise<this> {
    await this.#tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(WIDTH), '-y', String(HEIGHT), 'env', ...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...command);
    return this;
  }

  async screen(): Promise<string> {
    return (await this.#tmux('capture-pane', '-p')).stdout.split('\n').map((line) => line.trimEnd()).join('\n');
  }

  async waitFor(text: string | RegExp, timeoutMs = 10_000): Promise<string> {
    let last = '';
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      last = await this.screen();
      if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    }
    throw new Error(`the screen did not show ${String(text)}; it shows:\n${last}`);
  }

  async sendKeys(keys: string, literal = false): Promise<void> {
    await this.#tmux('send-keys', ...(literal ? ['-l'] : []), keys);
  }

  /** The column after the last character tmux holds on `row` (0-based), counted in tmux's own grid. */
  async rowEnd(row: number): Promise<number> {
    const down = Array.from({ length: row }, () => [';', 'send-keys', '-X', 'cursor-down']).flat();
    const { stdout } = await this.#tmux('copy-mode', ';', 'send-keys', '-X', 'top-line', ';', 'send-keys', '-X', 'start-of-line', ...down, ';', 'send-keys', '-X', 'end-of-line', ';', 'display-message', '-p', '#{copy_cursor_x}', ';', 'send-keys', '-X', 'cancel');
    return Number(stdout.trim());
  }

  async kill(): Promise<void> {
    await this.#tmux('kill-server').catch(() => undefined);
  }
}

let home: TempDir;
let tmux: MeasuredTmux | undefined;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path } });

beforeAll(async () => {
  const source = await readFile(new URL('./fixtures/wide-text-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'wide', source }]);
}, 60_000);

afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
});

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

/**
 * The screen now, every row within the width and, above the status line,
 * the pane rule in column {@link LEFT}; each row that ends at the rule (the
 * main pane empty there), and the status line, ends in tmux's grid where
 * string-width says. Read until two captures around the measuring agree
 * (log lines arrive meanwhile).
 */
async function expectAligned(ui: MeasuredTmux): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const screen = await ui.screen();
    const rows = screen.replace(/\n$/, '').split('\n');
    const measured = rows.map((row, index) => ({ row, index })).filter(({ row, index }) => /[^\x20-\x7e│]/.test(row.slice(0, -1)) && (row.endsWith('│') || index === HEIGHT - 1));
    const ends: number[] = [];
    for (const { index } of measured) ends.push(await ui.rowEnd(index));
    if ((await ui.screen()) !== screen && attempt < 5) continue;
    expect(rows).toHaveLength(HEIGHT);
    for (const row of rows) expect(stringWidth(row), row).toBeLessThanOrEqual(WIDTH);
    for (const row of rows.slice(0, -1)) expect(stringWidth(row.slice(0, row.indexOf('│'))), row).toBe(LEFT);
    expect(measured.length).toBeGreaterThan(0);
    measured.forEach(({ row }, at) => expect(ends[at], row).toBe(stringWidth(row)));
    return rows;
  }
}

describe('the TUI with wide characters, in a real terminal', () => {
  it('keeps the layout aligned with emoji and CJK in section titles, content and a command’s result', async () => {
    expect((await cli('agent', 'start', 'wide')).code).toBe(0);
    const ui = (tmux = await new MeasuredTmux().start([process.execPath, CLI_PATH], { OPPERATOR_HOME: home.path, TERM: 'xterm-256color' }));
    await ui.waitFor('▾ 🚀 Deploy 日本語');
    await ui.waitFor(/🚀 end/);
    await ui.waitFor('agent started'); // the logs pane settled
    let rows = await expectAligned(ui);
    const left = rows.map((row) => row.slice(0, row.indexOf('│'))).join('').replace(/\s+/g, '');
    // Wrapped by columns in the sidebar, nothing lost.
    expect(left).toContain('日本語のテキストがここにあります。日本語のテキストがここにあります。');
    expect(left).toContain(`${'🚀'.repeat(20)}end`);
    expect(rows.at(-1)).toMatch(/● connected +\? help {2}q quit {2}\/ commands {2}s start {2}x stop {2}r restart/);

    await ui.sendKeys('/');
    await ui.waitFor('請求書を確認する 📬');
    await expectAligned(ui);
    await ui.sendKeys('check_invoices', true);
    await ui.sendKeys('Enter');
    await ui.waitFor(/✓ check_invoices {2}\{"unread":3,"件名":"請求書 📬"\}/);
    rows = await expectAligned(ui);
    expect(rows.at(-1)).toContain('check_invoices done');
    if (process.env.SHOW_FRAMES) console.log(rows.join('\n'));
  }, 60_000);
});
