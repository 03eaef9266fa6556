/**
 * Paste-back: the sign-in page was opened in a browser that cannot reach the
 * agent's loopback receiver (another machine, over SSH), so the browser ends
 * on an error page whose address holds the authorization response. The user
 * pastes that address into the client (CLI prompt, TUI field), which delivers
 * it to the receiver as the browser would have: the receiver and the flow
 * validate it exactly like a real callback (state, `iss`, one use).
 *
 * This module is what the clients need, and nothing else (loaded on its own as
 * `@opperator/oauth/paste-back`, without openid-client).
 */
import { get } from 'node:http';

/** What came of a pasted address: accepted (the sign-in goes on), or refused with the reason in words. */
export type PasteOutcome = { accepted: true; message: string } | { accepted: false; message: string; retry: boolean };

/** Longest pasted text taken (a sign-in response address is well under 4 KB). */
export const MAX_PASTED_ADDRESS_LENGTH = 16_384;

/** How long a delivery may take: the receiver answers after the code exchange, which has its own limits. */
export const PASTE_DELIVERY_TIMEOUT_MS = 60_000;

/**
 * The callback address for what the user pasted, checked against the
 * receiver's `redirectUri`: the whole address, or only its query (`?code=…&state=…`).
 * Throws an `Error` whose message says what to paste instead.
 *
 * @example
 * ```ts
 * pastedCallbackUrl('http://127.0.0.1:8765/callback?code=c&state=s', 'http://127.0.0.1:8765/callback').href;
 * ```
 */
export function pastedCallbackUrl(pasted: string, redirectUri: string): URL {
  const expected = new URL(redirectUri);
  const text = pasted.trim().replace(/^["'<]+|["'>]+$/g, '');
  const hint = `Paste the whole address from the browser's address bar; it starts with ${expected.href}?`;
  if (!text) throw new Error(`Nothing was pasted. ${hint}`);
  if (text.length > MAX_PASTED_ADDRESS_LENGTH) throw new Error(`The pasted text is longer than any sign-in address (${text.length} characters). ${hint}`);
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:/i.test(text) ? new URL(text) : new URL(`${expected.origin}${expected.pathname}${text.startsWith('?') ? '' : '?'}${text}`);
  } catch {
    throw new Error(`That is not an address. ${hint}`);
  }
  // Sent nowhere but the receiver this sign-in is waiting on.
  if (url.origin !== expected.origin || url.pathname !== expected.pathname) {
    throw new Error(`That address is not where this sign-in ends (${expected.href}). ${hint}`);
  }
  if (!url.searchParams.has('code') && !url.searchParams.has('error')) {
    throw new Error(`That address has no authorization response (no "code" or "error"): the sign-in may not be finished in the browser. ${hint}`);
  }
  return url;
}

/**
 * Delivers a pasted address to the waiting receiver, as the browser would
 * have, and says what came of it. Only addresses that pass
 * {@link pastedCallbackUrl} are sent.
 *
 * @example
 * ```ts
 * const outcome = await deliverPastedAddress(line, pasteBack.redirectUri);
 * console.error(outcome.message);
 * ```
 */
export async function deliverPastedAddress(pasted: string, redirectUri: string, options: { signal?: AbortSignal } = {}): Promise<PasteOutcome> {
  let url: URL;
  try {
    url = pastedCallbackUrl(pasted, redirectUri);
  } catch (err) {
    return { accepted: false, message: (err as Error).message, retry: true };
  }
  const timeout = AbortSignal.timeout(PASTE_DELIVERY_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let answer: { status: number; body: string };
  try {
    answer = await getOnce(url, signal);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const detail = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
    return { accepted: false, message: `The sign-in is no longer waiting for an address (it finished, was cancelled or timed out: ${detail}).`, retry: false };
  }
  const page = readPage(answer.body);
  if (answer.status >= 200 && answer.status < 300) return { accepted: true, message: page.message || 'Signed in.' };
  // The state check refused it (forged, stale or mistyped): the sign-in still waits.
  const stillWaiting = page.code === 'OAUTH_STATE_MISMATCH';
  return { accepted: false, message: `${page.title || `HTTP ${answer.status}`}: ${page.message}`.trim(), retry: stillWaiting };
}

/**
 * One GET on a connection of its own, never retried: fetch would reuse a
 * kept-alive connection and, when the receiver closes it on accepting the
 * callback, silently send the request again, to a port no longer listening.
 */
function getOnce(url: URL, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, headers: { accept: 'application/json' }, signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 65_536) body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

function readPage(text: string): { title: string; message: string; code?: string } {
  const field = (value: unknown) => (typeof value === 'string' ? value : '');
  try {
    const body = JSON.parse(text) as { title?: unknown; message?: unknown; code?: unknown };
    return { title: field(body.title), message: field(body.message), code: field(body.code) };
  } catch {
    // Not the receiver's JSON (another program on that port): no detail to give.
    return { title: '', message: '' };
  }
}
