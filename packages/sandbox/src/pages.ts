import escapeHtml from 'escape-html';

/** Where {@link PAGE_CSS} is served, so pages need no inline style (and the CSP can forbid it). */
export const PAGE_CSS_PATH = '/sandbox/style.css';

/**
 * The Content-Security-Policy of every sandbox page: no script at all, only
 * the sandbox's own stylesheet. `form-action` is left out on purpose: the
 * consent form's redirect chain ends at the app's loopback port, another
 * origin, and browsers apply `form-action` to redirects.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The one stylesheet of the sandbox pages; `.actions` shows the primary button (first in the form, so Enter picks it) on the right. */
export const PAGE_CSS = `body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d2129;margin:0}
main{max-width:26rem;margin:3rem auto;padding:1.75rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 .25rem}.tag{color:#687080;font-size:.85rem;margin:0 0 1.25rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem .6rem;font-size:1rem;border:1px solid #c4c8d0;border-radius:4px}
input[name=user_code]{text-transform:uppercase;text-align:center;letter-spacing:.1em}
.actions{display:flex;flex-direction:row-reverse;gap:.75rem;margin-top:1.25rem}
button{flex:1;padding:.6rem;font-size:1rem;border-radius:4px;border:1px solid #2f6fdf;background:#2f6fdf;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2f6fdf}
ul.scopes{padding-left:1.1rem}ul.scopes li{margin:.35rem 0}code{font-size:.9em;background:#eef0f3;padding:0 .25em;border-radius:3px}
.notice{padding:.6rem .75rem;border-radius:4px;background:#eef4ff}.notice.error{background:#fdecec;color:#a11}
.code{font-size:1.6rem;text-align:center;letter-spacing:.15em;font-family:ui-monospace,monospace}
dl{margin:0}dt{font-weight:600}dd{margin:0 0 .5rem}
`;

/** What each scope lets an app do, as the consent page says it. */
const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in and know who you are',
  email: 'See your email address and read your demo mailbox',
  profile: 'See your name',
  offline_access: 'Stay signed in: keep access while you are away (a refresh token)',
  notifications: 'Read your demo GitHub notifications',
  'read:user': 'Read your demo GitHub profile',
};

/**
 * Which page this is, in `<body data-page>`, so a test driver can tell the
 * pages apart without reading their wording.
 */
export type PageKind = 'login' | 'consent' | 'error' | 'device-code' | 'device-confirm' | 'device-success';

/** A notice on a page; `kind` lands in `data-notice` for test drivers. */
export interface PageNotice {
  kind: string;
  text: string;
  error?: boolean;
}

/** The line under every page's heading, unless a page says otherwise ({@link PageOptions.tag}). */
const DEFAULT_TAG = 'Opperator sandbox: a local test authorization server, no real account';

/** Options of {@link renderPage}. */
export interface PageOptions {
  /** The line under the heading; the provider emulators name the provider they stand in for. */
  tag?: string;
}

/**
 * A whole page around `body` (already escaped HTML).
 *
 * @example
 * ```ts
 * res.end(renderPage('error', 'Sign-in expired', '<p>Start again.</p>'));
 * ```
 */
export function renderPage(kind: PageKind, title: string, body: string, notice?: PageNotice, options: PageOptions = {}): string {
  const noticeHtml = notice
    ? `<p class="notice${notice.error ? ' error' : ''}" role="${notice.error ? 'alert' : 'status'}" data-notice="${escapeHtml(notice.kind)}">${escapeHtml(notice.text)}</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Opperator sandbox</title>
<link rel="stylesheet" href="${PAGE_CSS_PATH}">
</head>
<body data-page="${kind}">
<main>
<h1>${escapeHtml(title)}</h1>
<p class="tag">${escapeHtml(options.tag ?? DEFAULT_TAG)}</p>
${noticeHtml}
${body}
</main>
</body>
</html>
`;
}

/** Options of {@link renderLoginPage}. */
export interface LoginPageOptions {
  action: string;
  clientName: string;
  login?: string;
  notice?: PageNotice;
  /** What the page says about user names and email addresses; default the sandbox's own wording. */
  accountHint?: string;
  /** See {@link PageOptions.tag}. */
  tag?: string;
}

/**
 * The sign-in page: any user name is accepted, the password is optional.
 *
 * @example
 * ```ts
 * renderLoginPage({ action: `/interaction/${uid}/login`, clientName: 'opperator-demo' });
 * ```
 */
export function renderLoginPage(options: LoginPageOptions): string {
  const hint = options.accountHint === undefined ? 'Any user name works; your email here is <code>&lt;name&gt;@sandbox.test</code>.' : escapeHtml(options.accountHint);
  const body = `<p>Sign in to continue to <strong>${escapeHtml(options.clientName)}</strong>. ${hint}</p>
<form method="post" action="${escapeHtml(options.action)}">
<label for="login">User name</label>
<input id="login" type="text" name="login" value="${escapeHtml(options.login ?? '')}" autocomplete="username" autofocus required>
<label for="password">Password <span class="tag">(optional, not checked)</span></label>
<input id="password" type="password" name="password" autocomplete="current-password">
<div class="actions">
<button type="submit" name="decision" value="allow">Sign in</button>
<button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Cancel</button>
</div>
</form>`;
  return renderPage('login', 'Sign in', body, options.notice, options.tag === undefined ? {} : { tag: options.tag });
}

