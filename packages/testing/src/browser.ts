import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet and offline on a headless machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--password-store=basic',
];

/** What the user does on the consent page. */
export type ConsentDecision = 'approve' | 'deny';

/** Options of {@link TestBrowser.signIn}. */
export interface SignInOptions {
  login?: string;
  decision?: ConsentDecision;
  /**
   * The browser is on another machine (an SSH user's laptop): the redirect to
   * the loopback callback cannot connect, and the result's `url` is the
   * address the user would copy from the address bar (status 0).
   */
  elsewhere?: boolean;
}

/** Where a sign-in ended: the loopback page the browser was sent to. */
export interface SignInResult {
  /** URL of the final page (the loopback callback). */
  url: string;
  /** HTTP status of the final page. */
  status: number;
  /** The final page's heading. */
  heading: string;
  /** The final page's text. */
  text: string;
}

/**
 * Options of {@link TestBrowser.completeDeviceFlow}.
 *
 * @example
 * ```ts
 * const options: DeviceVerificationOptions = { login: 'bob', decision: 'deny' };
 * ```
 */
export interface DeviceVerificationOptions {
  login?: string;
  decision?: ConsentDecision;
}

/**
 * Where a device sign-in ended on the provider's pages.
 *
 * @example
 * ```ts
 * const { outcome, heading } = await browser.completeDeviceFlow(uri, userCode); // 'approved', 'Sign-in Success'
 * ```
 */
export interface DeviceVerificationResult {
  /** `approved`: the provider's success page; `denied`: its code page saying the sign-in was interrupted (access denied). */
  outcome: 'approved' | 'denied';
  /** URL of the final page. */
  url: string;
  /** The final page's heading. */
  heading: string;
  /** The final page's text. */
  text: string;
}

/** The sandbox's device flow, login and consent pages, as {@link TestBrowser.completeDeviceFlow} tells them apart. */
type DevicePage = 'code-input' | 'code-notice' | 'confirm' | 'login' | 'consent' | 'success' | 'other';

/**
 * A headless Chromium with a fresh profile that can play the user on the
 * sandbox's login and consent pages, and on its device flow verification
 * pages (packages/sandbox/src/pages.ts: each page names itself in
 * `<body data-page>`).
 */
export class TestBrowser {
  readonly #context: BrowserContext;
  readonly #profileDir: string;

  private constructor(context: BrowserContext, profileDir: string) {
    this.#context = context;
    this.#profileDir = profileDir;
  }

