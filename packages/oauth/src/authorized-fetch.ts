/** What {@link fetchWithAccessToken} needs from its client. */
export interface AuthorizedFetchDependencies {
  fetch: typeof fetch;
  getAccessToken: () => Promise<string>;
  /** Refreshes although the token looked valid: the API rejected `rejected`. */
  refreshRejected: (rejected: string) => Promise<string>;
}

/**
 * `fetch` with `Authorization: Bearer <token>`. On a 401 that blames the
 * token (no challenge, or `invalid_token`), refreshes once and retries once.
 * Requests whose body is a stream cannot be replayed and are not retried.
 */
export async function fetchWithAccessToken(deps: AuthorizedFetchDependencies, input: string | URL | Request, init?: RequestInit): Promise<Response> {
  // A Request is cloned for each send, so only a stream passed in init is single-use.
  const replayable = !(init?.body instanceof ReadableStream);
  const send = (token: string) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `Bearer ${token}`);
    return deps.fetch(input instanceof Request ? input.clone() : input, { ...init, headers });
  };
  const token = await deps.getAccessToken();
  const response = await send(token);
  if (response.status !== 401 || !replayable || !blamesToken(response.headers.get('www-authenticate'))) return response;
  await response.body?.cancel();
  return send(await deps.refreshRejected(token));
}

function blamesToken(challenge: string | null): boolean {
  if (!challenge) return true;
  const error = /error="?([\w-]+)"?/i.exec(challenge)?.[1];
  return error === undefined || error === 'invalid_token';
}
