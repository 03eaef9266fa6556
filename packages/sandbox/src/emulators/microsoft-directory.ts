import { stableGuid } from './emulator-ids.js';

// The emulated Entra directory: its tenants, the tenant segments of URLs, its users and Microsoft Graph's app id.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [oidc] v2-protocols-oidc

/**
 * The id (a GUID) of the emulated Entra work tenant: `tid` of its users' tokens, and a tenant segment the emulator accepts.
 *
 * @example
 * ```ts
 * server.emulatedUrl(`https://login.microsoftonline.com/${SANDBOX_ENTRA_TENANT_ID}/v2.0/.well-known/openid-configuration`);
 * ```
 */
export const SANDBOX_ENTRA_TENANT_ID = '6d1f0a3c-5b2e-4c8a-9e7d-0f3a1b2c4d5e';
/**
 * The domain of the emulated Entra tenant (users' principal names are `<login>@sandbox.onmicrosoft.com`); also a tenant segment.
 *
 * @example
 * ```ts
 * server.emulatedUrl(`https://login.microsoftonline.com/${SANDBOX_ENTRA_TENANT_DOMAIN}/oauth2/v2.0/token`);
 * ```
 */
export const SANDBOX_ENTRA_TENANT_DOMAIN = 'sandbox.onmicrosoft.com';
/** [oidc] "You can also use the consumer tenant GUID, 9188040d-6c67-4c5b-b112-36a304b66dad, in place of consumers." */
export const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** Microsoft Graph's application id: the audience of Graph tokens (and the resource named in AADSTS50076, see the refresh in microsoft-tokens.ts). */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** How a tenant path segment resolves. */
export interface Tenant {
  /** The segment as asked (common, organizations, consumers, a GUID or a domain). */
  segment: string;
  kind: 'common' | 'organizations' | 'consumers' | 'tenant';
  /** The tenant users signing in here belong to. */
  tid: string;
}

/**
 * [oidc] tenant values: common, organizations, consumers, or a tenant's GUID or domain name; undefined for another tenant.
 *
 * @example
 * ```ts
 * resolveTenant('sandbox.onmicrosoft.com'); // { segment: 'sandbox.onmicrosoft.com', kind: 'tenant', tid: SANDBOX_ENTRA_TENANT_ID }
 * ```
 */
export function resolveTenant(segment: string): Tenant | undefined {
  const lower = segment.toLowerCase();
  if (lower === 'common' || lower === 'organizations') return { segment, kind: lower, tid: SANDBOX_ENTRA_TENANT_ID };
  if (lower === 'consumers' || lower === CONSUMER_TENANT_ID) return { segment, kind: 'consumers', tid: CONSUMER_TENANT_ID };
  if (lower === SANDBOX_ENTRA_TENANT_ID || lower === SANDBOX_ENTRA_TENANT_DOMAIN) return { segment, kind: 'tenant', tid: SANDBOX_ENTRA_TENANT_ID };
  return undefined;
}

/**
 * The directory's display name in AADSTS messages.
 *
 * @example
 * ```ts
 * tenantName(resolveTenant('consumers')!); // 'Microsoft Accounts'
 * ```
 */
export function tenantName(tenant: Tenant): string {
  return tenant.kind === 'consumers' ? 'Microsoft Accounts' : 'Opperator Sandbox';
}

/**
 * A user's principal name: the account when it is an address, else `<account>@sandbox.onmicrosoft.com`.
 *
 * @example
 * ```ts
 * userPrincipalName('alice'); // 'alice@sandbox.onmicrosoft.com'
 * ```
 */
export function userPrincipalName(account: string): string {
  return account.includes('@') ? account : `${account}@${SANDBOX_ENTRA_TENANT_DOMAIN}`;
}

/**
 * A user's object id (`oid`), a GUID stable per account.
 *
 * @example
 * ```ts
 * entraObjectId('alice'); // the same GUID on every run
 * ```
 */
export function entraObjectId(account: string): string {
  return stableGuid(`entra:${account}`);
}
