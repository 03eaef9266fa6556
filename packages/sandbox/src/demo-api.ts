import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { bearerChallenge, checkAccessToken, sendJson as send } from './access-token-check.js';

/** Path prefix of the demo API, served by the same HTTP server as the authorization server. */
export const DEMO_API_PREFIX = '/gmail/v1';

/**
 * The scope a token must carry to read the demo mailbox. oidc-provider's
 * access tokens are opaque and, without resource indicators, are issued for
 * the userinfo audience with the OpenID scopes only, so the demo API accepts
 * the `email` scope (the mailbox is the user's email account) rather than a
 * Gmail scope the sandbox cannot grant.
 */
export const DEMO_API_SCOPE = 'email';

/** One fake message of the demo mailbox, in Gmail's list shape. */
interface DemoMessage {
  id: string;
  threadId: string;
  unread: boolean;
}

/**
 * Handles a request under {@link DEMO_API_PREFIX}; returns false for any
 * other path so the caller hands it to oidc-provider.
 */
export async function handleDemoApi(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (url.pathname !== DEMO_API_PREFIX && !url.pathname.startsWith(`${DEMO_API_PREFIX}/`)) return false;
  try {
    await serveDemoApi(provider, req, url, res);
  } catch (err) {
    send(res, 500, { error: { code: 500, message: err instanceof Error ? err.message : String(err) } });
  }
  return true;
}

async function serveDemoApi(provider: Provider, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  const route = url.pathname.slice(DEMO_API_PREFIX.length);
  if (route !== '/users/me/profile' && route !== '/users/me/messages') {
    send(res, 404, { error: { code: 404, message: `No demo API at ${url.pathname}. Try ${DEMO_API_PREFIX}/users/me/profile or ${DEMO_API_PREFIX}/users/me/messages?q=is:unread` } });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, { error: { code: 405, message: 'Only GET is supported.' } });
    return;
  }
  const auth = await checkAccessToken(provider, req.headers.authorization, DEMO_API_SCOPE);
  if ('error' in auth) {
    const status = auth.error === 'insufficient_scope' ? 403 : 401;
    res.setHeader('WWW-Authenticate', bearerChallenge(auth, DEMO_API_SCOPE));
    send(res, status, { error: { code: status, message: auth.description, status: auth.error } });
    return;
  }
  const messages = demoMessages(auth.accountId);
  if (route === '/users/me/profile') {
    send(res, 200, { emailAddress: `${auth.accountId}@sandbox.test`, messagesTotal: messages.length, threadsTotal: messages.length });
    return;
  }
  // Only the one Gmail query agents use in the guide is understood; any other lists everything.
  const query = url.searchParams.get('q') ?? '';
  const selected = /\bis:unread\b/.test(query) ? messages.filter((m) => m.unread) : messages;
  send(res, 200, { messages: selected.map(({ id, threadId }) => ({ id, threadId })), resultSizeEstimate: selected.length });
}

/** A few fixed messages per user, the same on every run, so demos and tests can count on them. */
function demoMessages(accountId: string): DemoMessage[] {
  const seed = [...accountId].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0');
  return [
    { id: `${seed}0001`, threadId: `${seed}0001`, unread: true },
    { id: `${seed}0002`, threadId: `${seed}0001`, unread: true },
    { id: `${seed}0003`, threadId: `${seed}0003`, unread: true },
    { id: `${seed}0004`, threadId: `${seed}0004`, unread: false },
    { id: `${seed}0005`, threadId: `${seed}0005`, unread: false },
  ];
}
