import type { OAuthProvider } from './provider.js';

/** How long a sign-in waits for the account API before saving the tokens without an account name. */
export const ACCOUNT_LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Who signed in, from the provider's account API ({@link OAuthProvider.accountApi}),
 * for providers whose token response names nobody (GitHub has no ID token).
 * Best effort: any failure gives `undefined`, and the sign-in still succeeds.
 *
 * @example
 * ```ts
 * await lookUpAccount(providers.github, accessToken, fetch); // 'octocat'
 * ```
 */
export async function lookUpAccount(provider: OAuthProvider, accessToken: string, send: typeof fetch): Promise<string | undefined> {
  const api = provider.accountApi;
  if (!api?.accountFields?.length) return undefined;
  try {
    const response = await send(api.url, { headers: { ...api.headers, authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(ACCOUNT_LOOKUP_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body: unknown = await response.json();
    if (body === null || typeof body !== 'object') return undefined;
    for (const field of api.accountFields) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.length > 0) return value;
    }
    return undefined;
  } catch {
    // A missing account name is shown as "none"; it never fails the sign-in.
    return undefined;
  }
}
