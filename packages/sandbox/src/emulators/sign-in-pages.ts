import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendHtml } from '../interactions.js';
import { renderConsentPage, renderDeviceCodePage, renderDeviceConfirmPage, renderDeviceSuccessPage, renderErrorPage, renderLoginPage, type PageNotice, type PageOptions } from '../pages.js';
import { readBody } from '../read-body.js';
import type { DeviceAuthorization, DeviceBook } from './device-book.js';
import { emulatedUrl } from './emulated-url.js';
import { MAX_BODY_BYTES, redirect } from './emulator-http.js';
import type { EmulatedCall } from './emulator-types.js';

/** Longest user name accepted on the emulators' sign-in pages, as on the sandbox's own. */
const MAX_LOGIN_LENGTH = 64;
/** How long a sign-in started in the browser may take before its pages refuse it. */
const SIGN_IN_TTL_MS = 30 * 60 * 1000;

/** How a provider's sign-in pages look and what happens when the user acts on them. */
export interface SignInPagesOptions<W> {
  now: () => number;
  /** The line under each page's heading, naming the emulated provider. */
  tag: string;
  /** What the login page says about user names. */
  accountHint: string;
  /** Real URLs the pages post to; the forms name their emulated URLs, since the browser is on the emulated host. */
  urls: { login: string; consent: string; deviceEntry: string; deviceConfirm: string };
  origin: string;
  devices: DeviceBook;
  /** The consent page's words for each scope. */
  scopeDescriptions: Record<string, string>;
  /** "the GitHub account alice", as the consent page names who is asked. */
  accountLabel(account: string): string;
  clientName(clientId: string): string;
  /** Whether this web sign-in needs the consent page for `account` (the provider's rules on earlier grants and `prompt`). */
  needsConsent(pending: PendingSignIn<W>, account: string): boolean;
  /** The user signed in (and consented when asked): the redirect back to the app. */
  approveWeb(pending: PendingSignIn<W>, account: string, consentShown: boolean): string;
  /** The user cancelled or denied: the redirect back to the app with the provider's error. */
  denyWeb(pending: PendingSignIn<W>, stage: 'login' | 'consent'): string;
  /** Whether a device sign-in needs the consent page. */
  deviceNeedsConsent(device: DeviceAuthorization, account: string): boolean;
}

/** What a web flow's authorization request starts a browser sign-in with. */
export interface WebSignInStart<W> {
  clientId: string;
  scopes: string[];
  loginHint?: string;
  /** What the provider needs to finish the flow. */
  web: W;
}

/** Starts the browser sign-in of a web flow: answers the authorization request with the login page ({@link SignInPages.startWeb}). */
export type StartSignIn<W> = (res: ServerResponse, start: WebSignInStart<W>) => void;

/** A browser sign-in under way (web flow or a device's verification). */
export interface PendingSignIn<W> {
  id: string;
  clientId: string;
  scopes: string[];
  loginHint?: string;
  account?: string;
  expiresAt: number;
  /** Set for the web flow: what the provider needs to finish it. */
  web?: W;
  /** Set for the device flow. */
  device?: DeviceAuthorization;
}

/**
 * The emulators' sign-in, consent and device pages, with the same DOM as
 * the sandbox's own (pages.ts: `body[data-page]`, `input[name=login]`,
 * `button[name=decision]`, the `op.deviceInputForm` / `op.deviceConfirmForm`
 * forms), so the Chromium driver of packages/testing plays the user on them
 * unchanged. Any user name signs in. Pages are escaped, script-free and
 * served with the sandbox's CSP.
 */
export class SignInPages<W> {
  readonly #options: SignInPagesOptions<W>;
  readonly #pending = new Map<string, PendingSignIn<W>>();

  constructor(options: SignInPagesOptions<W>) {
    this.#options = options;
  }

