import * as oidc from 'openid-client';
import { OAuthError } from './errors.js';
import { adaptProviderFetch } from './provider-fetch.js';
import { isLoopbackUrl, type OAuthProvider } from './provider.js';
import { translateProviderError } from './translate-error.js';

/** What {@link buildConfiguration} needs. */
export interface ConfigurationSettings {
  provider: OAuthProvider;
  clientId: string;
  clientSecret: string | undefined;
  /** The fetch for every request, already routed to the emulator when the provider is emulated. */
  fetch: typeof fetch;
}

/**
 * The openid-client configuration for one client: static metadata when the
 * provider has it, else discovery from its issuer. The injected fetch is used
 * for every request; plain http is allowed only for loopback issuers.
 */
export async function buildConfiguration(settings: ConfigurationSettings): Promise<oidc.Configuration> {
  const { provider, clientId } = settings;
  const insecureLoopback = provider.issuer.startsWith('http:') && isLoopbackUrl(provider.issuer);
  const auth = clientAuth(settings, provider.metadata?.token_endpoint_auth_methods_supported);
  // Provider quirks are applied to OAuth endpoint responses only, not to API calls.
  const customFetch = adaptProviderFetch(provider.quirks, settings.fetch) as oidc.CustomFetch;
  let config: oidc.Configuration;
  if (provider.metadata) {
    config = new oidc.Configuration(provider.metadata, clientId, undefined, auth);
  } else {
    try {
      config = await oidc.discovery(new URL(provider.issuer), clientId, undefined, auth, {
        [oidc.customFetch]: customFetch,
        ...(insecureLoopback ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
    } catch (err) {
      const translated = translateProviderError(err, 'discovery');
      throw new OAuthError(translated.code === 'OAUTH_NETWORK' ? 'OAUTH_NETWORK' : 'OAUTH_DISCOVERY_FAILED', `Discovery of ${provider.name} (${JSON.stringify(provider.issuer)}) failed: ${translated.message}`, { cause: err });
    }
  }
  config[oidc.customFetch] = customFetch;
  if (insecureLoopback) oidc.allowInsecureRequests(config);
  return config;
}

function clientAuth(settings: ConfigurationSettings, supported: readonly string[] | undefined): oidc.ClientAuth {
  if (settings.clientSecret === undefined) return oidc.None();
  const method = settings.provider.clientSecretMethod ?? (!supported || supported.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post');
  return method === 'client_secret_post' ? oidc.ClientSecretPost(settings.clientSecret) : oidc.ClientSecretBasic(settings.clientSecret);
}
