import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer } from '@opperator/sandbox';
import { discoverProvider } from '../src/index.js';
import { refusedConnection } from './helpers.js';

let server: RunningAuthorizationServer;
beforeAll(async () => {
  server = await startAuthorizationServer();
});
afterAll(async () => {
  await server?.close();
});

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('discoverProvider', () => {
  it('discovers the local oidc-provider issuer over plain http on 127.0.0.1', async () => {
    const provider = await discoverProvider(server.issuer, { name: 'sandbox' });
    expect(provider.name).toBe('sandbox');
    expect(provider.issuer).toBe(server.issuer);
    expect(provider.metadata).toMatchObject({
      authorization_endpoint: `${server.issuer}/auth`,
      token_endpoint: `${server.issuer}/token`,
      revocation_endpoint: `${server.issuer}/token/revocation`,
      authorization_response_iss_parameter_supported: true,
    });
    expect(provider.metadata?.code_challenge_methods_supported).toContain('S256');
    // offline_access is offered, so it is requested with the consent prompt that OpenID requires for it.
    expect(provider.defaultScopes).toEqual(['openid', 'offline_access']);
    expect(provider.authorizationParams).toEqual({ prompt: 'consent' });
  });

  it('falls back to RFC 8414 metadata when there is no OpenID configuration', async () => {
    const asked: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      const url = String(input);
      asked.push(url);
      if (url === 'https://as.example.test/.well-known/oauth-authorization-server') {
        return json(200, { issuer: 'https://as.example.test', authorization_endpoint: 'https://as.example.test/authorize', token_endpoint: 'https://as.example.test/token' });
      }
      return new Response('not found', { status: 404 });
    }) as typeof fetch;
    const provider = await discoverProvider('https://as.example.test', { fetch: fakeFetch });
    expect(asked).toEqual(['https://as.example.test/.well-known/openid-configuration', 'https://as.example.test/.well-known/oauth-authorization-server']);
    expect(provider.metadata?.token_endpoint).toBe('https://as.example.test/token');
    expect(provider.defaultScopes).toEqual([]);
  });

  it('fails clearly when nothing is found, the body is HTML, the issuer differs, or the host is down', async () => {
    const answer = (response: () => Response) => ({ fetch: (async () => response()) as typeof fetch });
    await expect(discoverProvider('https://as.example.test', answer(() => new Response('nope', { status: 404 })))).rejects.toMatchObject({ code: 'OAUTH_DISCOVERY_FAILED' });
    await expect(discoverProvider('https://as.example.test', answer(() => new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } })))).rejects.toMatchObject({ code: 'OAUTH_DISCOVERY_FAILED' });
    await expect(discoverProvider('https://as.example.test', answer(() => json(200, { issuer: 'https://other.example.test' })))).rejects.toMatchObject({ code: 'OAUTH_DISCOVERY_FAILED' });
    const down = { fetch: (async () => { throw refusedConnection(); }) as typeof fetch };
    await expect(discoverProvider('https://as.example.test', down)).rejects.toMatchObject({ code: 'OAUTH_NETWORK' });
  });

  it('refuses plain http except on loopback, and non-URLs', async () => {
    await expect(discoverProvider('http://auth.example.test')).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT' });
    await expect(discoverProvider('not a url')).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT' });
  });
});