  /** Starts a web sign-in: answers the authorization request with the login page. */
  startWeb(res: ServerResponse, start: WebSignInStart<W>): void {
    const pending: PendingSignIn<W> = { id: randomBytes(16).toString('base64url'), ...start, expiresAt: this.#options.now() + SIGN_IN_TTL_MS };
    this.#remember(pending);
    this.#showLogin(res, pending);
  }

  /** Keeps a sign-in under way, forgetting the ones that expired (abandoned sign-ins must not pile up). */
  #remember(pending: PendingSignIn<W>): void {
    const now = this.#options.now();
    for (const [id, old] of this.#pending) if (old.expiresAt <= now) this.#pending.delete(id);
    this.#pending.set(pending.id, pending);
  }

  /** `POST` of the login page. */
  async submitLogin(call: EmulatedCall): Promise<void> {
    const posted = await this.#takeForm(call);
    if (!posted) return;
    const { pending, form } = posted;
    if (form.get('decision') === 'deny') {
      this.#finishDenied(call.res, pending, 'login');
      return;
    }
    const login = (form.get('login') ?? '').trim();
    if (!login || login.length > MAX_LOGIN_LENGTH) {
      const text = login ? `Use at most ${MAX_LOGIN_LENGTH} characters.` : 'Enter a user name (any name works).';
      this.#showLogin(call.res, pending, login, { kind: 'invalid-login', text, error: true }, 400);
      return;
    }
    pending.account = login;
    const needsConsent = pending.device ? this.#options.deviceNeedsConsent(pending.device, login) : this.#options.needsConsent(pending, login);
    if (needsConsent) this.#showConsent(call.res, pending, login);
    else this.#finishApproved(call.res, pending, login, false);
  }

  /** `POST` of the consent page. */
  async submitConsent(call: EmulatedCall): Promise<void> {
    const posted = await this.#takeForm(call);
    if (!posted) return;
    const { pending, form } = posted;
    if (!pending.account) {
      this.#error(call.res, 400, 'Out of step', [['expected', 'login']]);
      return;
    }
    if (form.get('decision') === 'allow') this.#finishApproved(call.res, pending, pending.account, true);
    else this.#finishDenied(call.res, pending, 'consent');
  }

  /** `GET` of the device verification page: the code form. */
  showDeviceEntry(call: EmulatedCall): void {
    this.#showCodePage(call.res);
  }

  /** `POST` of the code form: the confirmation page, or the code form again with why the code was refused. */
  async submitDeviceEntry(call: EmulatedCall): Promise<void> {
    const form = new URLSearchParams(await readBody(call.req, MAX_BODY_BYTES));
    const typed = form.get('user_code') ?? '';
    if (!typed.trim()) {
      this.#showCodePage(call.res, { kind: 'invalid-code', text: 'Enter the code shown on your device.', error: true });
      return;
    }
    const device = this.#options.devices.byUserCode(typed);
    if (!device) {
      this.#showCodePage(call.res, { kind: 'invalid-code', text: 'That code is not right. Check it and try again.', error: true }, typed);
    } else if (device.expiresAt <= this.#options.now()) {
      this.#showCodePage(call.res, { kind: 'expired-code', text: 'That code has expired. Start the sign-in again on your device.', error: true }, typed);
    } else if (device.status !== 'pending') {
      this.#showCodePage(call.res, { kind: 'used-code', text: 'That code was already used. Start the sign-in again on your device.', error: true }, typed);
    } else {
      const pending: PendingSignIn<W> = { id: randomBytes(16).toString('base64url'), clientId: device.clientId, scopes: device.scopes, device, expiresAt: device.expiresAt };
      this.#remember(pending);
      sendHtml(call.res, 200, renderDeviceConfirmPage({ action: this.#action('deviceConfirm', pending) }, this.#options.clientName(device.clientId), device.userCode, this.#page()));
    }
  }

  /** `POST` of the confirmation page: on to sign-in, or the code form with "aborted" after Abort. */
  async submitDeviceConfirm(call: EmulatedCall): Promise<void> {
    const posted = await this.#takeForm(call);
    if (!posted) return;
    const { pending, form } = posted;
    if (form.get('abort') === 'yes') {
      this.#finishDenied(call.res, pending, 'login');
      return;
    }
    this.#showLogin(call.res, pending);
  }

  /** The sign-in a page's `POST` continues (its `txn`) with the form posted; undefined, after an error page, when it is unknown or expired. */
  async #takeForm(call: EmulatedCall): Promise<{ pending: PendingSignIn<W>; form: URLSearchParams } | undefined> {
    const id = call.url.searchParams.get('txn') ?? '';
    const pending = this.#pending.get(id);
    if (!pending || pending.expiresAt <= this.#options.now()) {
      this.#error(call.res, 400, 'This sign-in has expired', [['error', 'unknown or expired sign-in']], 'Start the sign-in again from the app.');
      return undefined;
    }
    return { pending, form: new URLSearchParams(await readBody(call.req, MAX_BODY_BYTES)) };
  }

  #finishApproved(res: ServerResponse, pending: PendingSignIn<W>, account: string, consentShown: boolean): void {
    this.#pending.delete(pending.id);
    if (pending.device) {
      pending.device.status = 'approved';
      pending.device.account = account;
      pending.device.consentShown = consentShown;
      sendHtml(res, 200, renderDeviceSuccessPage(this.#options.clientName(pending.clientId), this.#page()));
      return;
    }
    redirect(res, this.#options.approveWeb(pending, account, consentShown));
  }

  #finishDenied(res: ServerResponse, pending: PendingSignIn<W>, stage: 'login' | 'consent'): void {
    this.#pending.delete(pending.id);
    if (pending.device) {
      pending.device.status = 'denied';
      this.#showCodePage(res, { kind: 'aborted', text: 'The sign-in request was interrupted: access was denied or the sign-in aborted.', error: true });
      return;
    }
    redirect(res, this.#options.denyWeb(pending, stage));
  }

  #showLogin(res: ServerResponse, pending: PendingSignIn<W>, login?: string, notice?: PageNotice, status = 200): void {
    const value = login ?? pending.loginHint;
    sendHtml(
      res,
      status,
      renderLoginPage({
        action: this.#action('login', pending),
        clientName: this.#options.clientName(pending.clientId),
        accountHint: this.#options.accountHint,
        tag: this.#options.tag,
        ...(value ? { login: value } : {}),
        ...(notice ? { notice } : {}),
      }),
    );
  }

  #showConsent(res: ServerResponse, pending: PendingSignIn<W>, account: string): void {
    sendHtml(
      res,
      200,
      renderConsentPage({
        action: this.#action('consent', pending),
        clientName: this.#options.clientName(pending.clientId),
        accountId: account,
        accountLabel: this.#options.accountLabel(account),
        scopes: pending.scopes,
        scopeDescriptions: this.#options.scopeDescriptions,
        tag: this.#options.tag,
      }),
    );
  }

  /** The code form; `typed` fills the field again with a refused code, for the user to correct. */
  #showCodePage(res: ServerResponse, notice?: PageNotice, typed?: string): void {
    const action = emulatedUrl(this.#options.origin, this.#options.urls.deviceEntry);
    sendHtml(res, notice ? 400 : 200, renderDeviceCodePage({ action }, notice, { ...this.#page(), ...(typed ? { userCode: typed } : {}) }));
  }

  #error(res: ServerResponse, status: number, title: string, details: Array<[string, string]>, hint?: string): void {
    sendHtml(res, status, renderErrorPage(title, details, hint, this.#page()));
  }

  #action(which: 'login' | 'consent' | 'deviceConfirm', pending: PendingSignIn<W>): string {
    const url = new URL(emulatedUrl(this.#options.origin, this.#options.urls[which]));
    url.searchParams.set('txn', pending.id);
    return url.href;
  }

  #page(): PageOptions {
    return { tag: this.#options.tag };
  }
}
