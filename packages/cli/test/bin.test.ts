import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('the installed opperator command', () => {
  it('is linked by npm and runs the built CLI (as `npx opperator` does)', async () => {
    const { stdout } = await run(`${root}node_modules/.bin/opperator`, ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(`${root}node_modules/.bin/opperator`, ['--help']);
    expect(help.stdout).toMatch(/secret/);
    expect(help.stdout).toMatch(/agent/);
  });
});
