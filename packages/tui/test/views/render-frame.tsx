// Renders a view to one frame at a chosen terminal width. ink-testing-library
// fixes its stdout at 100 columns; the layout tests need 80 and 120, so this
// drives Ink's own render with a stdout of the wanted size.
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';
import { DisplaySettingsContext } from '../../src/display-context.js';
import { stripAnsi } from '../ansi.js';

class FakeStdout extends EventEmitter {
  lastFrame = '';
  isTTY = true;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.lastFrame = frame;
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

/** Options of {@link frameOf}. */
export interface FrameOptions {
  /** Draw colour (the app's NO_COLOR setting). Default true. */
  color?: boolean;
  /** Terminal columns. Default 100 (ink-testing-library's). */
  columns?: number;
  /** Terminal rows. Default 40. */
  rows?: number;
}

/** The frame (with its escape sequences) of `tree` rendered once. */
export function frameOf(tree: ReactElement, options: FrameOptions = {}): string {
  const color = options.color ?? true;
  const stdout = new FakeStdout(options.columns ?? 100, options.rows ?? 40);
  const instance = render(
    <DisplaySettingsContext.Provider value={{ color, animate: color }}>{tree}</DisplaySettingsContext.Provider>,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: new FakeStdout(100, 40) as unknown as NodeJS.WriteStream,
      stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  const frame = stdout.lastFrame;
  instance.unmount();
  instance.cleanup();
  return frame;
}

/** The frame's lines without styles or trailing spaces. */
export function linesOf(frame: string): string[] {
  return stripAnsi(frame)
    .split('\n')
    .map((line) => line.trimEnd());
}

/** The frame's lines without styles, trailing spaces, or the blank rows a fixed height pads with. */
export function shownLinesOf(frame: string): string[] {
  const lines = linesOf(frame);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The frame as plain text, lines trimmed at the end. */
export function textOf(frame: string): string {
  return linesOf(frame).join('\n');
}
