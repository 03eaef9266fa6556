import type { Client, ErrorOut, KoaContextWithOIDC, default as Provider } from 'oidc-provider';
import { PAGE_CSP, renderDeviceCodePage, renderDeviceConfirmPage, renderDeviceSuccessPage, renderErrorPage, type DeviceForm, type PageNotice } from './pages.js';

/**
 * The device flow's code-page notices by oidc-provider's error name; the
 * `aborted` one is what a user sees after denying consent.
 */
const DEVICE_CODE_NOTICES: Record<string, PageNotice> = {
  NoCodeError: { kind: 'invalid-code', text: 'Enter the code shown on your device.', error: true },
  NotFoundError: { kind: 'invalid-code', text: 'That code is not right. Check it and try again.', error: true },
  ExpiredError: { kind: 'expired-code', text: 'That code has expired. Start the sign-in again on your device.', error: true },
  AlreadyUsedError: { kind: 'used-code', text: 'That code was already used. Start the sign-in again on your device.', error: true },
  AbortedError: { kind: 'aborted', text: 'The sign-in request was interrupted: access was denied or the sign-in aborted.', error: true },
};

function sendPage(ctx: KoaContextWithOIDC, html: string): void {
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.type = 'html';
  ctx.body = html;
}

/**
 * Where the device pages post and their CSRF token. oidc-provider hands its
 * hooks a finished `<form>` whose submit button must sit outside it (see
 * pages.ts `DeviceForm`); the sandbox builds its own form from the same two
 * values oidc-provider builds its from: `urlFor('code_verification')` and the
 * secret its `generateXsrf` keeps in `session.state` (oidc-provider 9.x
 * lib/actions/code_verification.js, lib/shared/error_handler.js, lib/shared/xsrf.js).
 * The w3m walk in test/device-text-browser.e2e.test.ts fails if that changes.
 */
function deviceForm(ctx: KoaContextWithOIDC, fields: Record<string, string> = {}): DeviceForm {
  const secret = ctx.oidc.session?.state?.secret;
  if (typeof secret !== 'string') throw new Error('oidc-provider kept no device form secret in the session (session.state.secret)');
  return { action: ctx.oidc.urlFor('code_verification'), fields: { xsrf: secret, ...fields } };
}

/**
 * The sandbox's pages and policies for oidc-provider's configuration, in
 * place of its defaults (which load web fonts and print "you SHOULD change
 * this" notices when used). Spread into `features.deviceFlow`,
 * `renderError` and the revocation / introspection `allowedPolicy`.
 *
 * @example
 * ```ts
 * new Provider(issuer, { renderError: providerHooks.renderError, features: { deviceFlow: { enabled: true, ...providerHooks.deviceFlow } } });
 * ```
 */
export const providerHooks = {
  deviceFlow: {
    userCodeInputSource(ctx: KoaContextWithOIDC, _form: string, _out?: unknown, err?: Error): void {
      const notice = err ? (DEVICE_CODE_NOTICES[err.name] ?? { kind: 'error', text: 'There was an error processing your request. Try again.', error: true }) : undefined;
      // oidc-provider's re-render errors carry the code as typed, so the user can correct it (re_render_errors.js).
      const typed = err && 'userCode' in err && typeof err.userCode === 'string' ? err.userCode : undefined;
      sendPage(ctx, renderDeviceCodePage(deviceForm(ctx), notice, typed ? { userCode: typed } : {}));
    },
    userCodeConfirmSource(ctx: KoaContextWithOIDC, _form: string, client: Client, _deviceInfo: unknown, userCode: string): void {
      // The same fields as oidc-provider's own confirm form (lib/helpers/user_code_form.js `confirm`).
      sendPage(ctx, renderDeviceConfirmPage(deviceForm(ctx, { user_code: userCode, confirm: 'yes' }), client.clientName ?? client.clientId, userCode));
    },
    successSource(ctx: KoaContextWithOIDC): void {
      const client = ctx.oidc.client;
      sendPage(ctx, renderDeviceSuccessPage(client?.clientName ?? client?.clientId ?? 'the app'));
    },
  },

  renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
    const details = Object.entries(out).map(([name, value]): [string, string] => [name, String(value)]);
    sendPage(ctx, renderErrorPage('Something went wrong', details, 'Start the sign-in again from the app.'));
  },

  /**
   * Who may revoke or introspect a token: the client it was issued to, and
   * for introspection any confidential client (a resource server would be
   * one). oidc-provider's own default, written out so it is a decision.
   */
  revocationAllowed(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string | undefined }): boolean {
    return token.clientId === client.clientId;
  },
  introspectionAllowed(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string | undefined }): boolean {
    return client.clientAuthMethod !== 'none' || token.clientId === client.clientId;
  },
};

/**
 * Serves `verification_uri_complete` (`<issuer>/device?user_code=…`) as the
 * code page with the code filled in, one Continue away from the confirmation.
 * oidc-provider answers it with a page that posts itself by script, with a
 * `<noscript>` button that says the browser "does not support JavaScript"
 * (lib/actions/code_verification.js → lib/response_modes/form_post.js), and
 * that page is not the sandbox's (no CSP of ours, no `data-page`). The form
 * is the same one the code page posts, so the next step is unchanged.
 *
 * @example
 * ```ts
 * prefillDeviceCode(provider);
 * ```
 */
export function prefillDeviceCode(provider: Provider): void {
  provider.use(async (koaCtx, next) => {
    await next();
    // provider.use() is typed with Koa's plain context; oidc-provider adds `oidc` to the requests it routes.
    const ctx = koaCtx as KoaContextWithOIDC;
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    const userCode = oidc?.route === 'code_verification' && ctx.method === 'GET' && ctx.status === 200 ? oidc.params?.user_code : undefined;
    if (typeof userCode === 'string' && userCode) sendPage(ctx, renderDeviceCodePage(deviceForm(ctx), undefined, { userCode }));
  });
}
