import { sendJson } from '../access-token-check.js';
import { basicCredentials, bearerToken, readParams } from './emulator-http.js';
import { stableNumber } from './emulator-ids.js';
import type { EmulatedCall, EmulatorContext } from './emulator-types.js';
import type { IssuedAccessToken } from './grant-book.js';

// The api.github.com endpoints agents use, and their refusals (GitHub's REST error shape: message, documentation_url, status).
// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [app-tokens] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
// [scopes] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
// [oauth-rest] https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
// [notifications] https://docs.github.com/en/rest/activity/notifications

/** GitHub's REST API as agents use it: the user, notifications, and deleting an app authorization. */
export class GithubRestApi {
  readonly #context: EmulatorContext;

  constructor(context: EmulatorContext) {
    this.#context = context;
  }

  /** `GET /user`. */
  user(call: EmulatedCall): void {
    const auth = this.#authenticate(call, 'https://docs.github.com/rest/users/users#get-the-authenticated-user');
    if (!auth) return;
    const login = auth.account;
    const id = githubUserId(login);
    // https://docs.github.com/en/rest/users/users#get-the-authenticated-user: the public profile fields.
    sendJson(
      call.res,
      200,
      {
        login,
        id,
        node_id: Buffer.from(`04:User${id}`).toString('base64'),
        avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
        gravatar_id: '',
        url: `https://api.github.com/users/${encodeURIComponent(login)}`,
        html_url: `https://github.com/${encodeURIComponent(login)}`,
        type: 'User',
        site_admin: false,
        name: login,
        company: null,
        blog: '',
        location: null,
        email: login.includes('@') ? login : `${login}@sandbox.test`,
        hireable: null,
        bio: null,
        twitter_username: null,
        public_repos: 1,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2025-01-06T09:15:00Z',
      },
      this.#scopeHeaders(auth.token, ''),
    );
  }

