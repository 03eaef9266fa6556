import { createHash, createPublicKey, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../access-token-check.js';
import { sendHtml } from '../interactions.js';
import { renderConsentPage, renderDeviceCodePage, renderDeviceConfirmPage, renderDeviceSuccessPage, renderErrorPage, renderLoginPage, type PageNotice, type PageOptions } from '../pages.js';
import { readBody } from '../read-body.js';
import { emulatedUrl } from './emulated-url.js';

/** The providers the sandbox can emulate. */
export const EMULATED_PROVIDERS = ['github', 'google', 'microsoft'] as const;

/** One of {@link EMULATED_PROVIDERS}. */
export type EmulatedProvider = (typeof EMULATED_PROVIDERS)[number];

/** A client registered at an emulator, as the sandbox registers its own. `clientSecret` is absent for public clients. */
export interface EmulatorClient {
  clientId: string;
  clientSecret?: string;
  /** The registered redirect (callback) URIs; the sandbox registers `http://127.0.0.1/callback` when a client names none. */
  redirectUris: string[];
}

/** What every emulator is built from (the sandbox's composition root fills it in). */
export interface EmulatorSettings {
  /** The sandbox's origin, `http://127.0.0.1:<port>`; emulated URLs live under `<origin>/emulate/`. */
  origin: string;
  /** The registered apps. */
  clients: EmulatorClient[];
  /** The emulators' clock in milliseconds (expiry, device polling). */
  now: () => number;
  /** Access token lifetime for every emulator; default each provider's documented one. */
  accessTokenTtlSeconds?: number;
  /** Device polling interval announced (and enforced); default each provider's documented one. */
  devicePollIntervalSeconds?: number;
}

/** Options of {@link ProviderEmulator.failNext}. */
export interface FailNextOptions {
  /** How many requests in a row fail; default 1. */
  count?: number;
  /** 429 (default) or 503. */
  status?: 429 | 503;
  /** `Retry-After` in seconds; default 1. */
  retryAfterSeconds?: number;
  /** Which endpoint (`'POST github.com/login/oauth/access_token'`, see {@link ProviderEmulator.requestCounts}); default the provider's token endpoint. */
  endpoint?: string;
}

/** Picks accounts for a control; without `account`, every account. The account id is the name typed on the sign-in page. */
export interface AccountSelector {
  account?: string;
}

/** Largest request body an emulator reads (token and form posts are small). */
const MAX_BODY_BYTES = 64 * 1024;
/** Longest user name accepted on the emulators' sign-in pages, as on the sandbox's own. */
const MAX_LOGIN_LENGTH = 64;
/** How long a sign-in started in the browser may take before its pages refuse it. */
const SIGN_IN_TTL_MS = 30 * 60 * 1000;

/** A route of an emulator: one real host and path, the endpoint name it is counted under. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  host: string;
  /** Matched against the real URL's pathname. */
  path: RegExp;
  /** How requests to it are counted, e.g. `POST github.com/login/oauth/access_token`. */
  endpoint: string;
  handle(call: EmulatedCall, match: RegExpExecArray): Promise<void> | void;
}

/** One request to an emulated host. */
export interface EmulatedCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** The real URL asked for (`https://github.com/...`). */
  url: URL;
}

/**
 * The base of each provider emulator: routing by real host and path,
 * request counts per endpoint, injected failures (429/503 with
 * `Retry-After`), and the shared grant book. Subclasses declare their
 * routes and provider-specific wire behaviour.
 */
export abstract class ProviderEmulator {
  /** Which provider this is. */
  abstract readonly provider: EmulatedProvider;
  /** The real hosts this emulator serves. */
  abstract readonly hosts: readonly string[];
  /** Endpoint that {@link failNext} targets by default. */
  protected abstract readonly tokenEndpoint: string;
  protected readonly settings: EmulatorSettings;
  protected readonly grants: GrantBook;
  readonly #counts = new Map<string, number>();
  #faults: Array<{ endpoint: string; status: 429 | 503; retryAfterSeconds: number; remaining: number }> = [];
  #routes: Route[] | undefined;

  constructor(settings: EmulatorSettings) {
    this.settings = settings;
    this.grants = new GrantBook(settings.now);
  }

  /** The routes, built once. */
  protected abstract routes(): Route[];

