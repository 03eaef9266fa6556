/** A page the loopback receiver shows in the browser. */
export interface CallbackPage {
  status: number;
  title: string;
  message: string;
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
