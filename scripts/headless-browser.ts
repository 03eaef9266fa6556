/**
 * A `BROWSER` command for machines without a screen: opens a URL in headless
 * Debian Chromium and plays the user (user "demo") on the sandbox's pages and
 * its emulators':
 *
 *   headless-browser AUTHORIZATION_URL      signs in and consents; the URL names its redirect_uri
 *   headless-browser VERIFICATION_URL       finishes a device sign-in whose code is in the URL
 *                                           (verification_uri_complete, `/device?user_code=…`)
 *   headless-browser VERIFICATION_URL CODE  finishes a device sign-in, typing CODE on the page
 *
 * A `BROWSER` command is given the URL only, so the code can also come from
 * `HEADLESS_BROWSER_USER_CODE`. The URL may be any argument (openers append
 * it, or put it in place of `%s`). Output goes to stderr and to
 * `.demo/headless-browser.log` of this checkout, since openers run detached
 * from the terminal. Exit status: 0 signed in, 1 the sign-in failed, 2 no URL.
 * `scripts/headless-browser` runs it from any directory:
 *
 *   BROWSER="$PWD/scripts/headless-browser" npm run demo
 *   scripts/headless-browser http://127.0.0.1:9440/device BCDF-GHJK
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestBrowser } from '@opperator/testing';

/** Who the helper signs in as. */
const LOGIN = 'demo';

const args = process.argv.slice(2);
const url = args.find((arg) => /^https?:\/\//.test(arg));
const userCode = args.find((arg) => arg !== url) ?? (process.env.HEADLESS_BROWSER_USER_CODE || undefined);
const logDir = fileURLToPath(new URL('../.demo', import.meta.url));
mkdirSync(logDir, { recursive: true, mode: 0o700 });
const log = (line: string) => {
  process.stderr.write(`headless-browser: ${line}\n`);
  appendFileSync(`${logDir}/headless-browser.log`, `${new Date().toISOString()} ${line}\n`);
};

if (!url) {
  log(`no URL given (argv: ${JSON.stringify(args)})`);
  process.exit(2);
}
// An authorization request names where to send the browser back; a device verification page does not.
const isAuthorization = new URL(url).searchParams.has('redirect_uri');
const browser = await TestBrowser.launch();
try {
  if (isAuthorization) {
    const page = await browser.signIn(url, { login: LOGIN });
    log(`signed in as ${LOGIN}; the callback page says ${JSON.stringify(page.heading)}`);
  } else {
    const done = await browser.completeDeviceFlow(url, userCode, { login: LOGIN });
    if (done.outcome !== 'approved') throw new Error(`the device sign-in ended ${done.outcome}: ${done.text.trim()}`);
    log(`finished the device sign-in as ${LOGIN}; the page says ${JSON.stringify(done.heading)}`);
  }
} catch (err) {
  log(`sign-in failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (!isAuthorization && !userCode && !new URL(url).searchParams.has('user_code')) {
    log('a device verification URL without its code needs the code: pass it as the second argument or in HEADLESS_BROWSER_USER_CODE');
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
