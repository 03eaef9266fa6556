import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { AppLayout, screenSizes, type AppLayoutProps } from '../../src/views/AppLayout.js';
import { TaskDetail } from '../../src/views/TaskDetail.js';
import { TasksPane } from '../../src/views/TasksPane.js';
import { parseDeviceCode, signInPrompt, signInUrl, taskSignInPrompt } from '../../src/views/sign-in-prompt.js';
import { MIN_BODY_ROWS_UNDER_STRIP, signInStripLines, type PasteFieldView } from '../../src/views/sign-in-strip.js';
import { taskDetailLines } from '../../src/views/task-detail.js';
import { truncateMiddle, wrapWords } from '../../src/views/text-fit.js';
import type { TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf } from './render-frame.js';

afterAll(restoreEnv);

// What the SDK reports (packages/sdk/src/use-oauth-authorize.ts), word for word.
const redirectUri = 'http://127.0.0.1:43817/callback';
const signInPage =
  'https://accounts.google.com/o/oauth2/v2/auth?client_id=123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com' +
  '&scope=openid%20email%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.readonly&response_type=code' +
  `&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'c'.repeat(43)}&code_challenge_method=S256&state=${'s'.repeat(43)}` +
  '&access_type=offline&prompt=consent&login_hint=ana%40example.com';
const noBrowser = 'No browser can be opened where you ran the command (no BROWSER, no display)';
const pasteText = `${noBrowser}, and Google's device flow does not allow https://www.googleapis.com/auth/gmail.readonly: open the sign-in page in a browser on any machine, then paste the address it ends on. Open ${signInPage} in a browser on any machine and sign in. The browser then ends on an address starting with ${redirectUri} that does not load: copy that whole address and paste it here. Waiting for the address...`;
const deviceUrl = 'https://github.com/login/device';
const deviceText = `${noBrowser}; sign in with a code instead. Open ${deviceUrl} and enter the code WDJB-MJHT (valid until 12:34:56). Waiting for you to finish...`;

const task = (id: string, createdAt: number, progress: TaskRow['progress'], extra: Partial<TaskRow> = {}): TaskRow => ({
  id,
  agent: 'invoice-monitor',
  command: 'authorize_gmail',
  progressLabel: 'Authorizing Gmail',
  state: 'running',
  progress,
  createdAt,
  updatedAt: createdAt,
  ...extra,
});
// What the CLI's tunnelHint (packages/cli/src/paste-prompt.ts) says over SSH, word for word.
const sshCommand = 'ssh -N -L 43817:127.0.0.1:43817 -p 2222 ana@198.51.100.4';
const tunnel = `Or finish without pasting: on your own computer run  ${sshCommand}  and open the page there, while this sign-in waits.`;
const pasteTask = task('paste', 2, { text: pasteText, progress: 0.3, pasteBack: { url: signInPage, redirectUri } });
const deviceTask = task('device', 3, { text: deviceText, progress: 0.3 });

describe('the sign-in a task asks for', () => {
  it('reads the device code, its page and its expiry from the progress text', () => {
    expect(parseDeviceCode(deviceText)).toEqual({ url: deviceUrl, userCode: 'WDJB-MJHT', validUntil: '12:34:56' });
    // A complete verification URI carries the code itself; a locale may add AM/PM.
    expect(parseDeviceCode('Open https://x.test/device?user_code=ABCD-EFGH. and enter the code ABCD-EFGH (valid until 1:02:03 PM).')).toEqual({
      url: 'https://x.test/device?user_code=ABCD-EFGH',
      userCode: 'ABCD-EFGH',
      validUntil: '1:02:03 PM',
    });
    expect(parseDeviceCode('Open https://x.test/device and enter the code ABCD')).toEqual({ url: 'https://x.test/device', userCode: 'ABCD' });
    expect(parseDeviceCode('Opening the sign-in page in your browser...')).toBeUndefined();
    expect(parseDeviceCode(undefined)).toBeUndefined();
  });

  it('takes the paste-back page, not the scope URL the explanation names first', () => {
    expect(taskSignInPrompt(pasteTask)).toEqual({ kind: 'paste', url: signInPage, redirectUri, taskId: 'paste' });
    expect(taskSignInPrompt(deviceTask)).toMatchObject({ kind: 'device', userCode: 'WDJB-MJHT', url: deviceUrl });
    expect(taskSignInPrompt(task('o', 1, { text: 'Opening...', openUrl: 'http://127.0.0.1:9/auth' }))).toEqual({ kind: 'open', url: 'http://127.0.0.1:9/auth', taskId: 'o' });
    expect(taskSignInPrompt({ ...pasteTask, state: 'succeeded' })).toBeUndefined();
  });

  it('puts the newest running sign-in in front, or the newest of a kind', () => {
    expect(signInUrl([pasteTask, deviceTask])).toBe(deviceUrl);
    expect(signInPrompt([pasteTask, deviceTask], 'paste')?.taskId).toBe('paste');
    expect(signInPrompt([deviceTask], 'paste')).toBeUndefined();
  });
});

