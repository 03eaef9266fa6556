import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { createBrowserOpener } from '../src/index.js';

// Real child processes: a tiny "browser" script that records its arguments.
let temp: TempDir;
let fakeBrowser: string;
beforeEach(async () => {
  temp = await makeTempDir();
  fakeBrowser = join(temp.path, 'browser.mjs');
  await writeFile(fakeBrowser, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(temp.path, 'argv.json'))}, JSON.stringify(process.argv.slice(2)));\n`);
});
afterEach(async () => {
  await temp.remove();
});

const url = 'http://127.0.0.1:9/auth?a=1&b=$(touch%20pwned)';
const recordedArgs = async () => JSON.parse(await readFile(join(temp.path, 'argv.json'), 'utf8')) as string[];

describe('createBrowserOpener', () => {
  it('runs the BROWSER command with the URL as one argument, never through a shell', async () => {
    await createBrowserOpener({ browser: `${process.execPath} ${fakeBrowser} --new-window` })(url);
    expect(await recordedArgs()).toEqual(['--new-window', url]);
  });

  it('puts the URL in place of %s', async () => {
    await createBrowserOpener({ browser: `${process.execPath} ${fakeBrowser} --open=%s --flag` })(url);
    expect(await recordedArgs()).toEqual([`--open=${url}`, '--flag']);
  });

  it('tries the commands of a colon-separated list in order', async () => {
    await createBrowserOpener({ browser: `no-such-browser-xyz:false:${process.execPath} ${fakeBrowser}` })(url);
    expect(await recordedArgs()).toEqual([url]);
  });

  it('fails with OAUTH_BROWSER_FAILED naming what was tried', async () => {
    const opening = createBrowserOpener({ browser: 'no-such-browser-xyz:false' })(url);
    await expect(opening).rejects.toMatchObject({ code: 'OAUTH_BROWSER_FAILED' });
    await expect(opening).rejects.toThrow(/no-such-browser-xyz: not found; false: exit code 1/);
  });

  it('is what the default opener runs when BROWSER is set', async () => {
    const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const script = `const { defaultOpenBrowser } = await import(${JSON.stringify(index)}); await defaultOpenBrowser(${JSON.stringify(url)});`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, BROWSER: `${process.execPath} ${fakeBrowser}` },
    });
    expect(await recordedArgs()).toEqual([url]);
  });

  it('counts a browser that keeps running as opened', async () => {
    const started = Date.now();
    await createBrowserOpener({ browser: `${process.execPath} -e setTimeout(()=>{},3000)` })(url);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
