import { useInput, useStdin, type Key } from 'ink';
import { useEffect, useRef } from 'react';

/** A key as Ink reports it: the text typed and the named keys. */
export type KeyHandler = (input: string, key: Key) => void;

const ESC = '\u001B';

/**
 * The key presses behind one chunk of terminal input. Terminals send Alt+x as
 * ESC followed by `x`, so Esc pressed just before a key (a fast typist, or
 * tmux, which holds a lone ESC for its `escape-time`) arrives as one chunk
 * that Ink reads as Alt+x, or for punctuation as the bare key with the Esc
 * lost. The TUI binds nothing to Alt, so such a chunk is split back into Esc
 * and the key. Anything else (arrows and other escape sequences, plain keys,
 * pastes) passes through as Ink read it.
 *
 * @example
 * ```ts
 * splitEscapedKey('\u001Bx', 'x', key); // [['', Esc], ['x', plain]]
 * splitEscapedKey('x', 'x', key);       // [['x', key]]
 * ```
 */
export function splitEscapedKey(raw: string | undefined, input: string, key: Key): Array<[string, Key]> {
  const second = raw !== undefined && raw.length === 2 && raw[0] === ESC ? raw[1]! : undefined;
  // `[` and `O` start escape sequences (arrows, function keys), which Ink already parsed.
  if (second === undefined || second === ESC || second === '[' || second === 'O' || second < ' ' || second === '\u007F') return [[input, key]];
  const plain: Key = { ...key, escape: false, meta: false, ctrl: false, shift: false, return: false, tab: false, backspace: false, delete: false };
  return [
    ['', { ...plain, escape: true }],
    [second, { ...plain, shift: /[A-Z]/.test(second) }],
  ];
}

/**
 * Ink's `useInput` with {@link splitEscapedKey} applied: the handler sees
 * Esc and the key after it as two presses, in order.
 *
 * @example
 * ```ts
 * useKeys((input, key) => { if (key.escape) close(); });
 * ```
 */
export function useKeys(handler: KeyHandler): void {
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
    for (const [text, press] of splitEscapedKey(lastChunk.current, input, key)) handler(text, press);
  });
}