  /** `GET /notifications`. */
  notifications(call: EmulatedCall): void {
    const docs = 'https://docs.github.com/rest/activity/notifications#list-notifications-for-the-authenticated-user';
    const auth = this.#authenticate(call, docs);
    if (!auth) return;
    const accepted = 'notifications, repo';
    if (auth.token.kind === 'github-app') {
      // [notifications] "These endpoints only support authentication using a personal access token (classic)"; GitHub App
      // user tokens are refused (community discussion orgs/community#214486). GitHub's message for integration tokens.
      return this.#refuse(call, 403, 'Resource not accessible by integration', docs);
    }
    // [notifications] "All calls to these endpoints require the notifications or repo scopes." The wording of the refusal is
    // not documented.
    if (!auth.token.scopes.some((scope) => scope === 'notifications' || scope === 'repo')) {
      return this.#refuse(call, 403, "Missing the 'notifications' scope.", docs, this.#scopeHeaders(auth.token, accepted));
    }
    // [notifications] "Notifications are optimized for polling with the Last-Modified header. If there are no new
    // notifications, you will see a 304 Not Modified response ... There is an X-Poll-Interval header".
    const lastModified = 'Mon, 06 Jan 2025 09:15:00 GMT';
    const headers = { ...this.#scopeHeaders(auth.token, accepted), 'Last-Modified': lastModified, 'X-Poll-Interval': '60' };
    if (call.req.headers['if-modified-since'] === lastModified) {
      call.res.writeHead(304, headers);
      call.res.end();
      return;
    }
    const all = call.url.searchParams.get('all') === 'true';
    sendJson(call.res, 200, this.#demoNotifications().filter((n) => all || n.unread), headers);
  }

  #demoNotifications(): Array<Record<string, unknown> & { unread: boolean }> {
    const repository = 'opperator/sandbox-demo';
    const api = (path: string) => `https://api.github.com/${path}`;
    const item = (id: string, unread: boolean, reason: string, updatedAt: string, title: string, type: string, path: string) => ({
      id,
      unread,
      reason,
      updated_at: updatedAt,
      last_read_at: unread ? null : updatedAt,
      subject: { title, url: api(`repos/${repository}/${path}`), latest_comment_url: api(`repos/${repository}/${path}`), type },
      repository: { id: 1296269, full_name: repository, name: 'sandbox-demo', private: false, url: api(`repos/${repository}`), html_url: `https://github.com/${repository}` },
      url: api(`notifications/threads/${id}`),
      subscription_url: api(`notifications/threads/${id}/subscription`),
    });
    // The same four threads on every run (3 unread, 1 read), as the sandbox's GitHub-shaped demo API has.
    return [
      item('1001', true, 'review_requested', '2025-01-06T09:15:00Z', 'Add a device-flow example', 'PullRequest', 'pulls/42'),
      item('1002', true, 'mention', '2025-01-06T08:40:00Z', 'Refresh token lost after restart?', 'Issue', 'issues/41'),
      item('1003', true, 'subscribed', '2025-01-05T17:02:00Z', 'v0.2.0', 'Release', 'releases/3'),
      item('1004', false, 'author', '2025-01-04T12:00:00Z', 'Document the sandbox', 'Issue', 'issues/37'),
    ];
  }

  /** `DELETE /applications/{client_id}/grant` and `.../token`. */
  async deleteAuthorization(call: EmulatedCall, clientId: string, what: 'grant' | 'token'): Promise<void> {
    const docs = `https://docs.github.com/rest/apps/oauth-applications#delete-an-app-${what === 'grant' ? 'authorization' : 'token'}`;
    const basic = basicCredentials(call.req);
    const client = this.#context.client(clientId);
    // [oauth-rest] "You must use Basic Authentication when accessing this endpoint, using the application's client_id and
    // client_secret as the username and password." Wrong credentials: GitHub answers 404 for what the caller may not see
    // (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource).
    if (!basic) return this.#refuse(call, 401, 'Requires authentication', docs);
    if (!client || basic.clientId !== clientId || client.clientSecret === undefined || basic.clientSecret !== client.clientSecret) return this.#refuse(call, 404, 'Not Found', docs);
    const params = await readParams(call);
    const presented = params.get('access_token');
    // [oauth-rest] 422 "Validation failed, or the endpoint has been spammed."
    if (!presented) return this.#refuse(call, 422, 'Invalid request.\n\n"access_token" wasn\'t supplied.', docs);
    const found = this.#context.grants.usableAccess(presented);
    if (!found || found.grant.clientId !== clientId) return this.#refuse(call, 404, 'Not Found', docs);
    if (what === 'grant') {
      // [oauth-rest] "Deleting an application's grant will also delete all OAuth tokens associated with the application for the user."
      this.#context.grants.kill(found.grant.id, 'revoked');
    } else {
      this.#context.grants.killAccess(presented);
    }
    call.res.writeHead(204);
    call.res.end();
  }

  #authenticate(call: EmulatedCall, docs: string): { token: IssuedAccessToken; account: string } | undefined {
    // "Authorization: Bearer OAUTH-TOKEN" ([oauth-apps]); GitHub also takes the older `token` scheme.
    const presented = bearerToken(call.req, /^(Bearer|token)$/i);
    if (!presented) {
      this.#refuse(call, 401, 'Requires authentication', docs);
      return undefined;
    }
    const found = this.#context.grants.usableAccess(presented);
    if (!found) {
      // Capture (hisxo/gitGraber#54): 401 {"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"};
      // [app-tokens] a revoked token gets "the 401 Bad Credentials error".
      this.#refuse(call, 401, 'Bad credentials', 'https://docs.github.com/rest');
      return undefined;
    }
    return { token: found.token, account: found.grant.account };
  }

  #refuse(call: EmulatedCall, status: number, message: string, docs: string, headers: Record<string, string> = {}): void {
    sendJson(call.res, status, { message, documentation_url: docs, status: String(status) }, headers);
  }

  /** [scopes] "X-OAuth-Scopes lists the scopes your token has authorized"; GitHub App tokens have no scopes, so no header. */
  #scopeHeaders(token: IssuedAccessToken, accepted: string): Record<string, string> {
    return {
      ...(token.kind === 'oauth-app' ? { 'X-OAuth-Scopes': token.scopes.join(', ') } : {}),
      'X-Accepted-OAuth-Scopes': accepted,
    };
  }
}

/** A stable numeric user id per login: GitHub user ids are numbers. */
function githubUserId(login: string): number {
  return 1_000_000 + stableNumber(`github:${login}`, 90_000_000);
}
