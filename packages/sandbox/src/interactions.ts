import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type default as Provider, type InteractionResults } from 'oidc-provider';
import { readBody } from './read-body.js';
import { PAGE_CSP, PAGE_CSS, PAGE_CSS_PATH, renderConsentPage, renderErrorPage, renderLoginPage } from './pages.js';

/** Path prefix of the sign-in pages; oidc-provider sends the browser to `/interaction/<uid>`. */
export const INTERACTION_PREFIX = '/interaction/';

/** Longest user name accepted on the login page. */
const MAX_LOGIN_LENGTH = 64;
/** Largest form body read; the pages post two short fields. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * The `interactions.url` of the provider configuration: where a sign-in's pages live.
 *
 * @example
 * ```ts
 * new Provider(issuer, { interactions: { url: interactionUrl } });
 * ```
 */
export function interactionUrl(_ctx: unknown, interaction: { uid: string }): string {
  return `${INTERACTION_PREFIX}${interaction.uid}`;
}

/**
 * The sandbox's own login and consent pages, in place of oidc-provider's
 * development-only `devInteractions`. Handles `GET /interaction/<uid>` (the
 * page the current prompt needs), `POST /interaction/<uid>/login` and
 * `POST /interaction/<uid>/consent`, and the pages' stylesheet; returns
 * false for anything else. Any user name signs in (it becomes the account
 * id, `<name>@sandbox.test`); Allow grants the requested scopes and claims;
 * Deny or Cancel ends the sign-in with `access_denied`. The device flow
 * reaches the same pages after its code is confirmed.
 *
 * @example
 * ```ts
 * if (!(await handleInteractions(provider, req, res))) oidcCallback(req, res);
 * ```
 */
export async function handleInteractions(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const { pathname } = new URL(req.url ?? '/', 'http://sandbox');
  if (pathname === PAGE_CSS_PATH) {
    res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' });
    res.end(PAGE_CSS);
    return true;
  }
  const match = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/.exec(pathname);
  if (!match) return false;
  const [, uid, step] = match as unknown as [string, string, 'login' | 'consent' | undefined];
  try {
    if (step === undefined && req.method === 'GET') await showPage(provider, req, res, uid);
    else if (step !== undefined && req.method === 'POST') await submit(provider, req, res, uid, step);
    else sendHtml(res, 405, renderErrorPage('Not allowed', [['method', req.method ?? '']]));
  } catch (err) {
    if (err instanceof errors.SessionNotFound) {
      // The interaction cookie is gone: the page was opened in another browser, expired, or already used.
      sendHtml(res, 400, renderErrorPage('This sign-in has expired', [['error', err.error_description ?? err.message]], 'Start the sign-in again from the app.'));
    } else {
      sendHtml(res, 500, renderErrorPage('Something went wrong', [['error', err instanceof Error ? err.message : String(err)]]));
    }
  }
  return true;
}

async function showPage(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.SessionNotFound('the sign-in page does not belong to this sign-in');
  const clientName = await displayName(provider, details.params.client_id);
  if (details.prompt.name === 'login') {
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
    sendHtml(res, 200, renderLoginPage({ action: `${INTERACTION_PREFIX}${uid}/login`, clientName, ...(hint ? { login: hint } : {}) }));
    return;
  }
  if (details.prompt.name === 'consent') {
    const scopes = typeof details.params.scope === 'string' ? details.params.scope.split(' ').filter(Boolean) : [];
    sendHtml(res, 200, renderConsentPage({ action: `${INTERACTION_PREFIX}${uid}/consent`, clientName, accountId: details.session?.accountId ?? '', scopes }));
    return;
  }
  sendHtml(res, 501, renderErrorPage('Not supported', [['prompt', details.prompt.name]], 'The sandbox only knows the login and consent prompts.'));
}

async function submit(provider: Provider, req: IncomingMessage, res: ServerResponse, uid: string, step: 'login' | 'consent'): Promise<void> {
  const form = new URLSearchParams(await readBody(req, MAX_FORM_BYTES));
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.SessionNotFound('the form does not belong to this sign-in');
  if (details.prompt.name !== step) {
    sendHtml(res, 400, renderErrorPage('Out of step', [['expected', details.prompt.name], ['received', step]], 'Go back and reload the page.'));
    return;
  }
  if (form.get('decision') === 'deny') {
    await finish(provider, req, res, { error: 'access_denied', error_description: step === 'login' ? 'The user cancelled the sign-in' : 'The user denied access' }, false);
    return;
  }
  if (step === 'login') {
    const login = (form.get('login') ?? '').trim();
    if (!login || login.length > MAX_LOGIN_LENGTH) {
      const clientName = await displayName(provider, details.params.client_id);
      const text = login ? `Use at most ${MAX_LOGIN_LENGTH} characters.` : 'Enter a user name (any name works).';
      sendHtml(res, 400, renderLoginPage({ action: `${INTERACTION_PREFIX}${uid}/login`, clientName, login, notice: { kind: 'invalid-login', text, error: true } }));
      return;
    }
    await finish(provider, req, res, { login: { accountId: login } }, false);
    return;
  }
  const accountId = details.session?.accountId;
  if (!accountId) throw new errors.SessionNotFound('nobody is signed in for this consent');
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id as string });
  if (!grant) throw new errors.SessionNotFound('the grant of this sign-in is gone');
  // Grant exactly what the consent prompt found missing: OpenID scopes, claims, API scopes.
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  await finish(provider, req, res, { consent: { grantId: await grant.save() } }, true);
}

/** Ends the interaction: oidc-provider answers with the redirect back into the flow. */
async function finish(provider: Provider, req: IncomingMessage, res: ServerResponse, result: InteractionResults, merge: boolean): Promise<void> {
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
}

async function displayName(provider: Provider, clientId: unknown): Promise<string> {
  if (typeof clientId !== 'string') return 'an app';
  const client = await provider.Client.find(clientId);
  return client?.clientName ?? clientId;
}

/**
 * Sends a sandbox page with the headers every page carries.
 *
 * @example
 * ```ts
 * sendHtml(res, 200, renderLoginPage({ action, clientName }));
 * ```
 */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': PAGE_CSP,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(html);
}
