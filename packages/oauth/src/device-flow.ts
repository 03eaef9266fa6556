import { inspect } from 'node:util';
import * as oidc from 'openid-client';
import { OAuthError, type OAuthErrorOptions } from './errors.js';
import { translateProviderError } from './translate-error.js';

/** RFC 8628 §3.2: the poll interval when the provider names none. */
const DEFAULT_DEVICE_POLL_INTERVAL_SECONDS = 5;

/**
 * What the user needs to finish a device sign-in on another device: open
 * `verificationUri` and type `userCode` (or open `verificationUriComplete`,
 * which carries the code). The user code is not a secret; the device code the
 * provider issued alongside it is, and never leaves {@link runDeviceFlow}.
 *
 * @example
 * ```ts
 * const show = (code: DeviceUserCode) =>
 *   console.log(`Open ${code.verificationUri} and enter ${code.userCode} before ${new Date(code.expiresAt).toLocaleTimeString()}.`);
 * ```
 */
export interface DeviceUserCode {
  /** The code the user types on the verification page. */
  userCode: string;
  /** The provider's verification page. */
  verificationUri: string;
  /** The verification page with the user code filled in (for a link or QR code), when the provider offers one. */
  verificationUriComplete?: string;
  /** When the codes expire (epoch ms, by the flow's `now()`). */
  expiresAt: number;
  /** How often the token endpoint is polled at first; `slow_down` answers make it longer. */
  intervalMs: number;
}

/**
 * What {@link runDeviceFlow} needs.
 *
 * @example
 * ```ts
 * const settings: DeviceFlowSettings = {
 *   config, // an openid-client Configuration with customFetch / allowInsecureRequests already applied
 *   scopes: ['openid', 'email', 'offline_access'],
 *   onUserCode: (code) => console.log(`Open ${code.verificationUri} and enter ${code.userCode}`),
 *   signal: AbortSignal.timeout(10 * 60_000),
 * };
 * ```
 */
export interface DeviceFlowSettings {
  /** The client's openid-client configuration, as the caller prepared it (fetch seam, insecure loopback). */
  config: oidc.Configuration;
  /** Scopes to request; none sends no `scope` parameter. */
  scopes: readonly string[];
  /** Shows the user code to the user; awaited before polling starts, and a throw ends the flow. */
  onUserCode: (code: DeviceUserCode) => void | Promise<void>;
  /** Cancels the flow at any point: `OAUTH_ABORTED`. */
  signal?: AbortSignal;
  /** Clock seam (epoch ms) for {@link DeviceUserCode.expiresAt}; default `Date.now`. */
  now?: () => number;
}

/**
 * Runs one RFC 8628 device authorization grant: asks the provider for a
 * device code and a user code, hands the user code to `onUserCode`, then polls
 * the token endpoint (openid-client honours `authorization_pending`,
 * `slow_down` and the provider's interval) until the user approves, denies,
 * or the code expires. Returns the token endpoint response.
 *
 * Errors are {@link OAuthError}s: `OAUTH_UNSUPPORTED` (no device endpoint),
 * `OAUTH_ACCESS_DENIED`, `OAUTH_DEVICE_CODE_EXPIRED`, `OAUTH_ABORTED`, and the
 * codes of {@link translateProviderError}. None of them contains the device code.
 *
 * @example
 * ```ts
 * const tokens = await runDeviceFlow({
 *   config,
 *   scopes: ['openid', 'offline_access'],
 *   onUserCode: ({ verificationUri, userCode }) => console.log(`Open ${verificationUri} and enter ${userCode}`),
 *   signal,
 * });
 * console.log(tokens.claims()?.email);
 * ```
 */