  static async launch(): Promise<TestBrowser> {
    const profileDir = await mkdtemp(join(tmpdir(), 'opperator-chromium-'));
    const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    // Only loopback traffic: nothing in a test may reach the internet.
    await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort()));
    return new TestBrowser(context, profileDir);
  }

  /**
   * Opens `authorizationUrl`, signs in as `login`, approves or denies
   * consent, and returns the page the provider redirected to.
   */
  async signIn(authorizationUrl: string, options: SignInOptions = {}): Promise<SignInResult> {
    const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
    if (!redirectUri) throw new Error('authorization URL has no redirect_uri');
    // Every sign-in starts signed out, as a different user would.
    await this.#context.clearCookies();
    const page = await this.#context.newPage();
    try {
      const isCallback = (url: string) => url.startsWith(`${redirectUri}?`);
      const landed = options.elsewhere
        ? stopBeforeCallback(page, isCallback).then((url) => ({ url, status: 0 }))
        : page.waitForResponse((response) => isCallback(response.url()) && response.request().isNavigationRequest(), { timeout: 20_000 }).then((response) => ({ url: response.url(), status: response.status() }));
      landed.catch(() => undefined);
      await page.goto(authorizationUrl);
      for (let step = 0; step < 6 && !page.url().startsWith(redirectUri); step += 1) {
        const which = await Promise.race([
          page.waitForSelector('body[data-page=login], body[data-page=consent]', { state: 'attached', timeout: 15_000 }).then(async (body) => (await body.getAttribute('data-page')) as 'login' | 'consent'),
          landed.then(() => 'done' as const),
        ]);
        if (which === 'done') break;
        if (which === 'login') {
          await page.fill('input[name=login]', options.login ?? 'alice');
          await page.fill('input[name=password]', 'any-password');
          await Promise.all([page.waitForNavigation(), page.click('button[name=decision][value=allow]')]);
        } else {
          await Promise.all([page.waitForNavigation(), page.click(`button[name=decision][value=${options.decision === 'deny' ? 'deny' : 'allow'}]`)]);
        }
      }
      const final = await landed;
      if (options.elsewhere) return { ...final, heading: '', text: '' };
      await page.waitForLoadState();
      return { url: page.url(), status: final.status, heading: (await page.textContent('h1')) ?? '', text: await page.innerText('body') };
    } finally {
      await page.close();
    }
  }

  /**
   * Plays the user of an RFC 8628 device sign-in: opens `verificationUri`,
   * types `userCode`, confirms the device, signs in as `login`, approves or
   * denies consent, and returns the provider's final page. Without `userCode`
   * the page must have the code filled in already (a `verification_uri_complete`
   * link). Throws when a page refuses the code, asks for one none was given
   * for, or an unexpected page appears.
   *
   * @example
   * ```ts
   * const done = await browser.completeDeviceFlow(code.verificationUri, code.userCode, { decision: 'deny' });
   * expect(done.outcome).toBe('denied');
   * ```
   */
  async completeDeviceFlow(verificationUri: string, userCode: string | undefined, options: DeviceVerificationOptions = {}): Promise<DeviceVerificationResult> {
    await this.#context.clearCookies();
    const page = await this.#context.newPage();
    try {
      await page.goto(verificationUri);
      for (let step = 0; step < 8; step += 1) {
        const kind = await classifyDevicePage(page);
        switch (kind) {
          case 'code-input':
            if (userCode !== undefined) await page.fill('input[name=user_code]', userCode);
            else if (!(await page.inputValue('input[name=user_code]'))) throw new Error(`the verification page asks for the user code and none was given (${page.url()})`);
            await submit(page, 'form[id="op.deviceInputForm"] button[type=submit]');
            break;
          case 'confirm':
            await submit(page, 'form[id="op.deviceConfirmForm"] button[type=submit]:not([name=abort])');
            break;
          case 'login':
            await page.fill('input[name=login]', options.login ?? 'alice');
            await page.fill('input[name=password]', 'any-password');
            await submit(page, 'button[name=decision][value=allow]');
            break;
          case 'consent':
            await submit(page, `button[name=decision][value=${options.decision === 'deny' ? 'deny' : 'allow'}]`);
            break;
          case 'success':
          case 'code-notice': {
            // Denied consent sends the user back to the code page with an "aborted" notice;
            // any other notice there (wrong, expired or used code) is a refusal.
            const text = await page.innerText('body');
            if (kind === 'code-notice' && (await page.getAttribute('[data-notice]', 'data-notice')) !== 'aborted') {
              throw new Error(`the verification page refused the user code: ${text.trim()}`);
            }
            return { outcome: kind === 'success' ? 'approved' : 'denied', url: page.url(), heading: (await page.textContent('h1')) ?? '', text };
          }
          case 'other':
            throw new Error(`unexpected page during the device sign-in (${page.url()}): ${(await page.innerText('body')).trim().slice(0, 500)}`);
        }
      }
      throw new Error(`the device sign-in did not finish; last page ${page.url()}`);
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.#context.close();
    await rm(this.#profileDir, { recursive: true, force: true });
  }
}

/**
 * Plays a browser on another machine: the redirect to the loopback callback
 * never reaches this machine's receiver. Routes do not see a redirect's
 * target, so every page is fetched without following redirects, and a
 * redirect to the callback ends the sign-in on a "cannot connect" page.
 * Resolves with the callback address, as the address bar would show it.
 */
async function stopBeforeCallback(page: Page, isCallback: (url: string) => boolean): Promise<string> {
  let reached!: (url: string) => void;
  const landed = new Promise<string>((resolve) => (reached = resolve));
  await page.route('**/*', async (route) => {
    if (isCallback(route.request().url())) {
      reached(route.request().url());
      return route.abort('connectionrefused');
    }
    const response = await route.fetch({ maxRedirects: 0 });
    const location = response.headers().location;
    const target = location === undefined ? undefined : new URL(location, route.request().url()).href;
    if (target !== undefined && isCallback(target)) {
      reached(target);
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>This site can’t be reached</title><h1>This site can’t be reached</h1>' });
    }
    return route.fulfill({ response });
  });
  return landed;
}

/** Clicks `selector` and waits for the page it leads to (redirects included) to load. */
async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
  await page.waitForLoadState();
}

/** Tells the sandbox pages apart by their `<body data-page>` (see packages/sandbox/src/pages.ts). */
async function classifyDevicePage(page: Page): Promise<DevicePage> {
  const kind = await page.getAttribute('body', 'data-page');
  switch (kind) {
    case 'device-code':
      return (await page.$('[data-notice]')) ? 'code-notice' : 'code-input';
    case 'device-confirm':
      return 'confirm';
    case 'device-success':
      return 'success';
    case 'login':
    case 'consent':
      return kind;
    default:
      return 'other';
  }
}

function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * A `BROWSER` command that signs in on the sandbox pages in headless Chromium
 * (scripts/headless-browser.ts). BROWSER is a colon-separated list (as for
 * xdg-open and git), so tsx's loader is given as a path, not a file: URL.
 */
export function headlessBrowserCommand(): string {
  const script = fileURLToPath(new URL('../../../scripts/headless-browser.ts', import.meta.url));
  return `${process.execPath} --import ${fileURLToPath(import.meta.resolve('tsx'))} ${script}`;
}