describe('wrapWords and truncateMiddle', () => {
  it('wraps prose between words and breaks only a word longer than a row', () => {
    expect(wrapWords('Paste the address here', 10)).toEqual(['Paste the', 'address', 'here']);
    expect(wrapWords('see abcdefghijkl now', 5)).toEqual(['see', 'abcde', 'fghij', 'kl', 'now']);
    expect(wrapWords('', 5)).toEqual(['']);
  });

  it('keeps the beginning and the end of what does not fit', () => {
    expect(truncateMiddle('http://127.0.0.1:8765/callback?code=abc&state=xyz', 24)).toBe('http://127.0…c&state=xyz');
    expect(truncateMiddle('short', 24)).toBe('short');
    for (const width of [1, 2, 7, 30]) expect([...truncateMiddle('x'.repeat(100), width)]).toHaveLength(width);
  });
});

const field = (extra: Partial<PasteFieldView> = {}): PasteFieldView => ({ url: signInPage, redirectUri, label: 'invoice-monitor authorize_gmail', text: '', ...extra });

const layout = (width: number, height: number, extra: Partial<AppLayoutProps> = {}): AppLayoutProps => ({
  width,
  height,
  connection: 'connected',
  agents: [{ name: 'invoice-monitor', description: 'Watches Gmail', state: 'running', pid: 42, restarts: 0 }],
  selectedAgent: 'invoice-monitor',
  sections: [],
  tasks: [pasteTask],
  selectedTaskId: 'paste',
  spinnerFrame: '⠋',
  logs: [],
  logView: { follow: true },
  mainPane: 'tasks',
  focus: 'main',
  ...extra,
});

/** The layout's rows at exactly its size, checked to fit. */
function rowsOf(props: AppLayoutProps): string[] {
  const lines = linesOf(frameOf(<AppLayout {...props} />, { columns: props.width, rows: props.height }));
  if (process.env.SHOW_FRAMES) console.log(lines.join('\n'));
  expect(lines).toHaveLength(props.height);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(props.width);
  return lines;
}

/** The rows from the first that starts a URL, joined while each fills the width: the URL as a terminal selection of them gives it. */
function urlFrom(lines: string[], start: string, width: number): string {
  let index = lines.findIndex((line) => line.startsWith(start));
  let url = '';
  while (index >= 0 && index < lines.length) {
    url += lines[index]!;
    if ([...lines[index]!].length < width) break;
    index++;
  }
  return url;
}

