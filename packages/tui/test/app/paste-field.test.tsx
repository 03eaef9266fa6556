// Paste-back in the whole App (ink-testing-library), against an in-memory
// daemon at the TuiClient seam and a stand-in for the delivery to the
// agent's loopback receiver (the real one, with a real sign-in, is
// packages/cli/test/tui-paste-back.e2e.test.ts). Keys and pastes go in as
// the bytes a terminal sends, without bracketed paste.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { PasteOutcome } from '@opperator/oauth/paste-back';
import { App } from '../../src/app/App.js';
import type { BrowserAccess } from '../../src/app/usePalette.js';
import type { TuiClient } from '../../src/state/client.js';
import type { AgentRow, TaskRow } from '../../src/state/types.js';
import { stripAnsi } from '../ansi.js';

const agent: AgentRow = { name: 'mail', description: 'Watches mail', state: 'running', pid: 7, restarts: 0 };
const redirectUri = 'http://127.0.0.1:43817/callback';
const signInPage = `https://accounts.example.test/auth?client_id=app&redirect_uri=${encodeURIComponent(redirectUri)}&state=${'s'.repeat(43)}`;
const pasteBack = { url: signInPage, redirectUri };
const at = Date.UTC(2026, 0, 1, 12);
const signInTask = (state: TaskRow['state']): TaskRow => ({
  id: 'sign-in',
  agent: 'mail',
  command: 'authorize_gmail',
  progressLabel: 'Authorizing Gmail',
  state,
  progress: { text: `Open ${signInPage} in a browser on any machine and sign in. Waiting for the address...`, progress: 0.3, pasteBack },
  createdAt: at,
  updatedAt: at,
});

/** An in-memory daemon whose attached `authorize_gmail` waits for a paste until the test ends it. */
function fakeDaemon() {
  const invocations: Array<Record<string, unknown> | undefined> = [];
  let pushWatch: (event: Record<string, unknown>) => void = () => undefined;
  let endInvoke: () => void = () => undefined;
  const client: TuiClient = {
    // The typed request's shape (method, params, { onEvent }), answered loosely: each answer is what the method's schema describes.
    request: (async <T,>(method: string, params?: Record<string, unknown>, options?: { onEvent?: (event: never) => void }): Promise<T> => {
      const onEvent = options?.onEvent as ((event: Record<string, unknown>) => void) | undefined;
      if (method === 'watch') {
        pushWatch = (event) => onEvent?.(event);
        onEvent?.({ agents: [agent] });
        return new Promise<T>(() => undefined);
      }
      if (method === 'agent.logs') return new Promise<T>(() => undefined);
      if (method === 'agent.commands') return [{ name: 'authorize_gmail', async: true }] as T;
      if (method === 'agent.invoke') {
        invocations.push(params);
        onEvent?.({ task: { id: 'sign-in', progressLabel: 'Authorizing Gmail' } });
        onEvent?.({ progress: { text: 'Waiting for the address...', progress: 0.3, pasteBack } });
        pushWatch({ task: signInTask('running') });
        return new Promise<T>((resolve) => (endInvoke = () => resolve({ ok: true, result: { account: 'ana@example.com' }, taskId: 'sign-in' } as T)));
      }
      return [] as T;
    }) as TuiClient['request'],
    close: () => undefined,
  };
  return {
    invocations,
    connect: async () => client,
    /** The sign-in ends: its task record, then the end of the invoke request. */
    finish: () => {
      pushWatch({ task: { ...signInTask('succeeded'), updatedAt: at + 1 } });
      endInvoke();
    },
  };
}

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

async function start(outcomes: PasteOutcome[], browser: BrowserAccess = { canOpen: false, open: async () => undefined }) {
  const daemon = fakeDaemon();
  const delivered: Array<[string, string]> = [];
  const deliver = async (pasted: string, uri: string) => {
    delivered.push([pasted, uri]);
    return outcomes.shift() ?? { accepted: false, message: 'no outcome left', retry: false };
  };
  const quit = { value: false };
  const app = render(<App connect={daemon.connect} browser={browser} deliverPastedAddress={deliver} />);
  unmount = app.unmount;
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  const waitFor = async (check: (text: string) => boolean, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (check(frame())) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`never showed ${what}:\n${frame()}`);
  };
  await waitFor((text) => text.includes('● connected') && text.includes('› mail'), 'the agent');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const press = async (bytes: string) => {
    app.stdin.write(bytes);
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const runSignIn = async () => {
    await press('/');
    await waitFor((text) => text.includes('authorize_gmail'), 'the palette');
    await press('authorize_gmail');
    await press('\r');
    await waitFor((text) => text.includes('Paste that whole address here'), 'the paste field');
  };
  return { daemon, delivered, frame, waitFor, press, runSignIn, quit };
}

const refused: PasteOutcome = { accepted: false, message: 'Sign-in link not recognised: it may be stale.', retry: true };

