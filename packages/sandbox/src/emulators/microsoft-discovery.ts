import { sendJson } from '../access-token-check.js';
import type { EmulatedCall } from './emulator-types.js';
import type { SigningKey } from './jwt-signing.js';
import type { Tenant } from './microsoft-directory.js';

// Entra's OpenID Connect discovery, per tenant segment, and its signing keys.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [oidc] v2-protocols-oidc

/** Entra's discovery documents and JWKS. */
export class EntraDiscovery {
  readonly #key: SigningKey;

  constructor(key: SigningKey) {
    this.#key = key;
  }

  /** `GET /{tenant}/discovery/v2.0/keys`: the signing key, with the issuer it signs for. */
  keys(call: EmulatedCall): void {
    sendJson(call.res, 200, { keys: [this.#key.jwk({ x5t: this.#key.kid, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' })] });
  }

  /** `GET /{tenant}/v2.0/.well-known/openid-configuration`. */
  configuration(call: EmulatedCall, tenant: Tenant): void {
    // [oidc] endpoints under the segment asked for (a domain resolves to the tenant's GUID).
    const segment = tenant.kind === 'tenant' ? tenant.tid : tenant.segment;
    const login = (path: string) => `https://login.microsoftonline.com/${segment}${path}`;
    // [oidc] / captures (coreos/go-oidc#121, dexidp/dex#1110, geldata/gel#6028): the multi-tenant documents (common,
    // organizations) name the issuer with a literal {tenantid} placeholder; consumers names the consumer tenant's GUID; a
    // tenant names its own GUID. ID tokens then carry the user's tenant in iss.
    const issuerTenant = tenant.kind === 'common' || tenant.kind === 'organizations' ? '{tenantid}' : tenant.tid;
    sendJson(call.res, 200, {
      token_endpoint: login('/oauth2/v2.0/token'),
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: login('/discovery/v2.0/keys'),
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `https://login.microsoftonline.com/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: login('/oauth2/v2.0/authorize'),
      device_authorization_endpoint: login('/oauth2/v2.0/devicecode'),
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: login('/oauth2/v2.0/logout'),
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      kerberos_endpoint: login('/kerberos'),
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  }
}
