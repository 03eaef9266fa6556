import { createHash, createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { startAuthorizationServer, type AuthorizationServerOptions, type EmulatedProvider, type RunningAuthorizationServer } from '../src/index.js';

/** The emulators' clock in tests: starts now, moves only when told. */
export class FakeClock {
  #ms = Date.now();
  readonly now = (): number => this.#ms;
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

/** Registered apps with known secrets, as `sandbox start` records them. */
export const CONFIDENTIAL = { clientId: 'opperator-demo', clientSecret: 'sandbox-secret-test' };
export const PUBLIC_CLIENT = { clientId: 'opperator-demo-public' };
export const GITHUB_APP = { clientId: 'Iv1.0123456789abcdef', clientSecret: '0123456789abcdef0123456789abcdef01234567' };

/** A sandbox emulating `providers` on 127.0.0.1:0 with the fake clock. */
export async function startEmulating(providers: EmulatedProvider[], clock: FakeClock, options: AuthorizationServerOptions = {}): Promise<RunningAuthorizationServer> {
  return startAuthorizationServer({ emulate: providers, now: clock.now, clients: [CONFIDENTIAL, PUBLIC_CLIENT], githubAppClient: GITHUB_APP, ...options });
}

/** A PKCE pair (S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * `fetch` as a client of the emulated providers sends requests: a real
 * (https) URL on a host that `server` emulates goes to
 * `server.emulatedUrl(url)`, as `routeToEmulator` of @opperator/oauth does;
 * anything else (emulated URLs, the app's loopback redirects) as given. The
 * emulators name the providers' real hosts on the wire, so a test follows
 * every URL taken from a response (discovery endpoints, verification URIs)
 * through this.
 */
export function routedFetch(server: RunningAuthorizationServer): typeof fetch {
  const hosts = new Set<string>(Object.values(server.emulators).flatMap((emulator) => emulator.hosts));
  const route = (url: string): string => {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.port === '' && hosts.has(parsed.hostname) ? server.emulatedUrl(url) : url;
  };
  return ((input: string | URL | Request, init?: RequestInit) => {
    if (input instanceof Request) {
      const target = route(input.url);
      return fetch(target === input.url ? input : new Request(target, input), init);
    }
    return fetch(route(String(input)), init);
  }) as typeof fetch;
}

/** POSTs a form with `send` (default the global fetch; {@link routedFetch} for a real URL); `headers` added. */
export function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}, send: typeof fetch = fetch): Promise<Response> {
  return send(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields), redirect: 'manual' });
}

export function basic(clientId: string, secret: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** The `action` of the page's (first) form, unescaped. */
export function formAction(html: string, formId?: string): string {
  const pattern = formId ? new RegExp(`<form id="${formId.replace('.', '\\.')}"[^>]*action="([^"]+)"`) : /<form[^>]*action="([^"]+)"/;
  const match = pattern.exec(html);
  if (!match) throw new Error(`no form action in page: ${html.slice(0, 300)}`);
  return (match[1] as string).replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}

export function dataPage(html: string): string | undefined {
  return /<body data-page="([^"]+)"/.exec(html)?.[1];
}

/**
 * Plays the user of a web sign-in over plain HTTP with `send` (a
 * {@link routedFetch} when the URL came from a response): opens the
 * authorization URL, signs in as `login`, then allows (or denies) on the
 * consent page when there is one. Returns the redirect back to the app and
 * whether consent was asked.
 */
export async function signInOverHttp(send: typeof fetch, authorizationUrl: string, options: { login?: string; decision?: 'allow' | 'deny' } = {}): Promise<{ location: URL; consentAsked: boolean }> {
  const start = await send(authorizationUrl, { redirect: 'manual' });
  expect(start.status, await start.clone().text()).toBe(200);
  const loginHtml = await start.text();
  expect(dataPage(loginHtml)).toBe('login');
  expect(start.headers.get('content-security-policy')).toContain("default-src 'none'");
  // The pages' forms post to emulated URLs (the browser is on the emulated host): sent as they are, with no routing.
  const signedIn = await postForm(formAction(loginHtml), { login: options.login ?? 'alice', password: 'any', decision: 'allow' });
  if (signedIn.status === 302) return { location: new URL(signedIn.headers.get('location') as string), consentAsked: false };
  const consentHtml = await signedIn.text();
  expect(dataPage(consentHtml), consentHtml).toBe('consent');
  const decided = await postForm(formAction(consentHtml), { decision: options.decision ?? 'allow' });
  expect(decided.status).toBe(302);
  return { location: new URL(decided.headers.get('location') as string), consentAsked: true };
}

/**
 * Plays the user of a device sign-in over plain HTTP up to the final page,
 * opening the verification URL (the provider's real one, from the device
 * authorization response) with `send`, a {@link routedFetch}; returns the final page's `data-page`.
 */
export async function approveDeviceOverHttp(send: typeof fetch, verificationUrl: string, userCode: string, options: { login?: string; decision?: 'allow' | 'deny' } = {}): Promise<string | undefined> {
  const entry = await send(verificationUrl);
  const entryHtml = await entry.text();
  expect(dataPage(entryHtml)).toBe('device-code');
  const confirm = await postForm(formAction(entryHtml, 'op.deviceInputForm'), { user_code: userCode.toLowerCase() });
  const confirmHtml = await confirm.text();
  expect(dataPage(confirmHtml), confirmHtml).toBe('device-confirm');
  const login = await postForm(formAction(confirmHtml, 'op.deviceConfirmForm'), {});
  const loginHtml = await login.text();
  expect(dataPage(loginHtml)).toBe('login');
  const afterLogin = await postForm(formAction(loginHtml), { login: options.login ?? 'alice', decision: 'allow' });
  let html = await afterLogin.text();
  if (dataPage(html) === 'consent') html = await (await postForm(formAction(html), { decision: options.decision ?? 'allow' })).text();
  return dataPage(html);
}

/** The claims of a JWT after checking its RS256 signature against `jwks`. */
export function verifyJwt(jwt: string, jwks: { keys: Array<Record<string, unknown>> }): Record<string, unknown> {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no key ${kid} in the JWKS`);
  const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, format: 'jwk' });
  const ok = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('bad signature');
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}
