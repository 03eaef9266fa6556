import * as oidc from 'openid-client';
import type { CallbackPage } from './callback-pages.js';
import { OAuthError } from './errors.js';
import { LoopbackReceiver, type AcceptedCallback, type PortOption, type RejectedCallbackReason } from './loopback-receiver.js';
import type { OpenBrowser } from './browser-opener.js';
import { translateProviderError } from './translate-error.js';

/** How long `authorize()` waits for the user by default. */
export const DEFAULT_AUTHORIZE_TIMEOUT_MS = 5 * 60_000;

/**
 * Progress of a loopback sign-in, in order. None carries a token; the
 * authorization URL holds only public values (client id, state, PKCE challenge).
 */
export type AuthorizeProgressEvent =
  | { type: 'listening'; port: number; redirectUri: string; authorizationUrl: string }
  | { type: 'browser-opened'; authorizationUrl: string }
  | { type: 'browser-failed'; authorizationUrl: string; reason: string }
  | { type: 'callback-rejected'; reason: RejectedCallbackReason }
  | { type: 'callback-received' }
  | { type: 'exchanging' }
  | { type: 'saved'; store: string; expiresAt?: number; scopes: string[]; account?: string }
  /** Before any of the above: another sign-in of this grant is under way (another agent or process sharing the store); this one waits for it. */
  | { type: 'waiting-for-other-sign-in'; store: string }
  /** The sign-in waited for finished, and its tokens serve this one: no browser was opened. */
  | { type: 'adopted'; store: string; scopes: string[]; account?: string };

/** What the flow needs beyond the user's options. */
export interface LoopbackFlowSettings {
  config: oidc.Configuration;
  scopes: readonly string[];
  authorizationParams: Readonly<Record<string, string>>;
  callbackPath: string;
  port: PortOption;
  timeoutMs: number;
  signal?: AbortSignal;
  openBrowser: OpenBrowser;
  onProgress: (event: AuthorizeProgressEvent) => void;
  /** The authorization URL as the user's browser should open it (an emulated provider's is on the emulator). */
  presentUrl?: (url: string) => string;
}

/** Result of a successful loopback flow. */
export type TokenEndpointResult = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/**
 * Runs one authorization-code + PKCE flow through a loopback receiver and
 * returns the token endpoint response. The receiver is closed on every path
 * out of this function, so the port is never left open.
 */
export async function runLoopbackFlow(settings: LoopbackFlowSettings): Promise<TokenEndpointResult> {
  const { config, onProgress } = settings;
  const stop = new AbortController();
  const onUserAbort = () => stop.abort(new OAuthError('OAUTH_ABORTED', 'Sign-in was cancelled.', { cause: settings.signal?.reason }));
  if (settings.signal?.aborted) onUserAbort();
  settings.signal?.addEventListener('abort', onUserAbort, { once: true });
  const timer = setTimeout(
    () => stop.abort(new OAuthError('OAUTH_TIMEOUT', `No sign-in completed within ${formatDuration(settings.timeoutMs)}. Run the sign-in again and finish it in the browser.`)),
    settings.timeoutMs,
  );
  if (stop.signal.aborted) {
    clearTimeout(timer);
    throw stop.signal.reason;
  }

  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  let receiver: LoopbackReceiver | undefined;
  let callback: AcceptedCallback | undefined;
  try {
    receiver = await LoopbackReceiver.listen({
      port: settings.port,
      callbackPath: settings.callbackPath,
      expectedState: state,
      onRejected: (reason) => onProgress({ type: 'callback-rejected', reason }),
    });
    const providerUrl = oidc.buildAuthorizationUrl(config, {
      ...settings.authorizationParams,
      redirect_uri: receiver.redirectUri,
      response_type: 'code',
      scope: settings.scopes.join(' '),
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).href;
    const authorizationUrl = settings.presentUrl ? settings.presentUrl(providerUrl) : providerUrl;
    onProgress({ type: 'listening', port: receiver.port, redirectUri: receiver.redirectUri, authorizationUrl });
    void openInBackground(settings.openBrowser, authorizationUrl, onProgress);

    callback = await receiver.waitForCallback(stop.signal);
    onProgress({ type: 'callback-received' });
    onProgress({ type: 'exchanging' });
    const tokens = await abortable(exchangeCode(config, callback.url, codeVerifier, state), stop.signal);
    await callback.respond({ status: 200, title: 'Signed in', message: 'You are signed in. You can close this window and return to Opperator.' });
    return tokens;
  } catch (err) {
    let error: unknown = err;
    try {
      error = err instanceof OAuthError ? err : translateProviderError(err, 'sign-in');
    } finally {
      // A programming error is rethrown as it is, but the browser still gets an answer.
      if (callback) await callback.respond(error instanceof OAuthError ? failurePage(error) : { status: 500, title: 'Sign-in failed', message: 'The sign-in failed. You can close this window; the program that started it says why.' });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    settings.signal?.removeEventListener('abort', onUserAbort);
    await receiver?.close();
  }
}

async function exchangeCode(config: oidc.Configuration, callbackUrl: URL, codeVerifier: string, state: string): Promise<TokenEndpointResult> {
  checkIssuerParameter(config.serverMetadata(), callbackUrl.searchParams.get('iss'));
  try {
    return await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: codeVerifier, expectedState: state });
  } catch (err) {
    throw translateProviderError(err, 'token exchange');
  }
}

/**
 * RFC 9207 §2.4: when the server says it sends `iss`, it must be there; when
 * present, it must name the server. Checked here, before openid-client, so the
 * outcome has its own code without reading an error message.
 */
function checkIssuerParameter(metadata: oidc.ServerMetadata, iss: string | null): void {
  const required = metadata.authorization_response_iss_parameter_supported === true;
  if ((iss === null && required) || (iss !== null && iss !== metadata.issuer)) {
    throw new OAuthError('OAUTH_ISSUER_MISMATCH', `The authorization response's issuer ("iss") is ${iss === null ? 'missing' : `${JSON.stringify(iss)}, not ${JSON.stringify(metadata.issuer)}`}; the sign-in was stopped (possible mix-up attack).`);
  }
}

async function openInBackground(openBrowser: OpenBrowser, url: string, onProgress: (event: AuthorizeProgressEvent) => void): Promise<void> {
  try {
    await openBrowser(url);
    onProgress({ type: 'browser-opened', authorizationUrl: url });
  } catch (err) {
    onProgress({ type: 'browser-failed', authorizationUrl: url, reason: err instanceof Error ? err.message : String(err) });
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function failurePage(error: OAuthError): CallbackPage {
  if (error.code === 'OAUTH_ACCESS_DENIED') {
    return { status: 403, code: error.code, title: 'Sign-in cancelled', message: `Access was not granted${error.errorDescription ? `: ${error.errorDescription}` : ''}. You can close this window.` };
  }
  const said = error.error ? `${error.error}${error.errorDescription ? `: ${error.errorDescription}` : ''}` : error.message;
  return { status: 400, code: error.code, title: 'Sign-in failed', message: `${said}. You can close this window and try again.` };
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${ms} ms`;
}
