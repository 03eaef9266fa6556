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

describe('the built bundle', () => {
  it('carries React’s production build only, whatever NODE_ENV says when the TUI starts', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const chunks = `${root}packages/cli/dist/chunks/`;
    const sources = await Promise.all((await readdir(chunks)).map((name) => readFile(chunks + name, 'utf8')));
    const react = sources.filter((source) => source.includes('react-reconciler') || source.includes('ReactCurrentDispatcher') || source.includes('__CLIENT_INTERNALS'));
    expect(react.length).toBeGreaterThan(0);
    // The development builds' own helpers; their branches are chosen by NODE_ENV at load time unless fixed at build time.
    for (const source of react) {
      expect(source).not.toContain('runWithFiberInDEV');
      expect(source).not.toMatch(/process\.env\.NODE_ENV/);
    }
  });

  it('carries Ink with its text caches bounded (scripts/bundle-patches.mjs)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const chunks = `${root}packages/cli/dist/chunks/`;
    const sources = await Promise.all((await readdir(chunks)).map((name) => readFile(chunks + name, 'utf8')));
    const ink = sources.filter((source) => source.includes('var measureText = '));
    expect(ink).toHaveLength(1);
    expect(ink[0]).toMatch(/if \(cache\.size >= [\de]+\) cache\.clear\(\)/);
    expect(ink[0]).toMatch(/if \(\+\+cacheEntries > [\de]+\)/);
  });
});
