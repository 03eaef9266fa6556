import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { keepOwnLogBounded, logFileArgument, rotateOwnLog } from '../src/daemon-log.js';

let temp: TempDir;
let fd: number;
const path = () => join(temp.path, 'daemon.log');
beforeEach(async () => {
  temp = await makeTempDir('opperator-daemon-log-');
  // As `daemon start` opens it for the daemon's stdout and stderr.
  fd = openSync(path(), 'a', 0o600);
});
afterEach(async () => {
  closeSync(fd);
  await temp.remove();
});

describe("the daemon's own log", () => {
  it('copies a large log aside and truncates it through the descriptor that writes it; later writes start the file again, with no hole', async () => {
    writeSync(fd, 'a'.repeat(200));
    expect(rotateOwnLog(path(), { fd, maxBytes: 100 })).toBe('rotated');
    writeSync(fd, 'after\n');
    expect(await readFile(path(), 'utf8')).toBe('after\n');
    expect(await readFile(`${path()}.1`, 'utf8')).toBe('a'.repeat(200));
    expect(rotateOwnLog(path(), { fd, maxBytes: 100 })).toBe('small');
  });

  it('keeps `keep` rotated copies, the newest first', async () => {
    for (const round of ['1', '2', '3', '4']) {
      writeSync(fd, round.repeat(200));
      rotateOwnLog(path(), { fd, maxBytes: 100, keep: 3 });
    }
    expect(await readFile(`${path()}.1`, 'utf8')).toBe('4'.repeat(200));
    expect(await readFile(`${path()}.3`, 'utf8')).toBe('2'.repeat(200));
    expect(await readFile(`${path()}.4`, 'utf8').catch(() => 'none')).toBe('none');
  });

  it('leaves alone a file it does not write to', async () => {
    const other = join(temp.path, 'other.log');
    await writeFile(other, 'x'.repeat(500));
    expect(rotateOwnLog(other, { fd, maxBytes: 100 })).toBe('not-ours');
    expect(rotateOwnLog(join(temp.path, 'missing.log'), { fd, maxBytes: 100 })).toBe('not-ours');
    expect(await readFile(other, 'utf8')).toHaveLength(500);
  });

  it('checks at once and then on a timer, saying when it rotated', async () => {
    writeSync(fd, 'b'.repeat(200));
    const said: string[] = [];
    const stop = keepOwnLogBounded(path(), { fd, maxBytes: 100, checkMs: 20, report: (message) => said.push(message) });
    expect(said).toEqual([expect.stringContaining('rotated this log')]);
    writeSync(fd, 'c'.repeat(200));
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    expect(said).toHaveLength(2);
    expect(await readFile(`${path()}.1`, 'utf8')).toBe('c'.repeat(200));
  });

  it('reads --log-file from the arguments', () => {
    expect(logFileArgument(['--log-file', '/tmp/d.log'])).toBe('/tmp/d.log');
    expect(logFileArgument([])).toBeUndefined();
    expect(logFileArgument(['--log-file'])).toBeUndefined();
  });
});
