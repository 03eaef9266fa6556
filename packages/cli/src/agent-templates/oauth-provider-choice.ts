import type { OAuthProvider } from '@opperator/oauth';
import { CliError } from '../cli-error.js';

/** The `--provider` values `agent bootstrap --template oauth` accepts, as listed in usage errors. */
export const OAUTH_PROVIDER_CHOICES = ['google', 'github', 'microsoft', 'sandbox', '<issuer URL>'] as const;

/**
 * How long bootstrap waits for an issuer's discovery document before writing
 * an agent that reports its sign-in state instead of calling userinfo.
 */
export const ISSUER_LOOKUP_TIMEOUT_MS = 5_000;

/** The API call the generated `whoami` command makes with the handle's `fetch()`. */
export interface TemplateApiCall {
  url: string;
  /** Extra request headers (GitHub wants its media type). */
  headers?: Record<string, string>;
}

/** Everything the oauth template and its next steps need to know about one provider. */
export interface OAuthTemplateProvider {
  /** The `useOAuth` name: `authorize_<name>`, `sign_out_<name>`, section `oauth_<name>`, secret names. */
  oauthName: string;
  /** The `useOAuth` `provider` option: a preset name or the issuer URL. */
  provider: string;
  /** Who signs the user in, in words (`Google`, `the sandbox`, the issuer's host). */
  label: string;
  scopes: string[];
  /** What `whoami` calls; absent when no API is known, and `whoami` reports `status()` instead. */
  api?: TemplateApiCall;
  /** One line: where to create the OAuth client; absent for the sandbox, whose clients already exist. */
  clientSetup?: string;
  /** Said on stderr after bootstrap (e.g. discovery failed), when something deserves a look. */
  warning?: string;
}

/** Options of {@link resolveOAuthProvider}. */
export interface ResolveOAuthProviderOptions {
  /** Where the details live (docs/providers.md of this installation). */
  providersDoc: string;
  /** Cancels the issuer's discovery. */
  signal?: AbortSignal;
}

/**
 * Turns `--provider` into what the oauth template needs. Presets are known;
 * an issuer URL is looked up (OpenID / RFC 8414 discovery) for its userinfo
 * endpoint and scopes, and still works, with a warning, when the lookup fails.
 *
 * @example
 * ```ts
 * const google = await resolveOAuthProvider('google', { providersDoc: 'docs/providers.md' });
 * google.api?.url; // 'https://openidconnect.googleapis.com/v1/userinfo'
 * ```
 */
export async function resolveOAuthProvider(value: string | undefined, options: ResolveOAuthProviderOptions): Promise<OAuthTemplateProvider> {
  const choices = `choose one of: ${OAUTH_PROVIDER_CHOICES.join(', ')}`;
  if (value === undefined) throw new CliError('usage', `--template oauth needs --provider; ${choices}.`);
  const details = `more in ${options.providersDoc}`;
  // Loaded only here: the minimal template needs no OAuth library. Everything
  // about a preset (label, scopes, API, what to register) comes from its preset.
  const { presetProvider } = await import('@opperator/oauth');
  const preset = presetProvider(value);
  if (preset) {
    const { accountApi, registration } = preset;
    return {
      oauthName: preset.name,
      provider: preset.name,
      label: preset.label ?? preset.name,
      scopes: [...new Set([...preset.defaultScopes, ...(accountApi?.scopes ?? [])])],
      ...(accountApi ? { api: { url: accountApi.url, ...(accountApi.headers ? { headers: { ...accountApi.headers } } : {}) } } : {}),
      ...(registration ? { clientSetup: `${registration.steps}; ${details}` } : {}),
    };
  }
  if (!/^https?:\/\//i.test(value)) throw new CliError('usage', `Unknown provider ${JSON.stringify(value)}; ${choices}.`);
  return resolveIssuer(value, options, details);
}

async function resolveIssuer(value: string, options: ResolveOAuthProviderOptions, details: string): Promise<OAuthTemplateProvider> {
  const { discoverProvider, isLoopbackUrl } = await import('@opperator/oauth');
  let issuer: URL;
  try {
    issuer = new URL(value);
  } catch (cause) {
    throw new CliError('usage', `--provider ${JSON.stringify(value)} is not a URL; give the issuer as https://host[/path].`, { cause });
  }
  if (issuer.protocol === 'http:' && !isLoopbackUrl(issuer)) {
    throw new CliError('usage', `Issuer ${JSON.stringify(value)} must use https (plain http only on 127.0.0.1 or localhost).`);
  }
  const base = {
    oauthName: 'oauth',
    provider: value,
    label: issuer.host,
    clientSetup: `Register a native (desktop) OAuth client at ${issuer.host} with the redirect URI http://127.0.0.1/callback (any port); ${details}`,
  };
  const wanted = ['openid', 'email', 'offline_access'];
  const signal = AbortSignal.any([AbortSignal.timeout(ISSUER_LOOKUP_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])]);
  let discovered: OAuthProvider;
  try {
    discovered = await discoverProvider(value, { signal });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ...base, scopes: wanted, warning: `Could not read the discovery document of ${value} (${reason}); whoami reports the sign-in state instead of calling userinfo.` };
  }
  // Asking for a scope the server does not know can fail the whole sign-in.
  const supported = discovered.metadata?.scopes_supported;
  const scopes = supported ? wanted.filter((scope) => supported.includes(scope)) : wanted;
  const userinfo = discovered.metadata?.userinfo_endpoint;
  if (userinfo && isUsableEndpoint(userinfo, isLoopbackUrl)) return { ...base, scopes, api: { url: userinfo } };
  return { ...base, scopes, warning: `${value} names no usable userinfo endpoint; whoami reports the sign-in state instead.` };
}

/** The endpoint comes from a remote document: only https, or http on loopback, goes into the agent. */
function isUsableEndpoint(url: string, isLoopbackUrl: (url: URL) => boolean): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackUrl(parsed));
  } catch {
    return false;
  }
}
