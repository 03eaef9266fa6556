import { useInput, useStdin, type Key } from 'ink';
import { useEffect, useRef } from 'react';

/**
 * A key as Ink reports it: the text typed and the named keys; `typedAhead`
 * is true for the keys after the first of a chunk split by {@link keyPresses}.
 */
export type KeyHandler = (input: string, key: Key, typedAhead: boolean) => void;

/**
 * The longest chunk of plain characters taken as keys typed ahead. Longer
 * ones are pastes: split, a pasted token would run as commands (`r`
 * restarts, `g` opens the log search and shows the rest on screen).
 */
export const MAX_TYPED_AHEAD = 3;

const ESC = '\u001B';

/** A key with no flag set, to build presses from. */
function plainKey(key: Key): Key {
  return { ...key, upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, escape: false, meta: false, ctrl: false, shift: false, return: false, tab: false, backspace: false, delete: false };
}

/** One character of a chunk as the key that types it; `undefined` for control characters no key here means. */
function pressOf(char: string, plain: Key): [string, Key] | undefined {
  switch (char) {
    case '\t':
      return ['', { ...plain, tab: true }];
    case '\r':
    case '\n':
      return ['', { ...plain, return: true }];
    case '\u007F':
    case '\b':
      return ['', { ...plain, backspace: true }];
    case '\u0003':
      return ['c', { ...plain, ctrl: true }];
    default:
      return char < ' ' ? undefined : [char, { ...plain, shift: /[A-Z]/.test(char) }];
  }
}

/**
 * The key presses behind one chunk of terminal input. Ink hands a chunk of
 * several characters over as one "paste", and keys typed quickly (or sent by
 * tmux, or typed ahead while the TUI was busy) arrive that way: `3` and Tab
 * as `"3\t"`, which no binding matches. So a chunk of up to
 * {@link MAX_TYPED_AHEAD} plain characters is split into one press per
 * character (`\r\n` is one Enter); a longer one is a paste. With
 * `keepWhole` (a text field is open) it stays one paste: a multi-line paste
 * into a secret's field must not spill into the next field.
 *
 * Terminals send Alt+x as ESC followed by `x`, so Esc pressed just before a
 * key (tmux holds a lone ESC for its `escape-time`) arrives as one chunk that
 * Ink reads as Alt+x, or for punctuation as the bare key with the Esc lost.
 * The TUI binds nothing to Alt, so such a chunk is split back into Esc and
 * the key. Escape sequences (arrows, function keys) pass through as Ink read
 * them.
 *
 * @example
 * ```ts
 * keyPresses('\u001Bx', 'x', key); // [['', Esc], ['x', plain]]
 * keyPresses('3\t', '3\t', key);   // [['3', plain], ['', Tab]]
 * keyPresses('x', 'x', key);       // [['x', key]]
 * ```
 */
export function keyPresses(raw: string | undefined, input: string, key: Key, options: { keepWhole?: boolean } = {}): Array<[string, Key]> {
  if (raw === undefined) return [[input, key]];
  const plain = plainKey(key);
  if (raw.length === 2 && raw[0] === ESC) {
    const second = raw[1]!;
    // `[` and `O` start escape sequences, which Ink already parsed; ESC ESC is one Esc.
    if (second === ESC || second === '[' || second === 'O' || second < ' ' || second === '\u007F') return [[input, key]];
    return [['', { ...plain, escape: true }], [second, { ...plain, shift: /[A-Z]/.test(second) }]];
  }
  const length = [...raw.replace(/\r\n/g, '\r')].length;
  if (options.keepWhole || raw.includes(ESC) || length < 2 || length > MAX_TYPED_AHEAD) return [[input, key]];
  const presses: Array<[string, Key]> = [];
  for (const char of raw.replace(/\r\n/g, '\r')) {
    const press = pressOf(char, plain);
    if (press) presses.push(press);
  }
  return presses;
}

/**
 * Ink's `useInput` with {@link keyPresses} applied: the handler sees every
 * key of a chunk as its own press, in order (all within one render), except
 * while `keepWhole()` says a text field takes the chunk as a paste.
 *
 * @example
 * ```ts
 * useKeys((input, key) => { if (key.escape) close(); }, () => form.isOpen());
 * ```
 */
export function useKeys(handler: KeyHandler, keepWhole: () => boolean = () => false): void {
  const { internal_eventEmitter: events } = useStdin();
  const lastChunk = useRef<string | undefined>(undefined);
  useEffect(() => {
    // Prepended, so the chunk is recorded before Ink's own listener calls the handler for it.
    const record = (chunk: unknown) => {
      lastChunk.current = typeof chunk === 'string' ? chunk : undefined;
    };
    events.prependListener('input', record);
    return () => {
      events.off('input', record);
    };
  }, [events]);
  useInput((input, key) => {
    keyPresses(lastChunk.current, input, key, { keepWhole: keepWhole() }).forEach(([text, press], index) => handler(text, press, index > 0));
  });
}
