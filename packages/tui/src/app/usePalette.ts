import type { Key } from 'ink';
import { progressSchema, type InvokeOutcome } from '@opperator/protocol';
import { messageOf, type TuiClient } from '../state/client.js';
import type { CommandRow } from '../state/types.js';
import { filterCommands } from '../views/command-filter.js';
import { toCompactJson } from '../views/task-text.js';
import { parseCommandLine } from './command-line.js';
import type { CommandRun } from './command-runs.js';
import type { PasteFieldRequest } from './usePasteField.js';
import { typeInto } from './text-input.js';
import { useSyncState } from './useSyncState.js';

/** The palette while open. */
export interface PaletteState {
  agent: string;
  commands: readonly CommandRow[];
  input: string;
  selectedIndex: number;
  error?: string;
  /** True until the agent's commands have arrived. */
  loading?: boolean;
  /** Enter was pressed while loading: run once the commands are there. */
  submitted?: boolean;
}

/**
 * Opening pages in the user's browser from the TUI's own environment (given
 * by the CLI, which owns the opener and reads BROWSER), and what else about
 * where the terminal runs a sign-in needs.
 *
 * @example
 * ```ts
 * const browser: BrowserAccess = {
 *   canOpen: false,
 *   open: async () => undefined,
 *   tunnelHint: (redirectUri) => `Or run  ssh -N -L ${new URL(redirectUri).port}:127.0.0.1:${new URL(redirectUri).port} ana@10.0.0.5  and open the page there.`,
 * };
 * ```
 */
export interface BrowserAccess {
  /** Whether a browser can be opened here at all (BROWSER, a display, a platform opener). */
  canOpen: boolean;
  /** Opens `url`; rejects when it could not. */
  open(url: string): Promise<void>;
  /**
   * Over SSH, a sentence with the `ssh -L` command that makes the loopback
   * receiver at `redirectUri` reachable from the user's own computer (so a
   * browser there finishes the sign-in with nothing to paste); `undefined`
   * when the terminal is not over SSH. The command is set apart by two
   * spaces on each side: the paste field draws it on rows of its own.
   */
  tunnelHint?: (redirectUri: string) => string | undefined;
}

/** What {@link usePalette} tells the app, besides drawing the palette. */
export interface PaletteEvents {
  /** A command started (its task is in the tasks pane). */
  onStarted: (command: string) => void;
  /** A command could not start, or failed; the message is for the status line. */
  onError: (message: string) => void;
  /**
   * A command that has no task (a sync command) ran to its end: `outcome` is
   * its result as one line (`done` with no result). Its failure goes to `onError`.
   */
  onDone?: (command: string, outcome: string) => void;
  /** A command that has no task ended, well or not: what the tasks pane shows of it (see `CommandRun`). */
  onRan?: (run: CommandRun) => void;
  /** An attached command's sign-in waits for the address a browser elsewhere ended on (paste-back). */
  onPasteBack?: (request: PasteFieldRequest) => void;
  /** An attached command ended: the sign-ins it asked to paste for (their redirect URIs) no longer wait. */
  onEnded?: (pasteBackRedirectUris: readonly string[]) => void;
}

/** What {@link usePalette} gives the app. */
export interface PaletteControl {
  palette: PaletteState | undefined;
  /** Whether the palette is open now (not as of the last render). */
  isOpen(): boolean;
  /** Opens the palette for `agent`, loading its commands. */
  open(agent: string): void;
  /** Handles a key while open; returns false when closed (the key is not the palette's). */
  handleKey(input: string, key: Key): boolean;
}

/**
 * The slash-command palette: `/` opens it with the agent's commands, typing
 * filters (and gives arguments after the name), ↑↓ select, Tab completes the
 * name, Enter validates the arguments and starts the command (its task shows
 * in the tasks pane with its progress), Esc closes. With `browser`, the
 * command runs attached and says this client can open pages and take a
 * pasted address: a sign-in page the agent hands back opens here, and a
 * sign-in that asks for the address a browser elsewhere ended on goes to
 * `events.onPasteBack`; without it, the command runs detached.
 *
 * @example
 * ```ts
 * const palette = usePalette(client, undefined, { onStarted: (command) => setNotice(`started ${command}`), onError: setNotice });
 * ```
 */
