/**
 * The URL rule shared with the client side: a provider's real URL
 * `https://HOST/PATH?QUERY` is served by the sandbox at
 * `<origin>/emulate/HOST/PATH?QUERY`. What an emulator sends on the wire is
 * what the provider sends (issuers, endpoints, verification URLs and `iss`
 * claims name the real hosts): a client routes requests for those hosts here
 * (`emulateProvider` and `routeToEmulator` of @opperator/oauth), so its code
 * path is the production one. Only the emulator's own pages (form actions,
 * links between them) and the `baseUrls` listing use {@link emulatedUrl},
 * since the browser is on the emulated URL; the router goes back with
 * {@link realUrl}.
 */

/** Path prefix under which the sandbox serves emulated hosts. */
export const EMULATE_PATH_PREFIX = '/emulate/';

/**
 * Where the sandbox at `origin` serves `realUrl`. The rest of the URL after
 * the host is kept character for character (a bare `https://accounts.google.com`
 * stays without a trailing slash, `{tenantid}` stays unencoded), so an
 * emulated issuer compares equal to what its tokens say.
 *
 * @example
 * ```ts
 * emulatedUrl('http://127.0.0.1:9440', 'https://github.com/login/oauth/access_token');
 * // 'http://127.0.0.1:9440/emulate/github.com/login/oauth/access_token'
 * ```
 */
export function emulatedUrl(origin: string, realUrl: string): string {
  const match = /^https?:\/\/([^/?#@]+)([/?#].*)?$/is.exec(realUrl);
  if (!match) throw new TypeError(`not an absolute http(s) URL without credentials: ${JSON.stringify(realUrl)}`);
  const [, host, rest] = match as unknown as [string, string, string | undefined];
  return `${origin.replace(/\/+$/, '')}${EMULATE_PATH_PREFIX}${host.toLowerCase()}${rest ?? ''}`;
}

/**
 * The provider's real (https) URL for an emulated one, or undefined when
 * `url` is not under `<origin>/emulate/`. The inverse of {@link emulatedUrl}.
 *
 * @example
 * ```ts
 * realUrl('http://127.0.0.1:9440', 'http://127.0.0.1:9440/emulate/api.github.com/user'); // 'https://api.github.com/user'
 * ```
 */
export function realUrl(origin: string, url: string): string | undefined {
  const prefix = `${origin.replace(/\/+$/, '')}${EMULATE_PATH_PREFIX}`;
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  const host = /^[^/?#]+/.exec(rest)?.[0];
  return host ? `https://${rest}` : undefined;
}
