/** A page the loopback receiver shows in the browser. */
export interface CallbackPage {
  status: number;
  title: string;
  message: string;
  /** The outcome's error code (`OAUTH_STATE_MISMATCH`, …), for clients that read the JSON form. */
  code?: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Renders a small self-contained page. Everything interpolated is escaped,
 * and the page's CSP forbids scripts, so an echoed provider message can never
 * run code in the browser.
 */
export function renderCallbackPage(page: CallbackPage): string {
  const colour = page.status < 400 ? '#1a7f37' : '#cf222e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;text-align:center;padding:3em;color:#24292f}h1{color:${colour}}</style>
</head><body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p></body></html>
`;
}

/**
 * Response headers for every receiver page: no caching, no referrer (the URL
 * carried an authorization code), and no script, frame or external load.
 */
export const CALLBACK_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
});

/**
 * Headers and body of a receiver answer: the HTML page for a browser, or the
 * same facts as JSON (`{ status, title, message, code? }`) for a client that asks
 * with `Accept: application/json` (the CLI or TUI delivering a pasted address).
 *
 * @example
 * ```ts
 * const { headers, body } = callbackResponse(page, req.headers.accept);
 * res.writeHead(page.status, headers).end(body);
 * ```
 */
export function callbackResponse(page: CallbackPage, accept: string | undefined): { headers: Record<string, string>; body: string } {
  if (accept?.includes('application/json')) {
    return { headers: { ...CALLBACK_PAGE_HEADERS, 'content-type': 'application/json; charset=utf-8' }, body: `${JSON.stringify(page)}\n` };
  }
  return { headers: { ...CALLBACK_PAGE_HEADERS }, body: renderCallbackPage(page) };
}