describe('the paste field and the sign-in strip, full width above the status line', () => {
  for (const [width, height] of [
    [100, 30],
    [120, 35],
    [80, 24],
  ] as const) {
    it(`at ${width}×${height}: the page whole at column 0, what to paste, the pasted text, the reason it was refused, the keys`, () => {
      const pasted = `${redirectUri}?code=${'k'.repeat(500)}&state=forged`;
      const lines = rowsOf(layout(width, height, { pasteField: field({ text: pasted, status: { kind: 'refused', text: 'Sign-in link not recognised: it may be stale.' } }) }));
      expect(urlFrom(lines, 'https://accounts.google.com/', width)).toBe(signInPage);
      // Prose wraps between words: read it as one text.
      const text = lines.map((line) => line.trim()).join(' ');
      expect(text).toContain('Sign in (invoice-monitor authorize_gmail): open this page in a browser on any machine');
      expect(text).toContain(`starting with ${redirectUri} that does not load`);
      // The input row: the beginning (where it goes) and the end (that it arrived whole) of the pasted text.
      const input = lines.find((line) => line.startsWith('› http'))!;
      expect(input.startsWith(`› ${redirectUri}?code=k`)).toBe(true);
      expect(input).toContain('k&state=forged');
      expect(text).toContain('✗ Sign-in link not recognised: it may be stale.');
      expect(text).toContain(`${pasted.length} characters · Enter delivers · Esc hides this`);
      expect(lines[height - 1]?.startsWith('● connected')).toBe(true);
    });

    it(`at ${width}×${height}: over SSH, the ssh -L command on a row of its own, whole, with the page whole and the strip within its rows`, () => {
      const pasted = `${redirectUri}?code=${'k'.repeat(500)}&state=forged`;
      const props = layout(width, height, { pasteField: field({ text: pasted, status: { kind: 'refused', text: 'Sign-in link not recognised: it may be stale.' }, tunnel }) });
      const lines = rowsOf(props);
      // Copied as it is: the command alone on its row, from column 0.
      expect(lines).toContain(sshCommand);
      const text = lines.map((line) => line.trim()).join(' ');
      expect(text).toContain(`Or finish without pasting: on your own computer run ${sshCommand} and open the page there, while this sign-in waits.`);
      // Nothing else gave way: the page whole, the pasted text, the refusal, the keys.
      expect(urlFrom(lines, 'https://accounts.google.com/', width)).toBe(signInPage);
      expect(lines.some((line) => line.startsWith(`› ${redirectUri}?code=k`))).toBe(true);
      expect(text).toContain('✗ Sign-in link not recognised: it may be stale.');
      expect(text).toContain('Enter delivers · Esc hides this');
      expect(screenSizes(width, height, 1, props.tasks, { pasteField: props.pasteField }).strip.length).toBeLessThanOrEqual(height - 1 - MIN_BODY_ROWS_UNDER_STRIP);
      expect(lines[height - 1]?.startsWith('● connected')).toBe(true);
    });

    it(`at ${width}×${height}: no ssh line when the terminal is not over SSH`, () => {
      const lines = rowsOf(layout(width, height, { pasteField: field() }));
      expect(lines.join('\n')).not.toContain('ssh -N');
      expect(lines.join('\n')).not.toContain('Or finish without pasting');
    });

    it(`at ${width}×${height}: a device code and its page, whichever pane is shown`, () => {
      for (const mainPane of ['tasks', 'logs'] as const) {
        const lines = rowsOf(layout(width, height, { tasks: [deviceTask], selectedTaskId: 'device', mainPane }));
        expect(lines[height - 3]).toBe('Sign in: enter the code WDJB-MJHT at this page (valid until 12:34:56):');
        expect(lines[height - 2]).toBe(deviceUrl);
        // The task's own line has the code in its label, which is never cut before its text.
        if (mainPane === 'tasks' && width >= 100) expect(lines.find((line) => line.includes('Authorizing Gmail'))).toContain('Authorizing Gmail · code WDJB-MJHT');
      }
    });
  }

  it('a sign-in waiting for a paste, with its field hidden, says p brings the field back', () => {
    const lines = rowsOf(layout(100, 30));
    expect(lines.join('\n')).toContain('then press p and paste the address it ends on:');
    expect(urlFrom(lines, 'https://accounts.google.com/', 100)).toBe(signInPage);
  });

  it('a command longer than a row is hard-wrapped at column 0, its rows joining back whole', () => {
    // (A row ending in a space would lose it to a terminal's selection, as any wrapped row would: here the breaks fall inside words.)
    const long = `ssh -N -L 43817:127.0.0.1:43817 anastasia@${'host-'.repeat(12)}example.com`;
    const lines = rowsOf(layout(40, 60, { pasteField: field({ tunnel: `Or finish without pasting: on your own computer run  ${long}  and open the page there.` }) }));
    expect(urlFrom(lines, 'ssh -N', 40)).toBe(long);
  });

  it('when rows run short the ssh hint goes whole, after the keys and before the titles, never a piece of the command', () => {
    const strip = (maxRows: number) => signInStripLines({ field: field({ tunnel }) }, 80, maxRows).map((line) => line.text);
    const full = strip(100);
    expect(full).toContain(sshCommand);
    for (let maxRows = 0; maxRows <= full.length; maxRows++) {
      const rows = strip(maxRows);
      const hint = rows.filter((row) => row.includes('ssh') || row.includes('Or finish') || row.includes('open the page there'));
      // All of it or none of it.
      expect(hint.length === 0 || hint.length === 3, rows.join('\n')).toBe(true);
      if (hint.length === 3) expect(rows).toContain(sshCommand);
      // While the hint is shown, so is the title; the keys go first.
      if (hint.length === 3) expect(rows[0]?.startsWith('Sign in (invoice-monitor')).toBe(true);
      if (hint.length === 3 && maxRows < full.length) expect(rows.join(' ')).not.toContain('Enter delivers');
    }
  });

  it('once its address was accepted, a sign-in still running asks nothing: no press p in the strip, the task’s line or its details', () => {
    const settledPasteBacks = new Set([redirectUri]);
    const before = rowsOf(layout(100, 30)).join('\n');
    expect(before).toContain('press p');
    for (const mainPane of ['tasks', 'logs'] as const) {
      const lines = rowsOf(layout(100, 30, { settledPasteBacks, mainPane }));
      expect(lines.join('\n')).not.toContain('press p');
      // Not the scope URL its text names first, either: no strip at all.
      expect(lines.some((line) => line.startsWith('https://'))).toBe(false);
      expect(lines[29]?.startsWith('● connected')).toBe(true);
    }
    expect(taskSignInPrompt(pasteTask, { settledPasteBacks })).toBeUndefined();
    expect(signInPrompt([pasteTask], 'paste', { settledPasteBacks })).toBeUndefined();
    expect(taskDetailLines(pasteTask, 70, { settledPasteBacks }).map((line) => line.text).join(' ')).not.toContain('press p');
    // Another sign-in, at another receiver, still asks.
    expect(signInPrompt([pasteTask], 'paste', { settledPasteBacks: new Set(['http://127.0.0.1:1/callback']) })?.taskId).toBe('paste');
  });

  it('says the address is on its way while the receiver answers', () => {
    expect(rowsOf(layout(100, 30, { pasteField: field({ text: 'x', status: { kind: 'delivering', text: 'Delivering the address...' } }) })).join('\n')).toContain('Delivering the address...');
  });

  it('on a small screen keeps the input row and drops the hints first; the panes keep three rows', () => {
    for (const height of [6, 8, 12]) {
      const strip = signInStripLines({ field: field({ status: { kind: 'refused', text: 'no' } }) }, 40, height - 4);
      expect(strip.length).toBeLessThanOrEqual(Math.max(0, height - 4));
      if (height > 4) expect(strip.some((line) => line.style === 'input')).toBe(true);
      expect(strip.some((line) => line.style === 'dim' && line.text.includes('Enter delivers'))).toBe(false);
      rowsOf(layout(40, height, { pasteField: field() }));
    }
  });
});