  /** The real base URLs of this provider, each as served here (for `sandbox status`). */
  abstract baseUrls(): Record<string, string>;

  /** `realUrl` under this sandbox's origin. */
  protected emulated(realUrl: string): string {
    return emulatedUrl(this.settings.origin, realUrl);
  }

  /** Answers a request for one of {@link hosts}; 404 for paths it does not emulate, 405 for other methods. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.#routes ??= this.routes();
    const candidates = this.#routes.flatMap((route) => {
      if (route.host !== url.host) return [];
      const match = route.path.exec(url.pathname);
      return match ? [{ route, match }] : [];
    });
    const hit = candidates.find(({ route }) => route.method === req.method);
    if (!hit) {
      if (candidates.length) {
        res.setHeader('Allow', [...new Set(candidates.map(({ route }) => route.method))].join(', '));
        sendJson(res, 405, { error: 'method_not_allowed', error_description: `${req.method ?? ''} is not allowed here` });
      } else {
        sendJson(res, 404, { error: 'not_emulated', error_description: `The ${this.provider} emulator does not serve ${url.host}${url.pathname}` });
      }
      return;
    }
    this.#counts.set(hit.route.endpoint, (this.#counts.get(hit.route.endpoint) ?? 0) + 1);
    const fault = this.#faults.find((f) => f.endpoint === hit.route.endpoint && f.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      this.#faults = this.#faults.filter((f) => f.remaining > 0);
      // Injected by a test (failNext), not a documented provider answer: the status and Retry-After are what the test asked for.
      sendJson(res, fault.status, this.faultBody(fault.status), { 'Retry-After': String(fault.retryAfterSeconds) });
      return;
    }
    await hit.route.handle({ req, res, url }, hit.match);
  }

  /** The JSON body of an injected 429/503, in the provider's error shape. */
  protected abstract faultBody(status: 429 | 503): unknown;

  /**
   * Answers the next `count` requests to an endpoint (default the token
   * endpoint) with `status` and `Retry-After`, before any other check; the
   * requests are counted.
   *
   * @example
   * ```ts
   * server.emulators.google!.failNext({ count: 2, status: 503, retryAfterSeconds: 3 });
   * ```
   */
  failNext(options: FailNextOptions = {}): void {
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError('failNext: count must be a positive integer');
    const status = options.status ?? 429;
    if (status !== 429 && status !== 503) throw new RangeError('failNext: status must be 429 or 503');
    const retryAfterSeconds = options.retryAfterSeconds ?? 1;
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) throw new RangeError('failNext: retryAfterSeconds must be a whole number of seconds');
    this.#faults.push({ endpoint: options.endpoint ?? this.tokenEndpoint, status, retryAfterSeconds, remaining: count });
  }

  /**
   * How many requests an endpoint received since start (or the last
   * {@link resetRequestCounts}), e.g. `requestCount('POST oauth2.googleapis.com/token')`.
   *
   * @example
   * ```ts
   * expect(server.emulators.github!.requestCount('POST github.com/login/oauth/access_token')).toBe(1);
   * ```
   */
  requestCount(endpoint: string): number {
    return this.#counts.get(endpoint) ?? 0;
  }

  /**
   * Every endpoint's request count, keyed `METHOD host/path`.
   *
   * @example
   * ```ts
   * console.log(server.emulators.microsoft!.requestCounts());
   * ```
   */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /**
   * Forgets the request counts.
   *
   * @example
   * ```ts
   * server.emulators.google!.resetRequestCounts();
   * ```
   */
  resetRequestCounts(): void {
    this.#counts.clear();
  }

  /**
   * Revokes the grants of one account (or all), as a user removing the app
   * in the provider's account settings; returns how many went. What the app
   * sees next is each provider's documented answer to a dead grant.
   *
   * @example
   * ```ts
   * server.emulators.github!.revokeGrants({ account: 'alice' });
   * ```
   */
  revokeGrants(selector: AccountSelector = {}): number {
    return this.grants.revoke(selector, 'revoked');
  }

  /**
   * Makes the access tokens of one account (or all) expired now, so the
   * next API call is refused and the app must refresh; returns how many.
   *
   * @example
   * ```ts
   * server.emulators.google!.expireAccessTokens({ account: 'alice' });
   * ```
   */
  expireAccessTokens(selector: AccountSelector = {}): number {
    return this.grants.expireAccessTokens(selector);
  }

  /** The client registered with this id, if any. */
  protected client(clientId: string | null | undefined): EmulatorClient | undefined {
    return clientId ? this.settings.clients.find((c) => c.clientId === clientId) : undefined;
  }
}

