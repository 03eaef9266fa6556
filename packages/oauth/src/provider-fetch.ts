import type { ProviderQuirks } from './provider-quirks.js';

/**
 * The field an adapted error body keeps the provider's own error code in,
 * when {@link ProviderQuirks.errorCodes} replaced it with the standard one.
 */
export const PROVIDER_ERROR_FIELD = 'opperator_provider_error';

/** The field an adapted error body carries the preset's advice in ({@link ProviderQuirks.errorHints}). */
export const PROVIDER_HINT_FIELD = 'opperator_hint';

/**
 * Wraps the `fetch` openid-client uses for a provider's OAuth endpoints
 * (discovery, token, device, revocation) so that its responses reach
 * openid-client in RFC shape: errors answered with HTTP 200 get an error
 * status, vendor error codes become the standard code with the same meaning
 * (the vendor's is kept in {@link PROVIDER_ERROR_FIELD}), renamed device
 * response fields get their RFC 8628 names, and a `scope` with another
 * separator is space-separated. Responses that need none of this pass
 * through untouched, body unread. This is the only place that applies
 * {@link ProviderQuirks} to the wire.
 *
 * @example
 * ```ts
 * const oauthFetch = adaptProviderFetch(providers.github.quirks, fetch);
 * ```
 */
export function adaptProviderFetch(quirks: ProviderQuirks | undefined, inner: typeof fetch): typeof fetch {
  if (!quirks || !touchesResponses(quirks)) return inner;
  return (async (input: string | URL | Request, init?: RequestInit) => adaptProviderResponse(quirks, await inner(input, init))) as typeof fetch;
}

/**
 * The response as openid-client should see it (see {@link adaptProviderFetch}).
 * Only JSON bodies are read; anything else is returned as it came.
 */
export async function adaptProviderResponse(quirks: ProviderQuirks, response: Response): Promise<Response> {
  if (!isJson(response)) return response;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return rebuild(response, text, response.status);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return rebuild(response, text, response.status);
  const record = body as Record<string, unknown>;
  let status = response.status;
  let changed = false;

  if (typeof record.error === 'string' && typeof record.access_token !== 'string') {
    const hint = quirks.errorHints?.[record.error];
    if (hint !== undefined) {
      record[PROVIDER_HINT_FIELD] = hint;
      changed = true;
    }
    const standard = quirks.errorCodes?.[record.error];
    if (standard !== undefined && standard !== record.error) {
      record[PROVIDER_ERROR_FIELD] = record.error;
      record.error = standard;
      changed = true;
    }
    if (quirks.errorsWithHttp200 && status >= 200 && status < 300) {
      // RFC 6749 §5.2: 400, or 401 when client authentication failed.
      status = record.error === 'invalid_client' ? 401 : 400;
      changed = true;
    }
  }
  if (typeof record.device_code === 'string' && quirks.deviceResponseFields) {
    for (const [theirs, ours] of Object.entries(quirks.deviceResponseFields)) {
      if (record[theirs] !== undefined && record[ours] === undefined) {
        record[ours] = record[theirs];
        changed = true;
      }
    }
  }
  if (typeof record.access_token === 'string' && typeof record.scope === 'string' && quirks.scopeSeparator && record.scope.includes(quirks.scopeSeparator)) {
    record.scope = record.scope.split(quirks.scopeSeparator).map((scope) => scope.trim()).filter(Boolean).join(' ');
    changed = true;
  }
  return rebuild(response, changed ? JSON.stringify(record) : text, status);
}

function touchesResponses(quirks: ProviderQuirks): boolean {
  return Boolean(quirks.errorsWithHttp200 || quirks.errorCodes || quirks.errorHints || quirks.deviceResponseFields || quirks.scopeSeparator);
}

function isJson(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return /\bjson\b/i.test(type);
}

/** A new Response with `text` as its body; the length and encoding headers no longer describe it. */
function rebuild(original: Response, text: string, status: number): Response {
  const headers = new Headers(original.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(text, { status, statusText: status === original.status ? original.statusText : '', headers });
}