export function usePalette(client: TuiClient | undefined, browser: BrowserAccess | undefined, events: PaletteEvents): PaletteControl {
  const [palette, setPalette, currentPalette] = useSyncState<PaletteState | undefined>(undefined);

  const open = (agent: string) => {
    if (!client) return events.onError('Not connected to the daemon.');
    setPalette({ agent, commands: [], input: '/', selectedIndex: 0, loading: true });
    client.request('agent.commands', { name: agent }).then(
      (commands) => {
        const current = currentPalette();
        if (!current || current.agent !== agent) return;
        const loaded = { ...current, commands, loading: false, submitted: false };
        // A command typed ahead with its Enter ("/check_now⏎" before the list came) runs now.
        if (current.submitted) run(loaded);
        else setPalette(loaded);
      },
      (err: unknown) => setPalette((p) => (p ? { ...p, loading: false, submitted: false, error: messageOf(err) } : p)),
    );
  };

  const run = (state: PaletteState) => {
    if (state.loading) return setPalette({ ...state, submitted: true });
    const matches = filterCommands(state.commands, state.input);
    const command = matches[Math.min(state.selectedIndex, matches.length - 1)];
    if (!command) return setPalette({ ...state, error: 'No command matches; Esc closes.' });
    // Arguments only count when the typed name is the chosen command's.
    const typedName = state.input.trim().replace(/^\//, '').split(/\s+/)[0] ?? '';
    const line = typedName === command.name ? state.input : `/${command.name}`;
    const parsed = parseCommandLine(line, command);
    if (!parsed.ok) return setPalette({ ...state, error: parsed.error });
    if (!client) return setPalette({ ...state, error: 'Not connected to the daemon.' });
    setPalette(undefined);
    const startedAt = Date.now();
    const reportWithoutTask = (outcome: InvokeOutcome) => {
      if ('detached' in outcome) return;
      events.onRan?.({ agent: state.agent, command: parsed.command, args: parsed.args, startedAt, endedAt: Date.now(), outcome });
      if (!outcome.ok) return events.onError(`${parsed.command} failed: ${outcome.error.message}`);
      events.onDone?.(parsed.command, outcome.result === undefined || outcome.result === null ? 'done' : `done: ${toCompactJson(outcome.result)}`);
    };
    if (!browser) {
      client.request('agent.invoke', { name: state.agent, command: parsed.command, args: parsed.args, detach: true }).then(
        (outcome) => (hasTask(outcome) ? events.onStarted(parsed.command) : reportWithoutTask(outcome)),
        (err: unknown) => events.onError(`${parsed.command}: ${messageOf(err)}`),
      );
      return;
    }
    // Attached: the request lasts as long as the command; the task event says it started.
    let started = false;
    let taskId: string | undefined;
    const pasteBacks: string[] = [];
    const start = () => {
      if (!started) events.onStarted(parsed.command);
      started = true;
    };
    const ended = () => events.onEnded?.(pasteBacks);
    const params = { name: state.agent, command: parsed.command, args: parsed.args, client: { browser: browser.canOpen, paste: true } };
    client
      .request('agent.invoke', params, { onEvent: (event) => {
        if ('task' in event) {
          taskId = event.task.id;
          start();
        }
        const progress = 'progress' in event ? event.progress : undefined;
        if (typeof progress?.openUrl === 'string') {
          browser.open(progress.openUrl).catch((err: unknown) => events.onError(`Could not open a browser (${messageOf(err)}); the sign-in URL is in the task's details (Enter).`));
        }
        // Checked as the wire defines it: a client delivers pasted addresses only to a loopback receiver.
        const pasteBack = progressSchema.shape.pasteBack.safeParse(progress?.pasteBack);
        if (pasteBack.success && pasteBack.data) {
          pasteBacks.push(pasteBack.data.redirectUri);
          events.onPasteBack?.({ ...pasteBack.data, label: `${state.agent} ${parsed.command}`, ...(taskId ? { taskId } : {}) });
        }
      } })
      .then(
        (outcome) => {
          // A command with a task shows its end in the tasks pane; one without (sync) only here.
          if (started || hasTask(outcome)) start();
          else reportWithoutTask(outcome);
          ended();
        },
        (err: unknown) => {
          ended();
          events.onError(`${parsed.command}: ${messageOf(err)}`);
        },
      );
  };

  const handleKey = (input: string, key: Key): boolean => {
    const palette = currentPalette();
    if (!palette) return false;
    const matches = filterCommands(palette.commands, palette.input);
    if (key.escape) setPalette(undefined);
    else if (key.return) run(palette);
    else if (key.upArrow) setPalette({ ...palette, selectedIndex: Math.max(0, palette.selectedIndex - 1) });
    else if (key.downArrow) setPalette({ ...palette, selectedIndex: Math.min(Math.max(0, matches.length - 1), palette.selectedIndex + 1) });
    else if (key.tab) {
      const chosen = matches[palette.selectedIndex];
      if (chosen) setPalette({ ...palette, input: `/${chosen.name} `, error: undefined });
    } else {
      const { text, submit } = typeInto(palette.input, input, key);
      const next = { ...palette, input: text, selectedIndex: 0, error: undefined };
      if (submit) run(next);
      else setPalette(next);
    }
    return true;
  };

  return { palette, isOpen: () => currentPalette() !== undefined, open, handleKey };
}

/** Whether an `agent.invoke` answer names a task (detached, or an async command's): its end then shows in the tasks pane. */
function hasTask(outcome: InvokeOutcome): boolean {
  return 'detached' in outcome || outcome.taskId !== undefined;
}
