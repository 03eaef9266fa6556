/**
 * A `BROWSER` command for machines without a screen: opens the URL given as
 * its last argument in headless Debian Chromium and plays the user on the
 * sandbox's login and consent pages (user "demo"). Output goes to
 * `.demo/headless-browser.log` of this checkout, since openers run detached
 * from the terminal. `scripts/headless-browser` runs it from any directory:
 *
 *   BROWSER="$PWD/scripts/headless-browser" npm run demo
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestBrowser } from '@opperator/testing';

const url = process.argv.at(-1);
const logDir = fileURLToPath(new URL('../.demo', import.meta.url));
mkdirSync(logDir, { recursive: true, mode: 0o700 });
const log = (line: string) => appendFileSync(`${logDir}/headless-browser.log`, `${new Date().toISOString()} ${line}\n`);

if (!url?.startsWith('http')) {
  log(`no URL given (argv: ${JSON.stringify(process.argv.slice(2))})`);
  process.exit(2);
}
const browser = await TestBrowser.launch();
try {
  const page = await browser.signIn(url, { login: 'demo' });
  log(`signed in as demo; the callback page says ${JSON.stringify(page.heading)}`);
} catch (err) {
  log(`sign-in failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
