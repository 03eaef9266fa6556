import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { bearerChallenge, checkAccessToken, sendJson } from './access-token-check.js';

/** Path prefix of the GitHub-shaped demo API, served by the same HTTP server as the authorization server. */
export const GITHUB_API_PREFIX = '/github';

/** The scope `GET /github/notifications` requires, as GitHub's does. */
export const GITHUB_NOTIFICATIONS_SCOPE = 'notifications';

/** One notification in GitHub's REST shape (the fields agents use). */
export interface GithubNotification {
  id: string;
  unread: boolean;
  reason: string;
  updated_at: string;
  subject: { title: string; type: string; url: string };
  repository: { full_name: string };
}

const DEMO_REPOSITORY = 'opperator/sandbox-demo';

/**
 * Handles a request under {@link GITHUB_API_PREFIX}; returns false for any
 * other path so the caller hands it on. Two endpoints, in GitHub's shapes:
 * `GET /github/user` (any valid token) and `GET /github/notifications`
 * (scope `notifications`; unread ones unless `?all=true`). Tokens are
 * checked like the Gmail-shaped API's; errors carry GitHub's `message` body
 * and its `X-OAuth-Scopes` / `X-Accepted-OAuth-Scopes` headers.
 *
 * @example
 * ```ts
 * if (!(await handleGithubApi(provider, req, res))) oidcCallback(req, res);
 * ```
 */
export async function handleGithubApi(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (url.pathname !== GITHUB_API_PREFIX && !url.pathname.startsWith(`${GITHUB_API_PREFIX}/`)) return false;
  try {
    await serveGithubApi(provider, req, url, res);
  } catch (err) {
    sendJson(res, 500, { message: err instanceof Error ? err.message : String(err) });
  }
  return true;
}

async function serveGithubApi(provider: Provider, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  const route = url.pathname.slice(GITHUB_API_PREFIX.length);
  if (route !== '/user' && route !== '/notifications') {
    sendJson(res, 404, { message: `Not Found: the sandbox serves ${GITHUB_API_PREFIX}/user and ${GITHUB_API_PREFIX}/notifications` });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { message: 'Only GET is supported.' }, { Allow: 'GET, HEAD' });
    return;
  }
  const required = route === '/notifications' ? GITHUB_NOTIFICATIONS_SCOPE : undefined;
  const check = await checkAccessToken(provider, req.headers.authorization, required);
  if ('error' in check) {
    const missingScope = check.error === 'insufficient_scope';
    const message = !req.headers.authorization ? 'Requires authentication' : missingScope ? `Missing the '${required}' scope.` : 'Bad credentials';
    sendJson(res, missingScope ? 403 : 401, { message, documentation_url: 'https://docs.github.com/rest' }, {
      'WWW-Authenticate': bearerChallenge(check, required ?? ''),
      ...(required ? { 'X-Accepted-OAuth-Scopes': required } : {}),
    });
    return;
  }
  const scopeHeaders = { 'X-OAuth-Scopes': check.scopes.join(', '), ...(required ? { 'X-Accepted-OAuth-Scopes': required } : {}) };
  if (route === '/user') {
    sendJson(res, 200, { login: check.accountId, id: demoUserId(check.accountId), name: check.accountId, email: `${check.accountId}@sandbox.test` }, scopeHeaders);
    return;
  }
  const all = url.searchParams.get('all') === 'true';
  const base = `http://${req.headers.host ?? 'sandbox'}${GITHUB_API_PREFIX}`;
  sendJson(res, 200, demoNotifications(base).filter((n) => all || n.unread), scopeHeaders);
}

/** A stable numeric id per login, as GitHub's user ids are numbers. */
function demoUserId(login: string): number {
  return [...login].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 2_000_000_000, 17) + 1;
}

/** The same few notifications on every run, so demos and tests can count on them: 3 unread, 1 read. */
function demoNotifications(base: string): GithubNotification[] {
  const item = (id: string, unread: boolean, reason: string, updatedAt: string, title: string, type: string, path: string): GithubNotification => ({
    id,
    unread,
    reason,
    updated_at: updatedAt,
    subject: { title, type, url: `${base}/repos/${DEMO_REPOSITORY}/${path}` },
    repository: { full_name: DEMO_REPOSITORY },
  });
  return [
    item('1001', true, 'review_requested', '2025-01-06T09:15:00Z', 'Add a device-flow example', 'PullRequest', 'pulls/42'),
    item('1002', true, 'mention', '2025-01-06T08:40:00Z', 'Refresh token lost after restart?', 'Issue', 'issues/41'),
    item('1003', true, 'subscribed', '2025-01-05T17:02:00Z', 'v0.2.0', 'Release', 'releases/3'),
    item('1004', false, 'author', '2025-01-04T12:00:00Z', 'Document the sandbox', 'Issue', 'issues/37'),
  ];
}
