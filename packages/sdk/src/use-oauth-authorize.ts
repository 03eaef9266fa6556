import { canOpenBrowser, type AuthorizeProgressEvent, type OAuthClient, type TokenSet } from '@opperator/oauth';
import type { InvokingClient } from '@opperator/protocol';
import { formatHumanTime } from '@opperator/protocol';
import { chooseSignInPath, type SignInPath, type SignInUnderWay } from './sign-in-path.js';
import type { ProgressUpdate } from './types.js';
import type { UseOAuthAuthorizeResult } from './use-oauth-options.js';

/** What {@link runAuthorize} needs besides the client. */
export interface RunAuthorizeOptions {
  /** The path the user asked for; default: chosen by {@link chooseSignInPath}. */
  path?: SignInPath | undefined;
  signal?: AbortSignal;
  onProgress: (update: ProgressUpdate) => void;
  /** Sent as `login_hint` in the browser flow. */
  loginHint?: string;
  /** The interactive client waiting on the sign-in (the command's `ctx.client`); it opens the page where the user is. */
  client?: InvokingClient | undefined;
  /** Scopes to add to the grant (see `OAuthClient.authorize`). */
  scopes?: readonly string[] | undefined;
  /** Told where the user finishes the sign-in once it waits for them (for the auth-status section). */
  onWaitingForUser?: (signIn: SignInUnderWay) => void;
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
 * Runs one sign-in on the path {@link chooseSignInPath} picks (browser,
 * paste-back or device flow), reporting every step in words, then verifies
 * the stored tokens by asking for an access token through the store, as
 * later calls will.
 *
 * @example
 * ```ts
 * const { account } = await runAuthorize(client, { onProgress: (p) => ctx.reportProgress(p) });
 * ```
 */
export async function runAuthorize(client: OAuthClient, options: RunAuthorizeOptions): Promise<UseOAuthAuthorizeResult> {
  const report = options.onProgress;
  const signal = options.signal ? { signal: options.signal } : {};
  const waiting = options.client;
  const choice = await chooseSignInPath(client, { requested: options.path, waiting, agentHasBrowser: hasUsableBrowser() });
  // The reason goes on every line of the path that follows: a task record keeps only the latest.
  const why = choice.why ? `${choice.why} ` : '';
  let tokens: TokenSet;
  if (choice.path === 'device') {
    report({ text: `${why}Requesting a device code...`, progress: 0.1 });
    tokens = await client.authorizeWithDevice({
      ...signal,
      ...(options.scopes ? { scopes: options.scopes } : {}),
      onWaiting: () => report(describeProgress({ type: 'waiting-for-other-sign-in', store: client.store.description }) ?? 'Waiting for another sign-in...'),
      onUserCode: (code) => {
        const where = code.verificationUriComplete ?? code.verificationUri;
        options.onWaitingForUser?.({ path: 'device', url: where, userCode: code.userCode, expiresAt: code.expiresAt });
        report({ text: `${why}Open ${where} and enter the code ${code.userCode} (valid until ${formatHumanTime(code.expiresAt, { zone: true })}). Waiting for you to finish...`, progress: 0.3 });
      },
    });
    report({ text: `Tokens saved to ${client.store.description}`, progress: 0.9 });
  } else {
    let redirectUri = '';
    const openBrowser =
      choice.path === 'paste'
        ? (url: string) => askForPaste(url, redirectUri, why, report)
        : choice.opener === 'client' && waiting
          ? (url: string) => openThroughClient(waiting, url, report)
          : undefined;
    if (why && choice.path === 'browser') report({ text: why.trim(), progress: 0.05 });
    tokens = await client.authorize({
      ...signal,
      ...(options.scopes ? { scopes: options.scopes } : {}),
      ...(openBrowser ? { openBrowser } : {}),
      ...(options.loginHint ? { authorizationParams: { login_hint: options.loginHint } } : {}),
      onProgress: (event) => {
        if (event.type === 'listening') {
          redirectUri = event.redirectUri;
          options.onWaitingForUser?.({ path: choice.path, url: event.authorizationUrl });
        }
        // The paste request stays the latest line until the address arrives.
        if (choice.path === 'paste' && event.type === 'browser-opened') return;
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
    case 'waiting-for-other-sign-in':
      return { text: `Another sign-in to this account is under way (another agent or program shares ${event.store}); waiting for it to finish...`, progress: 0.1 };
    case 'adopted':
      return { text: `That other sign-in finished; using its tokens from ${event.store}`, progress: 0.9 };
  }
}

/**
 * Hands the sign-in page to the waiting client, which opens it with its own
 * environment; a client that cannot open one shows the URL instead.
 */
function openThroughClient(waiting: InvokingClient, url: string, report: (update: ProgressUpdate) => void): void {
  if (!waiting.browser) throw new Error('no browser can be opened where you ran the command (no BROWSER, no display)');
  report({ text: 'Opening the sign-in page in your browser...', progress: 0.2, openUrl: url });
}

/** Asks the waiting client for the address the browser ends on; the URL is in the text too, for clients that only show text. */
function askForPaste(url: string, redirectUri: string, why: string, report: (update: ProgressUpdate) => void): void {
  report({
    text: `${why}Open ${url} in a browser on any machine and sign in. The browser then ends on an address starting with ${redirectUri} that does not load: copy that whole address and paste it here. Waiting for the address...`,
    progress: 0.3,
    pasteBack: { url, redirectUri },
  });
}
