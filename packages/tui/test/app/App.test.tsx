// The whole App through ink-testing-library, against an in-memory daemon at
// the TuiClient seam (the real client and daemon are the tmux suites' part:
// packages/cli/test/tui.e2e.test.ts). Keys go in as the bytes a terminal sends.
import { render } from 'ink-testing-library';
import { useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app/App.js';
import type { TuiClient } from '../../src/state/client.js';
import type { AgentRow, SectionRow, TaskRow } from '../../src/state/types.js';
import { stripAnsi } from '../ansi.js';

const agent: AgentRow = { name: 'mail', description: 'Watches mail', state: 'running', pid: 7, restarts: 0, secrets: ['mail_client_id', 'mail_client_secret'] };
const at = Date.UTC(2026, 0, 1, 12);
const tasks: TaskRow[] = [
  { id: 'old', agent: 'mail', command: 'sync_all', progressLabel: 'Syncing', state: 'running', progress: { text: 'page 1' }, createdAt: at, updatedAt: at },
  {
    id: 'done',
    agent: 'mail',
    command: 'check_now',
    state: 'succeeded',
    progress: {},
    result: { unread: 3, subjects: ['Invoice 1', 'Invoice 2', 'Invoice 3'] },
    createdAt: at + 1_000,
    updatedAt: at + 3_000,
  },
  { id: 'new', agent: 'mail', command: 'authorize_gmail', progressLabel: 'Signing in', state: 'running', progress: { text: 'Waiting' }, createdAt: at + 2_000, updatedAt: at + 2_000 },
];
const sections: SectionRow[] = [
  { id: 'inbox', title: 'Inbox', content: Array.from({ length: 40 }, (_, i) => `message ${i + 1}`).join('\n'), collapsed: false, updatedAt: 0 },
];

const LOG_BURST = 5_000;

/** An in-memory daemon: answers what the App asks and records every request. */
function fakeDaemon(invokeAnswer?: unknown) {
  const requests: Array<{ method: string; params: Record<string, unknown> | undefined }> = [];
  const client: TuiClient = {
    // The typed request's shape (method, params, { onEvent }), answered loosely: each answer is what the method's schema describes.
    request: (async <T,>(method: string, params?: Record<string, unknown>, options?: { onEvent?: (event: never) => void }): Promise<T> => {
      const onEvent = options?.onEvent as ((event: Record<string, unknown>) => void) | undefined;
      requests.push({ method, params });
      const answers: Record<string, unknown> = {
        'agent.sections': sections,
        'task.list': tasks,
        'agent.commands': [{ name: 'check_now', async: true }],
        'task.cancel': { cancelled: true },
        // Detached: the daemon answers with the task it started.
        'agent.invoke': { detached: true, task: tasks[0] },
      };
      if (method === 'agent.invoke' && invokeAnswer !== undefined) return invokeAnswer as T;
      if (method === 'agent.invoke' && params?.detach !== true) {
        // Attached: the task starts, then the agent hands back a sign-in page to open where the user is.
        onEvent?.({ task: { id: 'task-attached', progressLabel: 'Checking' } });
        onEvent?.({ progress: { text: 'Opening the sign-in page in your browser...', openUrl: 'http://127.0.0.1:9440/auth?state=s' } });
        return { ok: true, result: null, taskId: 'task-attached' } as T;
      }
      if (method === 'watch' || method === 'agent.logs') {
        if (method === 'watch') onEvent?.({ agents: [agent] });
        // A chatty agent: its tail, then a burst far past what the TUI keeps.
        if (method === 'agent.logs') for (let i = 1; i <= LOG_BURST; i++) onEvent?.({ log: { time: at, level: 'info', source: 'agent', message: `log line ${i}` } });
        return new Promise<T>(() => undefined);
      }
      return answers[method] as T;
    }) as TuiClient['request'],
    close: () => undefined,
  };
  return { requests, connect: async () => client };
}

let unmount: (() => void) | undefined;

/** Renders nothing; says when the tree is unmounted (the app quitting unmounts it). */
function UnmountProbe({ onUnmount }: { onUnmount: () => void }): null {
  useEffect(() => onUnmount, [onUnmount]);
  return null;
}
afterEach(() => unmount?.());

async function start(options: { saveMs?: number; browser?: { canOpen: boolean; open: (url: string) => Promise<void> }; invokeAnswer?: unknown } = {}) {
  const daemon = fakeDaemon(options.invokeAnswer);
  const stored: Array<[string, string]> = [];
  const secrets = {
    missing: async (names: readonly string[]) => names.filter((name) => !stored.some(([n]) => n === name)),
    set: async (name: string, value: string) => {
      await new Promise((resolve) => setTimeout(resolve, options.saveMs ?? 0));
      stored.push([name, value]);
      return {};
    },
  };
  const exited = { value: false };
  const app = render(
    <>
      <App connect={daemon.connect} secrets={secrets} {...(options.browser ? { browser: options.browser } : {})} />
      <UnmountProbe onUnmount={() => (exited.value = true)} />
    </>,
  );
  unmount = app.unmount;
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  const waitFor = async (check: (text: string) => boolean, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (check(frame())) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`never showed ${what}:\n${frame()}`);
  };
  await waitFor((text) => text.includes('message 1') && text.includes('● connected'), 'the agent and its section');
  const press = async (bytes: string) => {
    app.stdin.write(bytes);
    // One render interval, so the next key sees this one's effect on screen.
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  return { daemon, frame, waitFor, press, stored, exited, allFrames: () => app.frames.join('\n') };
}

describe('App', () => {
  it('selects a task in the tasks pane, cancels that one with c, and opens a finished one in full with Enter', async () => {
    const { daemon, waitFor, press, frame } = await start();
    await press('3'); // focus the main pane
    await press('\t'); // tasks
    await waitFor((text) => text.includes('Tasks · 2 running'), 'the tasks pane');
    // Newest first: authorize_gmail (selected), check_now, sync_all.
    await press('\u001B[B');
    await press('\u001B[B');
    await press('c');
    await waitFor(() => daemon.requests.some((r) => r.method === 'task.cancel'), 'a cancel request');
    expect(daemon.requests.filter((r) => r.method === 'task.cancel').map((r) => r.params)).toEqual([{ id: 'old' }]);
    await press('\u001B[A');
    await press('\r');
    await waitFor((text) => text.includes('"subjects": ['), 'the task details');
    expect(frame()).toContain('command  check_now');
    expect(frame()).toContain('"Invoice 3"');
    await press('\u001B');
    await waitFor((text) => !text.includes('"subjects": [') && text.includes('Tasks · 2 running'), 'the tasks pane again');
  });

  it('scrolls a long section with PgDn once the sidebar has the focus', async () => {
    const { waitFor, press, frame } = await start();
    expect(frame()).not.toContain('lines above');
    await press('2');
    await press('\u001B[6~');
    await waitFor((text) => /… \d+ lines above/.test(text), 'the section scrolled');
    expect(frame()).not.toContain('message 1\n');
  });

  it('reads Esc and a key that arrive together (Alt+key to Ink) as Esc, then the key', async () => {
    const { waitFor, press } = await start();
    await press('/');
    await waitFor((text) => text.includes('check_now'), 'the palette');
    await press('\u001Bx'); // Esc closes the palette; x asks to stop the agent
    await waitFor((text) => text.includes('Stop mail?'), 'the stop confirmation');
    await press('n');
    await press('/');
    await press('chec');
    await waitFor((text) => text.includes('/chec'), 'typed text in the palette');
    await press('\u001B/'); // Esc closes it, / opens it again, empty
    await waitFor((text) => !text.includes('/chec') && text.includes('check_now'), 'a fresh palette');
  });

  it('takes keys that arrive in one chunk one by one: a command typed ahead reaches the palette whole', async () => {
    const { daemon, waitFor, press } = await start();
    await press('3\t'); // focus the main pane and switch to tasks, as a fast typist's two keys
    await waitFor((text) => text.includes('Tasks · 2 running'), 'the tasks pane');
    await press('/c\r'); // opens the palette, filters, Enter before the commands arrived
    await waitFor(() => daemon.requests.some((r) => r.method === 'agent.invoke'), 'the command started');
    expect(daemon.requests.find((r) => r.method === 'agent.invoke')?.params).toEqual({ name: 'mail', command: 'check_now', args: {}, detach: true });
  });

  it('with a browser opener, runs a command attached, says it can open pages and take a pasted address, and opens the page the agent hands back', async () => {
    const opened: string[] = [];
    const { daemon, waitFor, press } = await start({ browser: { canOpen: true, open: async (url) => void opened.push(url) } });
    await press('/c');
    await waitFor((text) => text.includes('check_now'), 'the palette with the command');
    await press('\r');
    await waitFor(() => opened.length > 0, 'the page opened');
    expect(daemon.requests.find((r) => r.method === 'agent.invoke')?.params).toEqual({ name: 'mail', command: 'check_now', args: {}, client: { browser: true, paste: true } });
    expect(opened).toEqual(['http://127.0.0.1:9440/auth?state=s']);
    await waitFor((text) => text.includes('Started check_now'), 'the started notice');
  });

  // The finding: after /check_invoices (a sync command: no task) nothing said it ran or what it returned.
  it.each([
    ['detached', undefined],
    ['attached', { canOpen: true, open: async () => undefined }],
  ])('shows what a command without a task returned, or why it failed (%s)', async (_how, browser) => {
    const done = await start({ invokeAnswer: { ok: true, result: { invoices: 2 } }, ...(browser ? { browser } : {}) });
    await done.press('/c');
    await done.waitFor((text) => text.includes('check_now'), 'the palette with the command');
    await done.press('\r');
    await done.waitFor((text) => text.includes('check_now done: {"invoices":2}'), 'the result');
    expect(done.frame()).not.toContain('its progress is in the tasks pane');
    unmount?.();
    const failed = await start({ invokeAnswer: { ok: false, error: { code: 'AGENT_COMMAND_FAILED', message: 'IMAP login refused' } }, ...(browser ? { browser } : {}) });
    await failed.press('/c');
    await failed.waitFor((text) => text.includes('check_now'), 'the palette with the command');
    await failed.press('\r');
    await failed.waitFor((text) => text.includes('check_now failed: IMAP login refused'), 'the error');
  });

  it('follows a burst of log lines to the newest, keeping a bounded tail to scroll back through', async () => {
    const { waitFor, press, frame } = await start();
    await waitFor((text) => text.includes(`log line ${LOG_BURST}`), 'the newest log line');
    // Far up: the oldest line kept is 2,000 from the end (MAX_LOG_LINES), not the first of the burst.
    for (let i = 0; i < 3; i++) await press('\u001B[5~'.repeat(100));
    await waitFor((text) => new RegExp(`log line ${LOG_BURST - 1_999}\\b`).test(text), 'the oldest kept line');
    expect(frame()).not.toMatch(new RegExp(`log line ${LOG_BURST - 2_000}\\b`));
  });

  it('takes a paste into a secret field whole: the first line is the value, nothing spills into the next field, nothing is drawn', async () => {
    const { waitFor, press, stored, allFrames } = await start();
    await press('e');
    await waitFor((text) => text.includes('mail_client_secret'), 'the secret form');
    await press('pasted-value-1\nspilled-line\r');
    await waitFor(() => stored.length > 0, 'the value stored');
    await press('x');
    expect(stored).toEqual([['mail_client_id', 'pasted-value-1']]);
    for (const secret of ['pasted-value-1', 'spilled-line']) expect(allFrames()).not.toContain(secret);
  });

  it('takes a longer chunk on the main screen for a paste, not for commands: nothing restarts, stops or shows the text', async () => {
    const { daemon, press, frame, allFrames } = await start();
    await press('proxy-ghp_s3cretTokenValue');
    await press('xy'); // x asks to stop; a y in the same chunk is no answer
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(daemon.requests.filter((r) => r.method.startsWith('agent.') && r.method !== 'agent.sections' && r.method !== 'agent.logs')).toEqual([]);
    expect(allFrames()).not.toContain('s3cretTokenValue');
    expect(frame()).toContain('Stop mail?');
  });

  it('quits with Ctrl-C even while a field is open', async () => {
    const { press, waitFor, exited } = await start();
    await press('/');
    await waitFor((text) => text.includes('check_now'), 'the palette');
    expect(exited.value).toBe(false);
    await press('\u0003');
    expect(exited.value).toBe(true);
  });

  it('ignores typing while a secret is being saved, instead of saving it with the value', async () => {
    const { waitFor, press, stored } = await start({ saveMs: 300 });
    await press('e');
    await waitFor((text) => text.includes('mail_client_secret'), 'the secret form');
    await press('first-value');
    await press('\r');
    await press('second-value'); // while the first one is still being saved, and Enter too
    await press('\r');
    await waitFor(() => stored.length === 1, 'the first value stored');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await press('second-value');
    await press('\r');
    await waitFor(() => stored.length === 2, 'the second value stored');
    expect(stored).toEqual([
      ['mail_client_id', 'first-value'],
      ['mail_client_secret', 'second-value'],
    ]);
  });
});

