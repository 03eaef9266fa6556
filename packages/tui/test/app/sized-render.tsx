// ink-testing-library's render with a terminal of a chosen size: its stdout
// is fixed at 100 columns and reports no rows (the App then falls back to
// 80×24); the findings are checked at 80×24 and 120×35.
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';

class SizedStdout extends EventEmitter {
  readonly frames: string[] = [];
  isTTY = true;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
}

class KeyStdin extends EventEmitter {
  isTTY = true;
  #data: string | null = null;
  write = (data: string): void => {
    this.#data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const data = this.#data;
    this.#data = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/** What {@link renderSized} gives a test. */
export interface SizedApp {
  /** The last frame drawn, with its escape sequences. */
  lastFrame(): string;
  /** Sends the bytes a terminal sends for keys. */
  press(bytes: string): void;
  unmount(): void;
}

/** Renders `tree` as Ink does on a `columns` × `rows` terminal. */
export function renderSized(tree: ReactElement, columns: number, rows: number): SizedApp {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new KeyStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    lastFrame: () => stdout.frames.at(-1) ?? '',
    press: (bytes) => stdin.write(bytes),
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}
