import { OAuthError } from './errors.js';
import { isLoopbackUrl, type OAuthProvider } from './provider.js';

/** Where an emulator serves a provider's host: `<origin>/emulate/<host>/<path>`. */
export const EMULATOR_PATH_PREFIX = '/emulate/';

/**
 * The provider with its requests sent to a local emulator of it (`opperator
 * sandbox start --emulate …`) instead of the real hosts. Nothing else
 * changes: the same endpoints, quirks and code paths as in production; only
 * requests to the provider's {@link OAuthProvider.hosts} are routed to
 * `<origin>/emulate/<host>/…`, and the URLs handed to the user (the sign-in
 * page, the device verification page) point at the emulator. Status output
 * says "emulated".
 *
 * @example
 * ```ts
 * const github = emulateProvider(providers.github, 'http://127.0.0.1:9440');
 * new OAuthClient({ provider: github, clientId, store }); // signs in against the emulator
 * ```
 */
export function emulateProvider(provider: OAuthProvider, origin: string): OAuthProvider {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch (cause) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Emulator ${JSON.stringify(origin)} is not a URL; give it as http://127.0.0.1:PORT.`, { cause });
  }
  if (!isLoopbackUrl(parsed)) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Emulator ${JSON.stringify(origin)} must be on this machine (127.0.0.1, [::1] or localhost): tokens for ${provider.name} are sent to it.`);
  }
  if (!provider.hosts || provider.hosts.length === 0) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Provider ${JSON.stringify(provider.name)} names no hosts, so there is nothing to emulate.`);
  }
  return Object.freeze({ ...provider, emulator: parsed.origin });
}

/**
 * `url` as the emulator of `provider` serves it, when `provider` is emulated
 * and `url` is on one of its hosts; otherwise `url` unchanged.
 *
 * @example
 * ```ts
 * emulatedUrl(emulateProvider(providers.github, 'http://127.0.0.1:9440'), 'https://api.github.com/user');
 * // 'http://127.0.0.1:9440/emulate/api.github.com/user'
 * ```
 */
export function emulatedUrl(provider: OAuthProvider, url: string): string {
  if (!provider.emulator) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== 'https:' || !provider.hosts?.includes(parsed.hostname) || parsed.port !== '' || parsed.username || parsed.password) return url;
  // The rest of the URL as written: URL#pathname would percent-encode Entra's literal `{tenantid}`.
  const rest = url.replace(/^https:\/\/[^/?#]+/i, '');
  return `${provider.emulator}${EMULATOR_PATH_PREFIX}${parsed.hostname}${rest.startsWith('/') || rest === '' ? rest : `/${rest}`}`;
}

/**
 * `fetch` that sends requests for an emulated provider's hosts to its
 * emulator ({@link emulatedUrl}); `fetch` itself for a provider that is not emulated.
 */
export function routeToEmulator(provider: OAuthProvider, inner: typeof fetch): typeof fetch {
  if (!provider.emulator) return inner;
  return ((input: string | URL | Request, init?: RequestInit) => {
    if (input instanceof Request) {
      const target = emulatedUrl(provider, input.url);
      return inner(target === input.url ? input : new Request(target, input), init);
    }
    return inner(emulatedUrl(provider, String(input)), init);
  }) as typeof fetch;
}
