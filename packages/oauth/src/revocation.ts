import * as oidc from 'openid-client';
import type { ProviderQuirks } from './provider-quirks.js';
import type { StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';
import { translateProviderError } from './translate-error.js';

/** What `OAuthClient.revoke()` did. */
export interface RevocationResult {
  /** The provider confirmed the revocation (RFC 7009). */
  revoked: boolean;
  /** The local tokens were deleted. */
  cleared: boolean;
  /** What happened, in words, including what the user may still have to do. */
  detail: string;
}

/** What {@link revokeStoredTokens} needs. */
export interface RevocationSettings {
  config: oidc.Configuration;
  store: TokenStore;
  providerName: string;
  load: () => Promise<StoredTokens | undefined>;
  /** A provider's own revocation API, used when it has no RFC 7009 endpoint (its preset's `quirks.grantRevocation`). */
  grantRevocation?: ProviderQuirks['grantRevocation'];
  /** The client's credentials, for the grant revocation API. */
  clientId: string;
  clientSecret: string | undefined;
  /** The fetch for API requests (routed to an emulator when there is one). */
  fetch: typeof fetch;
}

/**
 * Revokes the grant at the provider (the refresh token, which ends the grant;
 * else the access token), then clears the store, under the store's lock so
 * a concurrent refresh cannot write the tokens back. The store is cleared even
 * when the provider cannot be told; the result says so.
 */
export async function revokeStoredTokens(settings: RevocationSettings): Promise<RevocationResult> {
  const { store, config, providerName } = settings;
  const run = async (): Promise<RevocationResult> => {
    const tokens = await settings.load();
    if (!tokens) return { revoked: false, cleared: false, detail: `Not signed in to ${providerName}; nothing to revoke.` };
    let revoked = false;
    let detail: string;
    if (!config.serverMetadata().revocation_endpoint && settings.grantRevocation) {
      ({ revoked, detail } = await revokeThroughGrantApi(settings, tokens.accessToken));
    } else if (!config.serverMetadata().revocation_endpoint) {
      detail = `${providerName} offers no revocation endpoint: the tokens were deleted here, but the grant stays valid at ${providerName} until it expires or you remove the app in your account settings.`;
    } else {
      const [token, hint] = tokens.refreshToken ? [tokens.refreshToken, 'refresh_token'] : [tokens.accessToken, 'access_token'];
      try {
        await oidc.tokenRevocation(config, token, { token_type_hint: hint });
        revoked = true;
        detail = `Revoked at ${providerName} and deleted here.`;
      } catch (err) {
        detail = `${translateProviderError(err, 'revocation').message} The tokens were deleted here anyway; remove the app in your ${providerName} account settings to be sure.`;
      }
    }
    await store.clear();
    return { revoked, cleared: true, detail };
  };
  return store.withLock ? store.withLock(run) : run();
}

/** Revokes through the provider's own API (GitHub's "Delete an app authorization"); never throws. */
async function revokeThroughGrantApi(settings: RevocationSettings, accessToken: string): Promise<{ revoked: boolean; detail: string }> {
  const api = settings.grantRevocation!;
  const name = settings.providerName;
  const fallback = `The tokens were deleted here; remove the app in your ${name} account settings to end the grant.`;
  if (settings.clientSecret === undefined) return { revoked: false, detail: `${name} revokes a grant only for apps with a client secret, and this client has none. ${fallback}` };
  const basic = Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64');
  try {
    const response = await settings.fetch(api.url.replace('{client_id}', encodeURIComponent(settings.clientId)), {
      method: api.method,
      headers: { ...api.headers, authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ [api.tokenField]: accessToken }),
    });
    await response.body?.cancel();
    if (response.ok) return { revoked: true, detail: `Revoked at ${name} and deleted here.` };
    return { revoked: false, detail: `${name} refused the revocation (HTTP ${response.status}). ${fallback}` };
  } catch (err) {
    return { revoked: false, detail: `${translateProviderError(err, 'revocation').message} ${fallback}` };
  }
}