/** A user's authorization of one app: what the provider keeps until the user removes it. */
export interface Grant {
  id: string;
  account: string;
  clientId: string;
  /** Scopes the user consented to. */
  scopes: Set<string>;
  /** Set when the grant died; kept so providers can tell "revoked" from "unknown". */
  dead?: 'revoked' | 'inactive';
  /** The next refresh must answer "MFA required" (Entra, Google reauth) until the user signs in again. */
  mfaRequired?: boolean;
  /** The next refresh must answer "consent required" (Entra) until the user consents again. */
  consentRequired?: boolean;
}

/** An access token the emulator issued. */
export interface IssuedAccessToken {
  token: string;
  grantId: string;
  scopes: string[];
  /** Absent for tokens that never expire (GitHub OAuth apps). */
  expiresAt?: number;
  /** Provider-specific kind, e.g. GitHub's `oauth-app` / `github-app`. */
  kind?: string;
  dead?: boolean;
}

/** A refresh token the emulator issued. */
export interface IssuedRefreshToken {
  token: string;
  grantId: string;
  scopes: string[];
  expiresAt?: number;
  /** Single-use tokens (GitHub) are marked used instead of deleted, so a replay is told apart. */
  used?: boolean;
  /** Whether the grant came from the device flow (GitHub Apps then need no client secret to refresh). */
  fromDeviceFlow?: boolean;
  /** The access token issued with it (GitHub kills that one when the refresh token is used). */
  pairedAccess?: string;
}

