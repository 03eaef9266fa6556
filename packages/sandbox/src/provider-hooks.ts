import type { Client, ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { PAGE_CSP, renderDeviceCodePage, renderDeviceConfirmPage, renderDeviceSuccessPage, renderErrorPage, type PageNotice } from './pages.js';

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
    userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out?: unknown, err?: Error): void {
      const notice = err ? (DEVICE_CODE_NOTICES[err.name] ?? { kind: 'error', text: 'There was an error processing your request. Try again.', error: true }) : undefined;
      sendPage(ctx, renderDeviceCodePage(form, notice));
    },
    userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: Client, _deviceInfo: unknown, userCode: string): void {
      sendPage(ctx, renderDeviceConfirmPage(form, client.clientName ?? client.clientId, userCode));
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
