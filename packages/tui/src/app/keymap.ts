import type { UiState } from './ui-state.js';

/** The subset of Ink's `Key` the keymap reads. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
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
  | 'none';

/** Every binding, for the help overlay and the status line (in that order of importance). */
export const KEY_BINDINGS: ReadonlyArray<{ key: string; label: string }> = [
  { key: '↑↓', label: 'agent' },
  { key: 'tab', label: 'logs/tasks' },
  { key: '/', label: 'commands' },
  { key: 'e', label: 'enter secrets' },
  { key: 'c', label: 'cancel task' },
  { key: 's', label: 'start' },
  { key: 'x', label: 'stop' },
  { key: 'r', label: 'restart' },
  { key: '[ ]', label: 'section' },
  { key: 'space', label: 'collapse' },
  { key: 'l', label: 'log level' },
  { key: 'f', label: 'follow' },
  { key: 'g', label: 'search logs' },
  { key: 'PgUp/PgDn', label: 'scroll logs' },
  { key: '?', label: 'help' },
  { key: 'q', label: 'quit' },
];

/**
 * Maps a key press to an intent, given what is open: an overlay takes the
 * keys first (a stop confirmation only knows y/n/Esc).
 *
 * @example
 * ```ts
 * keyIntent('x', {}, ui); // 'ask-stop'
 * ```
 */
export function keyIntent(input: string, key: KeyPress, ui: Pick<UiState, 'overlay'>): KeyIntent {
  if (key.ctrl && input === 'c') return 'quit';
  if (ui.overlay.kind === 'confirm-stop') {
    if (input === 'y' || input === 'Y') return 'confirm-stop';
    return input === 'n' || input === 'N' || key.escape ? 'close' : 'none';
  }
  if (ui.overlay.kind === 'help') return 'close';
  if (key.upArrow || input === 'k') return 'up';
  if (key.downArrow || input === 'j') return 'down';
  if (key.tab) return 'switch-pane';
  if (key.pageUp) return 'page-up';
  if (key.pageDown) return 'page-down';
  if (key.return || input === ' ') return 'toggle-section';
  switch (input) {
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
    default:
      return 'none';
  }
}
