import type { AuthorizeProgressEvent, OAuthClient, TokenSet } from '@opperator/oauth';
import type { ProgressUpdate } from './types.js';
import type { UseOAuthAuthorizeResult } from './use-oauth-options.js';

/** What {@link runAuthorize} needs besides the client. */
export interface RunAuthorizeOptions {
  device?: boolean;
  signal?: AbortSignal;
  onProgress: (update: ProgressUpdate) => void;
  /** Sent as `login_hint` in the browser flow. */
  loginHint?: string;
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
  if (env.BROWSER) return true;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
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
  if (options.device || (!hasUsableBrowser() && (await supportsDeviceFlow(client)))) {
    report({ text: 'Requesting a device code...', progress: 0.1 });
    tokens = await client.authorizeWithDevice({
      ...signal,
      onUserCode: (code) => {
        const where = code.verificationUriComplete ?? code.verificationUri;
        report({ text: `Open ${where} and enter the code ${code.userCode} (valid until ${new Date(code.expiresAt).toLocaleTimeString()}). Waiting for you to finish...`, progress: 0.3 });
      },
    });
    report({ text: `Tokens saved to ${client.store.description}`, progress: 0.9 });
  } else {
    tokens = await client.authorize({
      ...signal,
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

async function supportsDeviceFlow(client: OAuthClient): Promise<boolean> {
  try {
    return Boolean((await client.getConfiguration()).serverMetadata().device_authorization_endpoint);
  } catch {
    // Discovery problems surface in the browser flow, with its own message.
    return false;
  }
}
