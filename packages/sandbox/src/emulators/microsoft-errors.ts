import { randomUUID } from 'node:crypto';
import { sendJson } from '../access-token-check.js';
import { sendErrorPage } from './emulator-http.js';
import type { EmulatedCall } from './emulator-types.js';
import { tenantName, type Tenant } from './microsoft-directory.js';

// Entra's error answers: the AADSTS error bodies of its endpoints and its error pages.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [errors] reference-error-codes

/** The line under the heading of the Entra emulator's pages. */
export const ENTRA_TAG = 'Opperator sandbox: emulated Microsoft Entra ID, no real account';

/** Entra's errors (AADSTS codes with trace and correlation ids), timestamped by the emulator's clock. */
export class EntraErrors {
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * [errors] "Here's a sample error response": error, error_description ("AADSTSnnnnn: ...\r\nTrace ID: ...\r\nCorrelation
   * ID: ...\r\nTimestamp: ..."), error_codes, timestamp ("2016-01-09 02:02:12Z"), trace_id, correlation_id, error_uri.
   */
  body(error: string, code: number, message: string, extra: Record<string, string> = {}): Record<string, unknown> {
    const timestamp = new Date(this.#now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const traceId = randomUUID();
    const correlationId = randomUUID();
    return {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      ...extra,
    };
  }

  /** Sends an AADSTS error. */
  send(call: EmulatedCall, status: number, error: string, code: number, message: string, extra: Record<string, string> = {}): void {
    sendJson(call.res, status, this.body(error, code, message, extra));
  }

  /** An unknown tenant segment: an error page for the browser (`page`), else the AADSTS90002 error. */
  unknownTenant(call: EmulatedCall, segment: string, page: boolean): void {
    // Capture (panva/openid-client#175): invalid_tenant "AADSTS90002: Tenant 'organizations' not found. ...", HTTP 400.
    const message = `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;
    if (page) return sendErrorPage(call.res, 400, 'Sign in', [['error', 'invalid_tenant'], ['message', `AADSTS90002: ${message}`]], ENTRA_TAG);
    this.send(call, 400, 'invalid_tenant', 90002, message);
  }
}

/**
 * [errors] AADSTS700016 UnauthorizedClient_DoesNotMatchRequest: "Application with identifier '{appIdentifier}' was not found
 * in the directory", with the rest of the captured wording.
 *
 * @example
 * ```ts
 * errors.send(call, 400, 'unauthorized_client', 700016, appNotFound(clientId, tenant));
 * ```
 */
export function appNotFound(clientId: string, tenant: Tenant): string {
  return `Application with identifier '${clientId}' was not found in the directory '${tenantName(tenant)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`;
}

/**
 * [errors] AADSTS70011's message for a scope that is not valid.
 *
 * @example
 * ```ts
 * errors.send(call, 400, 'invalid_scope', 70011, invalidScope('Nope.Never'));
 * ```
 */
export function invalidScope(scope: string): string {
  return `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`;
}