export async function runDeviceFlow(settings: DeviceFlowSettings): Promise<Awaited<ReturnType<typeof oidc.pollDeviceAuthorizationGrant>>> {
  const { config } = settings;
  const now = settings.now ?? Date.now;
  const metadata = config.serverMetadata();
  if (!metadata.device_authorization_endpoint) {
    throw new OAuthError(
      'OAUTH_UNSUPPORTED',
      `The provider ${JSON.stringify(metadata.issuer)} offers no device flow (its metadata has no device_authorization_endpoint). Use the browser sign-in instead.`,
    );
  }

  // One controller ends every wait: the caller's signal (OAUTH_ABORTED) or
  // the code's expiry (OAUTH_DEVICE_CODE_EXPIRED). Its reason is the error thrown.
  const stop = new AbortController();
  const onUserAbort = () => stop.abort(new OAuthError('OAUTH_ABORTED', 'Device sign-in was cancelled.', { cause: settings.signal?.reason }));
  if (settings.signal?.aborted) onUserAbort();
  settings.signal?.addEventListener('abort', onUserAbort, { once: true });
  let expiryTimer: NodeJS.Timeout | undefined;
  try {
    throwIfStopped(stop.signal);
    const scope = settings.scopes.join(' ');
    const authorization = await askProvider(oidc.initiateDeviceAuthorization(config, scope ? { scope } : {}), stop.signal);

    const expiresAt = now() + authorization.expires_in * 1000;
    // The caller's own failure is theirs: it propagates untranslated.
    await settings.onUserCode({
      userCode: authorization.user_code,
      verificationUri: authorization.verification_uri,
      ...(authorization.verification_uri_complete ? { verificationUriComplete: authorization.verification_uri_complete } : {}),
      expiresAt,
      intervalMs: (authorization.interval ?? DEFAULT_DEVICE_POLL_INTERVAL_SECONDS) * 1000,
    });
    throwIfStopped(stop.signal);

    // openid-client stops at expires_in only when it gets no signal of its own;
    // we pass ours, so the expiry is ours to enforce.
    expiryTimer = setTimeout(() => stop.abort(expiredError()), Math.max(0, expiresAt - now()));
    const polling = oidc.pollDeviceAuthorizationGrant(config, authorization, undefined, { signal: stop.signal });
    return await askProvider(polling, stop.signal, authorization.device_code);
  } finally {
    clearTimeout(expiryTimer);
    settings.signal?.removeEventListener('abort', onUserAbort);
  }
}

/**
 * Awaits one openid-client call and translates what it throws. The race with
 * `stop` makes cancellation immediate: initiateDeviceAuthorization takes no
 * signal, and the poll checks its signal only between wait steps (up to 5 s).
 */
async function askProvider<T>(work: Promise<T>, stop: AbortSignal, deviceCode?: string): Promise<T> {
  try {
    return await abortable(work, stop);
  } catch (err) {
    // openid-client wraps a signal's reason ("something went wrong"); the reason itself is the answer.
    if (stop.aborted && stop.reason instanceof OAuthError) throw stop.reason;
    throw withoutDeviceCode(translateDeviceError(err), deviceCode ?? deviceCodeInCause(err));
  }
}

function translateDeviceError(err: unknown): OAuthError {
  const translated = translateProviderError(err, 'device authorization');
  const { error, errorDescription, status } = translated;
  const details = { cause: err, ...(error === undefined ? {} : { error }), ...(errorDescription === undefined ? {} : { errorDescription }), ...(status === undefined ? {} : { status }) };
  const said = errorDescription ? ` (${JSON.stringify(errorDescription)})` : '';
  if (translated.code === 'OAUTH_DEVICE_CODE_EXPIRED') return expiredError(details, said);
  if (translated.code === 'OAUTH_ACCESS_DENIED') {
    return new OAuthError('OAUTH_ACCESS_DENIED', `Access was not granted on the verification page${said}. Run the sign-in again to retry.`, details);
  }
  return translated;
}

function expiredError(details: OAuthErrorOptions = {}, said = ''): OAuthError {
  return new OAuthError('OAUTH_DEVICE_CODE_EXPIRED', `The device code expired before the sign-in was finished${said}. Run the sign-in again.`, details);
}

/**
 * A provider that echoes the device code (in an error description, or in a
 * malformed response kept as the error's cause) must not make it leak: the
 * text is masked and the cause chain holding it is dropped.
 */
function withoutDeviceCode(error: OAuthError, deviceCode: string | undefined): OAuthError {
  if (!deviceCode || !inspect(error, { depth: Infinity }).includes(deviceCode)) return error;
  const mask = (text: string) => text.split(deviceCode).join('[device code]');
  return new OAuthError(error.code, mask(error.message), {
    ...(error.error === undefined ? {} : { error: mask(error.error) }),
    ...(error.errorDescription === undefined ? {} : { errorDescription: mask(error.errorDescription) }),
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}

/** oauth4webapi keeps a malformed response's body (`{ body }`) deep in the cause chain. */
function deviceCodeInCause(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth += 1) {
    const body: unknown = (current as { body?: unknown }).body;
    if (body && typeof body === 'object' && typeof (body as { device_code?: unknown }).device_code === 'string') {
      return (body as { device_code: string }).device_code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