describe('a sign-in in the task pane and the task details', () => {
  it('the tasks pane on its own shows the code in the task’s label and the page whole under the task', () => {
    const lines = linesOf(frameOf(<TasksPane tasks={[deviceTask]} width={60} height={6} spinnerFrame="⠋" />, { columns: 60 }));
    expect(lines[1]).toContain('Authorizing Gmail · code WDJB-MJHT');
    expect(lines[2]).toBe(deviceUrl);
  });

  it('the details spell out the code, or what to paste where, and the page in full', () => {
    const device = linesOf(frameOf(<TaskDetail task={deviceTask} width={70} height={30} scrollTop={0} />, { columns: 70 })).join('\n');
    expect(device).toContain('code     WDJB-MJHT (valid until 12:34:56)');
    expect(device).toContain(`│ ${deviceUrl}`);
    const paste = linesOf(frameOf(<TaskDetail task={pasteTask} width={70} height={40} scrollTop={0} />, { columns: 70, rows: 40 }));
    const rows = paste.map((line) => line.replace(/^│ ?/, '').replace(/ *│$/, ''));
    expect(rows.join(' ')).toContain(`then press p and paste the address it ends on (it starts with ${redirectUri}).`);
    // Its page, in rows of its own, joins back whole.
    const start = rows.lastIndexOf('page') + 1;
    expect(rows.slice(start).join('').startsWith(signInPage)).toBe(true);
  });
});