/** Grants and the tokens issued under them, shared by the three emulators. */
export class GrantBook {
  readonly #now: () => number;
  readonly #grants = new Map<string, Grant>();
  readonly #access = new Map<string, IssuedAccessToken>();
  readonly #refresh = new Map<string, IssuedRefreshToken>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The live grant of `account` for `clientId`, if there is one. */
  live(account: string, clientId: string): Grant | undefined {
    return [...this.#grants.values()].find((g) => g.account === account && g.clientId === clientId && !g.dead);
  }

  /** The live grant (created when missing) with `scopes` added; a fresh interactive sign-in clears MFA and consent demands. */
  consent(account: string, clientId: string, scopes: Iterable<string>): Grant {
    let grant = this.live(account, clientId);
    if (!grant) {
      grant = { id: randomBytes(12).toString('hex'), account, clientId, scopes: new Set() };
      this.#grants.set(grant.id, grant);
    }
    for (const scope of scopes) grant.scopes.add(scope);
    delete grant.mfaRequired;
    delete grant.consentRequired;
    return grant;
  }

  grant(id: string): Grant | undefined {
    return this.#grants.get(id);
  }

  /** Records an access token. */
  addAccess(token: IssuedAccessToken): IssuedAccessToken {
    this.#access.set(token.token, token);
    return token;
  }

  /** Records a refresh token. */
  addRefresh(token: IssuedRefreshToken): IssuedRefreshToken {
    this.#refresh.set(token.token, token);
    return token;
  }

  /**
   * The access token with its grant when it is usable: known, not expired,
   * not killed; a dead grant kills it unless `survivesRevocation` (Entra's
   * self-contained JWTs stay valid until they expire).
   */
  usableAccess(token: string, options: { survivesRevocation?: boolean } = {}): { token: IssuedAccessToken; grant: Grant } | undefined {
    const record = this.#access.get(token);
    if (!record || record.dead) return undefined;
    if (record.expiresAt !== undefined && record.expiresAt <= this.#now()) return undefined;
    const grant = this.#grants.get(record.grantId);
    if (!grant || (grant.dead && !options.survivesRevocation)) return undefined;
    return { token: record, grant };
  }

  /** The refresh token record (even used or under a dead grant), so providers can answer each case as documented. */
  refreshToken(token: string): { token: IssuedRefreshToken; grant: Grant | undefined } | undefined {
    const record = this.#refresh.get(token);
    return record ? { token: record, grant: this.#grants.get(record.grantId) } : undefined;
  }

  /** Kills every access token of a grant (GitHub's rotation and revocation). */
  killAccessTokens(grantId: string, except?: string): void {
    for (const record of this.#access.values()) if (record.grantId === grantId && record.token !== except) record.dead = true;
  }

  /** Kills one access token. */
  killAccess(token: string): boolean {
    const record = this.#access.get(token);
    if (!record || record.dead) return false;
    record.dead = true;
    return true;
  }

  /** Kills a grant and everything issued under it. */
  kill(grantId: string, reason: 'revoked' | 'inactive'): void {
    const grant = this.#grants.get(grantId);
    if (!grant || grant.dead) return;
    grant.dead = reason;
  }

  /** Kills the selected accounts' live grants; returns how many. */
  revoke(selector: AccountSelector, reason: 'revoked' | 'inactive'): number {
    const chosen = this.select(selector);
    for (const grant of chosen) this.kill(grant.id, reason);
    return chosen.length;
  }

  /** The selected accounts' live grants. */
  select(selector: AccountSelector): Grant[] {
    return [...this.#grants.values()].filter((g) => !g.dead && (selector.account === undefined || g.account === selector.account));
  }

  /** Expires the selected accounts' access tokens now; returns how many. */
  expireAccessTokens(selector: AccountSelector): number {
    const grantIds = new Set(this.select(selector).map((g) => g.id));
    let count = 0;
    for (const record of this.#access.values()) {
      if (!grantIds.has(record.grantId) || record.dead) continue;
      record.expiresAt = Math.min(record.expiresAt ?? Infinity, this.#now());
      count += 1;
    }
    return count;
  }
}

/** A pending device authorization (RFC 8628), as every emulator keeps one. */
export interface DeviceAuthorization {
  deviceCode: string;
  /** As shown to the user (GitHub `WDJB-MJHT`, Google `GQVQ-JKEC`, Entra `BPPVYQZMA`). */
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  /** Seconds the client must wait between polls; grows by 5 on each `slow_down`. */
  intervalSeconds: number;
  lastPollAt?: number;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  account?: string;
  /** Whether the consent page was shown (Google issues refresh tokens only then). */
  consentShown?: boolean;
}

/** Device authorizations by device code and by user code. */
export class DeviceBook {
  readonly #byDeviceCode = new Map<string, DeviceAuthorization>();

  add(device: DeviceAuthorization): DeviceAuthorization {
    this.#byDeviceCode.set(device.deviceCode, device);
    return device;
  }

  byDeviceCode(code: string | null | undefined): DeviceAuthorization | undefined {
    return code ? this.#byDeviceCode.get(code) : undefined;
  }

  /** Finds by user code, ignoring case, spaces and hyphens as users type them. */
  byUserCode(typed: string): DeviceAuthorization | undefined {
    const wanted = normalizeUserCode(typed);
    if (!wanted) return undefined;
    return [...this.#byDeviceCode.values()].find((d) => normalizeUserCode(d.userCode) === wanted);
  }

  /**
   * The RFC 8628 polling check shared by the emulators: `slow_down` (interval
   * grows by 5 s) when polled sooner than the interval since the last poll
   * (unless `slowDown` is false, for providers that document none),
   * otherwise the state to answer.
   */
  poll(device: DeviceAuthorization, now: number, options: { slowDown?: boolean } = {}): 'expired' | 'slow_down' | 'pending' | 'denied' | 'approved' | 'redeemed' {
    if (device.status === 'redeemed') return 'redeemed';
    if (device.expiresAt <= now) return 'expired';
    const last = device.lastPollAt;
    device.lastPollAt = now;
    if (options.slowDown !== false && device.status === 'pending' && last !== undefined && now - last < device.intervalSeconds * 1000) {
      device.intervalSeconds += 5;
      return 'slow_down';
    }
    return device.status;
  }
}

function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** How a provider's sign-in pages look and what happens when the user acts on them. */
export interface SignInPagesOptions<W> {
  now: () => number;
  /** The line under each page's heading, naming the emulated provider. */
  tag: string;
  /** What the login page says about user names. */
  accountHint: string;
  /** Real URLs the pages post to (rewritten to emulated ones). */
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
  startWeb(res: ServerResponse, start: { clientId: string; scopes: string[]; loginHint?: string; web: W }): void {
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
    const pending = this.#take(call);
    if (!pending) return;
    const form = new URLSearchParams(await readBody(call.req, MAX_BODY_BYTES));
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
    const pending = this.#take(call);
    if (!pending) return;
    const form = new URLSearchParams(await readBody(call.req, MAX_BODY_BYTES));
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
      this.#showCodePage(call.res, { kind: 'invalid-code', text: 'That code is not right. Check it and try again.', error: true });
    } else if (device.expiresAt <= this.#options.now()) {
      this.#showCodePage(call.res, { kind: 'expired-code', text: 'That code has expired. Start the sign-in again on your device.', error: true });
    } else if (device.status !== 'pending') {
      this.#showCodePage(call.res, { kind: 'used-code', text: 'That code was already used. Start the sign-in again on your device.', error: true });
    } else {
      const pending: PendingSignIn<W> = { id: randomBytes(16).toString('base64url'), clientId: device.clientId, scopes: device.scopes, device, expiresAt: device.expiresAt };
      this.#remember(pending);
      const form = `<form id="op.deviceConfirmForm" method="post" action="${escapeAttr(this.#action('deviceConfirm', pending))}"></form>`;
      sendHtml(call.res, 200, renderDeviceConfirmPage(form, this.#options.clientName(device.clientId), device.userCode, this.#page()));
    }
  }

  /** `POST` of the confirmation page: on to sign-in, or the code form with "aborted" after Abort. */
  async submitDeviceConfirm(call: EmulatedCall): Promise<void> {
    const pending = this.#take(call);
    if (!pending) return;
    const form = new URLSearchParams(await readBody(call.req, MAX_BODY_BYTES));
    if (form.get('abort') === 'yes') {
      this.#finishDenied(call.res, pending, 'login');
      return;
    }
    this.#showLogin(call.res, pending);
  }

  #take(call: EmulatedCall): PendingSignIn<W> | undefined {
    const id = call.url.searchParams.get('txn') ?? '';
    const pending = this.#pending.get(id);
    if (!pending || pending.expiresAt <= this.#options.now()) {
      this.#error(call.res, 400, 'This sign-in has expired', [['error', 'unknown or expired sign-in']], 'Start the sign-in again from the app.');
      return undefined;
    }
    return pending;
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

  #showCodePage(res: ServerResponse, notice?: PageNotice): void {
    const action = emulatedUrl(this.#options.origin, this.#options.urls.deviceEntry);
    const form = `<form id="op.deviceInputForm" novalidate method="post" action="${escapeAttr(action)}"><label for="user_code">Code</label><input id="user_code" type="text" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus></form>`;
    sendHtml(res, notice ? 400 : 200, renderDeviceCodePage(form, notice, this.#page()));
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

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An error page of an emulator (unknown client, redirect URI not
 * registered: the cases where providers show the user a page instead of
 * redirecting back).
 *
 * @example
 * ```ts
 * sendErrorPage(res, 400, 'Error 400: redirect_uri_mismatch', [['error', 'redirect_uri_mismatch']], 'Emulated Google');
 * ```
 */
export function sendErrorPage(res: ServerResponse, status: number, title: string, details: Array<[string, string]>, tag: string, hint?: string): void {
  sendHtml(res, status, renderErrorPage(title, details, hint, { tag }));
}

/**
 * A 302 to `location`.
 *
 * @example
 * ```ts
 * redirect(call.res, withQuery(redirectUri, { code, state }));
 * ```
 */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': '0' });
  res.end();
}

/**
 * `base` with `params` appended to its query (keeping what it already has),
 * written as text so the app's redirect URI is kept character for character.
 *
 * @example
 * ```ts
 * withQuery('http://127.0.0.1:5999/callback', { code: 'c', state: 's' }); // 'http://127.0.0.1:5999/callback?code=c&state=s'
 * ```
 */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
  if (!query) return base;
  const hash = base.indexOf('#');
  const head = hash === -1 ? base : base.slice(0, hash);
  return `${head}${head.includes('?') ? '&' : '?'}${query}`;
}

/**
 * The parameters of a token-style request: the form (or JSON) body, after
 * the query string when `withQuery` (GitHub reads both).
 *
 * @example
 * ```ts
 * const params = await readParams(call, { withQuery: true });
 * ```
 */
export async function readParams(call: EmulatedCall, options: { withQuery?: boolean } = {}): Promise<URLSearchParams> {
  const params = new URLSearchParams(options.withQuery ? call.url.search : '');
  const text = await readBody(call.req, MAX_BODY_BYTES);
  if (!text.trim()) return params;
  const type = call.req.headers['content-type'] ?? '';
  if (/application\/json/i.test(type)) {
    try {
      const body = JSON.parse(text) as unknown;
      if (body && typeof body === 'object') {
        for (const [key, value] of Object.entries(body)) if (typeof value === 'string' || typeof value === 'number') params.set(key, String(value));
      }
    } catch (err) {
      // A body that is not JSON carries no parameters; the provider answers the missing ones.
      void err;
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(text)) params.set(key, value);
  return params;
}

/**
 * Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret).
 *
 * @example
 * ```ts
 * const clientId = params.get('client_id') ?? basicCredentials(call.req)?.clientId;
 * ```
 */
export function basicCredentials(req: IncomingMessage): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const unescape = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value; // not form-encoded: taken as typed
    }
  };
  return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
}

/**
 * The bearer token of a request (`Bearer x`, or GitHub's `token x` with `schemes`).
 *
 * @example
 * ```ts
 * const presented = bearerToken(call.req, /^(Bearer|token)$/i);
 * ```
 */
export function bearerToken(req: IncomingMessage, schemes: RegExp = /^Bearer$/i): string | undefined {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
  return match && schemes.test(match[1] as string) ? (match[2] as string) : undefined;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random string of `length` characters from `alphabet` (default base62).
 *
 * @example
 * ```ts
 * `gho_${randomString(36)}`;
 * ```
 */
export function randomString(length: number, alphabet: string = BASE62): string {
  // Rejection sampling keeps the characters uniform.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A stable number in `[0, modulo)` from a string, for ids derived from a
 * login name (so a user keeps their id across sign-ins and restarts).
 *
 * @example
 * ```ts
 * stableNumber('github:alice', 100_000_000);
 * ```
 */
export function stableNumber(value: string, modulo: number): number {
  return createHash('sha256').update(value).digest().readUInt32BE(0) % modulo;
}

/**
 * A stable UUID-shaped id from a string (Entra object ids).
 *
 * @example
 * ```ts
 * stableGuid('entra:alice'); // the same GUID on every run
 * ```
 */
export function stableGuid(value: string): string {
  const hex = createHash('sha256').update(value).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An RS256 key that signs ID tokens (and Entra's JWT access tokens) and is published as a JWK. */
export class SigningKey {
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #publicJwk: Record<string, unknown>;

  private constructor(kid: string, privateKey: KeyObject) {
    this.kid = kid;
    this.#privateKey = privateKey;
    this.#publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  }

  /**
   * A fresh 2048-bit key.
   *
   * @example
   * ```ts
   * const key = SigningKey.generate();
   * ```
   */
  static generate(): SigningKey {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new SigningKey(randomBytes(20).toString('hex'), privateKey);
  }

  /** The public key as published in a JWKS (`kty`, `n`, `e`, `kid`, `alg`, `use`, plus `extra`). */
  jwk(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { kty: 'RSA', use: 'sig', kid: this.kid, n: this.#publicJwk.n, e: this.#publicJwk.e, alg: 'RS256', ...extra };
  }

  /** A compact RS256 JWS of `payload`. */
  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const input = `${encode({ alg: 'RS256', kid: this.kid, typ: 'JWT', ...header })}.${encode(payload)}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.#privateKey).toString('base64url');
    return `${input}.${signature}`;
  }
}

/**
 * OpenID Connect `at_hash`: the left half of the access token's SHA-256, base64url.
 *
 * @example
 * ```ts
 * claims.at_hash = atHash(accessToken);
 * ```
 */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

/**
 * Whether `verifier` answers the PKCE `challenge` (RFC 7636 §4.6) with `method`.
 *
 * @example
 * ```ts
 * if (!pkceMatches(code.challenge, code.method, params.get('code_verifier'))) return badCode();
 * ```
 */
export function pkceMatches(challenge: string, method: 'S256' | 'plain', verifier: string | null): boolean {
  if (!verifier) return false;
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === challenge;
}

/**
 * Loopback hosts of RFC 8252 §7.3 (and `localhost`, which the providers also accept).
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://[::1]:5000/cb').hostname); // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

