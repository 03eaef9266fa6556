import type { UiState } from './ui-state.js';

/** The subset of Ink's `Key` the keymap reads. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  tab?: boolean;
  escape?: boolean;
  return?: boolean;
  ctrl?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
}

/** What a key asks for; `none` for keys without a meaning here. */
export type KeyIntent =
  | 'quit'
  | 'help'
  | 'close'
  | 'up'
  | 'down'
  | 'focus-left'
  | 'focus-right'
  | 'focus-agents'
  | 'focus-sections'
  | 'focus-main'
  | 'open-task'
  | 'switch-pane'
  | 'previous-section'
  | 'next-section'
  | 'toggle-section'
  | 'start'
  | 'ask-stop'
  | 'confirm-stop'
  | 'restart'
  | 'cycle-log-level'
  | 'toggle-follow'
  | 'palette'
  | 'search-logs'
  | 'page-up'
  | 'page-down'
  | 'secrets'
  | 'cancel-task'
  | 'paste-address'
  | 'none';

/** Every binding, for the help overlay and the status line (in that order of importance). */
export const KEY_BINDINGS: ReadonlyArray<{ key: string; label: string }> = [
  { key: '↑↓', label: 'move' },
  { key: '←→', label: 'focus' },
  { key: 'tab', label: 'logs/tasks' },
  { key: '/', label: 'commands' },
  { key: 'e', label: 'enter secrets' },
  { key: 'c', label: 'cancel task' },
  { key: 'enter', label: 'task details' },
  { key: 's', label: 'start' },
  { key: 'x', label: 'stop' },
  { key: 'r', label: 'restart' },
  { key: '[ ]', label: 'section' },
  { key: 'space', label: 'collapse' },
  { key: 'l', label: 'log level' },
  { key: 'f', label: 'follow' },
  { key: 'g', label: 'search logs' },
  { key: 'PgUp/PgDn', label: 'scroll' },
  { key: '1 2 3', label: 'agents/sections/main' },
  { key: 'p', label: 'paste sign-in address' },
  { key: '?', label: 'help' },
  { key: 'q', label: 'quit' },
];

/**
 * The bindings the status line offers, most important first and in short
 * words: help and quit lead so they are never the ones dropped (the line keeps
 * the leading hints that fit); then the agent's actions; moving about last
 * (the help overlay lists everything, {@link KEY_BINDINGS}).
 *
 * @example
 * ```ts
 * STATUS_HINTS[0]; // { key: '?', label: 'help' }
 * ```
 */
export const STATUS_HINTS: ReadonlyArray<{ key: string; label: string }> = [
  { key: '?', label: 'help' },
  { key: 'q', label: 'quit' },
  { key: '/', label: 'commands' },
  { key: 's', label: 'start' },
  { key: 'x', label: 'stop' },
  { key: 'r', label: 'restart' },
  { key: 'tab', label: 'logs/tasks' },
  { key: 'enter', label: 'details' },
  { key: 'e', label: 'secrets' },
  { key: 'c', label: 'cancel' },
  { key: '↑↓', label: 'move' },
  { key: '←→', label: 'focus' },
];

/**
 * The bindings the status line offers while an overlay or a text field has
 * the keys (the palette, the secret form, the paste field, a log search, a
 * task's details, help, a stop confirmation): there `q` and `?` are typed or
 * close, so leaving is Ctrl+C, and Esc closes what is open (then
 * {@link STATUS_HINTS} come back).
 *
 * @example
 * ```ts
 * OVERLAY_HINTS[1]; // { key: 'ctrl+c', label: 'quit' }
 * ```
 */
export const OVERLAY_HINTS: ReadonlyArray<{ key: string; label: string }> = [
  { key: 'esc', label: 'close' },
  { key: 'ctrl+c', label: 'quit' },
];

/**
 * Maps a key press to an intent, given what is open: an overlay takes the
 * keys first (a stop confirmation only knows y/n/Esc; a task's details
 * scroll and close). ↑↓ and PgUp/PgDn mean "move" and "page" here; what
 * they move depends on the focus, which the caller applies. Enter opens the
 * selected task's details when the tasks pane has the focus, and toggles the
 * focused section otherwise.
 *
 * @example
 * ```ts
 * keyIntent('x', {}, ui); // 'ask-stop'
 * ```
 */
export function keyIntent(input: string, key: KeyPress, ui: Pick<UiState, 'overlay' | 'focus' | 'mainPane'>): KeyIntent {
  if (key.ctrl && input === 'c') return 'quit';
  if (ui.overlay.kind === 'confirm-stop') {
    if (input === 'y' || input === 'Y') return 'confirm-stop';
    return input === 'n' || input === 'N' || key.escape ? 'close' : 'none';
  }
  if (ui.overlay.kind === 'help') return 'close';
  const move = moveIntent(input, key);
  if (ui.overlay.kind === 'task') return move ?? (key.escape || key.return || input === 'q' ? 'close' : 'none');
  if (move) return move;
  if (key.leftArrow) return 'focus-left';
  if (key.rightArrow) return 'focus-right';
  if (key.tab) return 'switch-pane';
  if (key.return) return ui.focus === 'main' && ui.mainPane === 'tasks' ? 'open-task' : 'toggle-section';
  if (input === ' ') return 'toggle-section';
  switch (input) {
    case '1':
      return 'focus-agents';
    case '2':
      return 'focus-sections';
    case '3':
      return 'focus-main';
    case 'q':
      return 'quit';
    case '?':
      return 'help';
    case '[':
      return 'previous-section';
    case ']':
      return 'next-section';
    case 's':
      return 'start';
    case 'x':
      return 'ask-stop';
    case 'r':
      return 'restart';
    case 'l':
      return 'cycle-log-level';
    case 'f':
      return 'toggle-follow';
    case '/':
      return 'palette';
    case 'e':
      return 'secrets';
    case 'g':
      return 'search-logs';
    case 'c':
      return 'cancel-task';
    case 'p':
      return 'paste-address';
    default:
      return 'none';
  }
}

/** ↑↓ (or k/j) and PgUp/PgDn, which every scrolling part understands. */
function moveIntent(input: string, key: KeyPress): KeyIntent | undefined {
  if (key.upArrow || input === 'k') return 'up';
  if (key.downArrow || input === 'j') return 'down';
  if (key.pageUp) return 'page-up';
  if (key.pageDown) return 'page-down';
  return undefined;
}