/** Options of {@link renderConsentPage}. */
export interface ConsentPageOptions {
  action: string;
  clientName: string;
  accountId: string;
  scopes: string[];
  /** Who is asked, in words (e.g. `the GitHub account alice`); default the sandbox account with its email. */
  accountLabel?: string;
  /** What each scope allows; scopes not in it (or in the sandbox's own list) are "access you granted by name". */
  scopeDescriptions?: Record<string, string>;
  /** See {@link PageOptions.tag}. */
  tag?: string;
}

/**
 * The consent page: who asks, for which account, and what each scope
 * allows, with Allow and Deny.
 *
 * @example
 * ```ts
 * renderConsentPage({ action: `/interaction/${uid}/consent`, clientName: 'opperator-demo', accountId: 'alice', scopes: ['openid', 'email'] });
 * ```
 */
export function renderConsentPage(options: ConsentPageOptions): string {
  const descriptions = options.scopeDescriptions ?? SCOPE_DESCRIPTIONS;
  const items = options.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(descriptions[scope] ?? 'Access you granted by name')}</li>`);
  const who =
    options.accountLabel === undefined
      ? `the sandbox account <strong>${escapeHtml(options.accountId)}</strong> (${escapeHtml(`${options.accountId}@sandbox.test`)})`
      : escapeHtml(options.accountLabel);
  const body = `<p><strong>${escapeHtml(options.clientName)}</strong> asks to access ${who}.</p>
<p>It will be able to:</p>
<ul class="scopes">${items.join('')}</ul>
<form method="post" action="${escapeHtml(options.action)}">
<div class="actions">
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`;
  return renderPage('consent', 'Allow access?', body, undefined, options.tag === undefined ? {} : { tag: options.tag });
}

/**
 * An error page listing what went wrong.
 *
 * @example
 * ```ts
 * renderErrorPage('This sign-in has expired', [['error', 'session_not_found']]);
 * ```
 */
export function renderErrorPage(title: string, details: Array<[string, string]>, hint?: string, options: PageOptions = {}): string {
  const list = details.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('');
  return renderPage('error', title, `${hint ? `<p>${escapeHtml(hint)}</p>` : ''}<dl>${list}</dl>`, undefined, options);
}

/**
 * Where a device page's form posts and the hidden fields it carries (the
 * provider's CSRF token, the code being confirmed), so the page can put its
 * buttons inside the form: a `<button form="…">` outside it does nothing in
 * text browsers (w3m, lynx), and a page that needs script is one a person on
 * a headless machine cannot finish.
 */
export interface DeviceForm {
  action: string;
  /** Hidden fields, in order. */
  fields?: Record<string, string>;
}

function hiddenFields(form: DeviceForm): string {
  return Object.entries(form.fields ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

/**
 * The device flow's code page: one plain form with the code field and its
 * Continue button; `userCode` fills the field in (a `verification_uri_complete`
 * link, or a refused code to correct).
 *
 * @example
 * ```ts
 * renderDeviceCodePage({ action: '/device', fields: { xsrf } }, { kind: 'aborted', text: 'The sign-in request was interrupted.', error: true });
 * ```
 */
export function renderDeviceCodePage(form: DeviceForm, notice?: PageNotice, options: PageOptions & { userCode?: string } = {}): string {
  // novalidate: an empty code gets the server's notice, the same in every browser.
  const body = `<p>Enter the code shown on your device.</p>
<form id="op.deviceInputForm" method="post" action="${escapeHtml(form.action)}" novalidate>
${hiddenFields(form)}
<label for="user_code">Code</label>
<input id="user_code" type="text" name="user_code" value="${escapeHtml(options.userCode ?? '')}" autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus>
<div class="actions"><button type="submit">Continue</button></div>
</form>`;
  return renderPage('device-code', 'Connect a device', body, notice, options.tag === undefined ? {} : { tag: options.tag });
}

/**
 * The device flow's confirmation page: which app, which code, continue or
 * abort, both buttons inside the one form.
 *
 * @example
 * ```ts
 * renderDeviceConfirmPage({ action: '/device', fields: { xsrf, user_code: 'BCDF-GHJK', confirm: 'yes' } }, 'opperator-demo', 'BCDF-GHJK');
 * ```
 */
export function renderDeviceConfirmPage(form: DeviceForm, clientName: string, userCode: string, options: PageOptions = {}): string {
  const body = `<p><strong>${escapeHtml(clientName)}</strong> asks to sign in on a device. Continue only if the device shows this code:</p>
<p class="code">${escapeHtml(userCode)}</p>
<form id="op.deviceConfirmForm" method="post" action="${escapeHtml(form.action)}">
${hiddenFields(form)}
<div class="actions">
<button type="submit" autofocus>Continue</button>
<button type="submit" name="abort" value="yes" class="secondary">Abort</button>
</div>
</form>`;
  return renderPage('device-confirm', 'Confirm the device', body, undefined, options);
}

/**
 * The device flow's last page.
 *
 * @example
 * ```ts
 * renderDeviceSuccessPage('opperator-demo');
 * ```
 */
export function renderDeviceSuccessPage(clientName: string, options: PageOptions = {}): string {
  return renderPage('device-success', 'Sign-in Success', `<p>You signed in to <strong>${escapeHtml(clientName)}</strong>. You can close this page and return to your device.</p>`, undefined, options);
}