describe('the paste field', () => {
  it('opens when an attached sign-in asks for the address; a 600-character paste lands whole; a refusal keeps it open with the reason; acceptance closes it', async () => {
    const { daemon, delivered, frame, waitFor, press, runSignIn } = await start([refused, { accepted: true, message: 'Signed in.' }]);
    await runSignIn();
    // The TUI said it can take a pasted address; it cannot open a browser here.
    expect(daemon.invocations).toEqual([{ name: 'mail', command: 'authorize_gmail', args: {}, client: { browser: false, paste: true } }]);
    expect(frame()).toContain(signInPage.slice(0, 60));
    // Keys typed here go to the field (q too): the status line says how to close it and how to quit.
    const statusLine = () => frame().trimEnd().split('\n').at(-1) ?? '';
    expect(statusLine()).toMatch(/esc close {2}ctrl\+c quit$/);
    expect(statusLine()).not.toContain('q quit');
    // No tunnelHint given (not over SSH): no ssh line.
    expect(frame()).not.toContain('ssh -N');

    // One burst of 600 characters, as a terminal without bracketed paste sends it, then Enter.
    const long = `${redirectUri}?code=${'c'.repeat(600 - redirectUri.length - 20)}&state=${'f'.repeat(7)}`;
    expect(long).toHaveLength(600);
    await press(long);
    await waitFor((text) => text.includes('600 characters'), 'the pasted text counted');
    expect(frame()).toContain('fffffff');
    await press('\r');
    await waitFor((text) => text.includes('✗ Sign-in link not recognised'), 'the refusal');
    expect(delivered).toEqual([[long, redirectUri]]);
    // Still open, emptied for the next paste.
    expect(frame()).toContain('Paste that whole address here');
    expect(frame()).not.toContain('600 characters');

    // A paste in pieces, the last two characters alone (as keys they would quit: q), and its Enter with it.
    const address = `${redirectUri}?code=real-code&state=${'s'.repeat(43)}&iss=https%3A%2F%2Faccounts.example.test&xq`;
    await press(`${address.slice(0, 30)}`);
    await press(address.slice(30, -2));
    await press(`${address.slice(-2)}\r`);
    await waitFor((text) => text.includes('✓ Address accepted.'), 'the acceptance');
    expect(delivered[1]).toEqual([address, redirectUri]);
    expect(frame()).not.toContain('Paste that whole address here');
    expect(frame()).toContain('● connected');
    expect(statusLine()).toContain('? help  q quit');
    // The sign-in still runs (its progress keeps pasteBack until it ends), but it waits for no address: nothing offers p.
    expect(frame()).toContain('Authorizing Gmail');
    expect(frame()).not.toContain('press p');
    expect(frame()).not.toContain(signInPage.slice(0, 60));
    await press('p');
    await waitFor((text) => text.includes('No sign-in waits for an address.'), 'nothing to paste for');
    expect(frame()).not.toContain('Paste that whole address here');
  });

  it('over SSH, shows the ssh -L command the CLI gives for the waiting receiver, on a row of its own; none when it gives none', async () => {
    const sshCommand = 'ssh -N -L 43817:127.0.0.1:43817 -p 2222 ana@198.51.100.4';
    const asked: string[] = [];
    const tunnelHint = (uri: string) => {
      asked.push(uri);
      return `Or finish without pasting: on your own computer run  ${sshCommand}  and open the page there, while this sign-in waits.`;
    };
    const overSsh = await start([], { canOpen: false, open: async () => undefined, tunnelHint });
    await overSsh.runSignIn();
    expect(asked).toEqual([redirectUri]);
    const lines = overSsh.frame().split('\n');
    expect(lines).toContain(sshCommand);
    expect(overSsh.frame()).toContain('Or finish without pasting: on your own computer run');
    expect(overSsh.frame()).toContain(signInPage.slice(0, 60));
    // Esc hides the field, and the hint with it; p brings both back.
    await overSsh.press('\u001B');
    await overSsh.waitFor((text) => !text.includes(sshCommand), 'the hint hidden with the field');
    await overSsh.press('p');
    await overSsh.waitFor((text) => text.split('\n').includes(sshCommand), 'the hint again');
    unmount?.();

    const local = await start([], { canOpen: false, open: async () => undefined, tunnelHint: () => undefined });
    await local.runSignIn();
    expect(local.frame()).not.toContain('ssh -N');
    expect(local.frame()).not.toContain('Or finish without pasting');
  });

  it('Esc hides it while the sign-in keeps waiting, p brings it back, and it closes when the task ends', async () => {
    const { daemon, delivered, frame, waitFor, press, runSignIn } = await start([]);
    await runSignIn();
    await press('\u001B');
    await waitFor((text) => !text.includes('Paste that whole address here'), 'the field hidden');
    // The strip still shows the page, and how to paste.
    expect(frame()).toContain('then press p and paste the address it ends on');
    // Keys are the screen's again: 3 focuses the tasks pane, Enter opens the sign-in task's details, with the page.
    await press('3');
    await press('\r');
    await waitFor((text) => text.includes('command  authorize_gmail') && text.includes('then press p and paste'), 'the task details');
    await press('\u001B');
    await press('p');
    await waitFor((text) => text.includes('Paste that whole address here'), 'the field again');
    await press('half-typed');
    daemon.finish();
    await waitFor((text) => !text.includes('Paste that whole address here'), 'the field closed with its task');
    expect(delivered).toEqual([]);
    await press('p');
    await waitFor((text) => text.includes('No sign-in waits for an address.'), 'nothing to paste for');
  });

  it('a refusal the sign-in does not survive closes the field and says why', async () => {
    const { waitFor, press, runSignIn, frame } = await start([{ accepted: false, message: 'The sign-in is no longer waiting for an address (it finished, was cancelled or timed out: ECONNREFUSED).', retry: false }]);
    await runSignIn();
    await press(`${redirectUri}?code=x&state=y\r`);
    await waitFor((text) => text.includes('✗ The sign-in is no longer waiting'), 'the final refusal');
    expect(frame()).not.toContain('Paste that whole address here');
    // That sign-in is over: p does not bring its field back.
    await press('p');
    await waitFor((text) => text.includes('No sign-in waits for an address.'), 'nothing to paste for');
  });
});
