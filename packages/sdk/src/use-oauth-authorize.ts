import { canOpenBrowser, type AuthorizeProgressEvent, type OAuthClient, type TokenSet } from '@opperator/oauth';
import type { InvokingClient } from '@opperator/protocol';
import type { ProgressUpdate } from './types.js';
import type { UseOAuthAuthorizeResult } from './use-oauth-options.js';

/** What {@link runAuthorize} needs besides the client. */
export interface RunAuthorizeOptions {
  device?: boolean;
  signal?: AbortSignal;
  onProgress: (update: ProgressUpdate) => void;
  /** Sent as `login_hint` in the browser flow. */
  loginHint?: string;
  /** The interactive client waiting on the sign-in (the command's `ctx.client`); it opens the page where the user is. */
  client?: InvokingClient | undefined;
}

/**
 * True when a browser can plausibly be opened here: `BROWSER` is set, the
 * platform has an opener of its own, or a Linux desktop session is running.
 *
 * @example
 * ```ts
 * if (!hasUsableBrowser()) console.log('using the device flow');
 * ```
 */
export function hasUsableBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  return canOpenBrowser(env, platform);
}

/**
 * Runs one sign-in (browser loopback flow, or the device flow when asked for
 * or when no browser can be opened and the provider supports it), reporting
 * every step in words, then verifies the stored tokens by asking for an
 * access token through the store, as later calls will.
 *
 * @example
 * ```ts
 * const { account } = await runAuthorize(client, { onProgress: (p) => ctx.reportProgress(p) });
 * ```
 */
export async function runAuthorize(client: OAuthClient, options: RunAuthorizeOptions): Promise<UseOAuthAuthorizeResult> {
  const report = options.onProgress;
  const signal = options.signal ? { signal: options.signal } : {};
  let tokens: TokenSet;
  // The page opens where the user is: through the client that invoked the
  // command, with its environment; the agent's own only when nobody is attached.
  const waiting = options.client;
  const browserHere = waiting ? waiting.browser : hasUsableBrowser();
  if (options.device || (!browserHere && (await supportsDeviceFlow(client)))) {
    // Said on the line that stays (a task record keeps the latest), so a detached run shows it too.
    const why = options.device ? '' : `${noBrowserReason(waiting)}; sign in with a code instead. `;
    report({ text: 'Requesting a device code...', progress: 0.1 });
    tokens = await client.authorizeWithDevice({
      ...signal,
      onUserCode: (code) => {
        const where = code.verificationUriComplete ?? code.verificationUri;
        report({ text: `${why}Open ${where} and enter the code ${code.userCode} (valid until ${new Date(code.expiresAt).toLocaleTimeString()}). Waiting for you to finish...`, progress: 0.3 });
      },
    });
    report({ text: `Tokens saved to ${client.store.description}`, progress: 0.9 });
  } else {
    if (!waiting) report({ text: "No interactive client is attached (a detached or scheduled run): opening the browser from the agent's own environment.", progress: 0.05 });
    tokens = await client.authorize({
      ...signal,
      ...(waiting ? { openBrowser: (url: string) => openThroughClient(waiting, url, report) } : {}),
      ...(options.loginHint ? { authorizationParams: { login_hint: options.loginHint } } : {}),
      onProgress: (event) => {
        const update = describeProgress(event);
        if (update) report(update);
      },
    });
  }
  // Verification: the token must come back out of the store for this client.
  await client.getAccessToken();
  const account = tokens.account;
  report({ text: account ? `Verified as ${account}` : 'Verified (the provider did not name the account)', progress: 1 });
  return { ...(account === undefined ? {} : { account }), scopes: [...tokens.scopes] };
}

/**
 * The words for one step of the browser flow; `undefined` for steps not worth a line.
 *
 * @example
 * ```ts
 * describeProgress({ type: 'exchanging' }); // { text: 'Exchanging the code for tokens...', progress: 0.8 }
 * ```
 */
export function describeProgress(event: AuthorizeProgressEvent): ProgressUpdate | undefined {
  switch (event.type) {
    case 'listening':
      return { text: `Listening on port ${event.port}`, progress: 0.1 };
    case 'browser-opened':
      return { text: 'Browser opened; waiting for you to sign in...', progress: 0.3 };
    case 'browser-failed':
      return { text: `Could not open a browser (${event.reason}). Open this URL: ${event.authorizationUrl} — waiting for you to sign in...`, progress: 0.3 };
    case 'callback-rejected':
      return undefined;
    case 'callback-received':
      return { text: 'Sign-in received', progress: 0.7 };
    case 'exchanging':
      return { text: 'Exchanging the code for tokens...', progress: 0.8 };
    case 'saved':
      return { text: `Tokens saved to ${event.store}`, progress: 0.9 };
  }
}

/** Why no browser will open, in words, for the line that explains the device flow. */
function noBrowserReason(waiting: InvokingClient | undefined): string {
  return waiting
    ? 'No browser can be opened where you ran the command (no BROWSER, no display)'
    : "No interactive client is attached and the agent's environment has no browser (no BROWSER, no display)";
}

/**
 * Hands the sign-in page to the waiting client, which opens it with its own
 * environment; a client that cannot open one shows the URL instead.
 */
function openThroughClient(waiting: InvokingClient, url: string, report: (update: ProgressUpdate) => void): void {
  if (!waiting.browser) throw new Error('no browser can be opened where you ran the command (no BROWSER, no display)');
  report({ text: 'Opening the sign-in page in your browser...', progress: 0.2, openUrl: url });
}

async function supportsDeviceFlow(client: OAuthClient): Promise<boolean> {
  try {
    return Boolean((await client.getConfiguration()).serverMetadata().device_authorization_endpoint);
  } catch {
    // Discovery problems surface in the browser flow, with its own message.
    return false;
  }
}
