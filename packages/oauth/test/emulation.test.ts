import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, emulateProvider, emulatedUrl, providers } from '../src/index.js';

describe('emulateProvider', () => {
  it('routes only the provider\'s own hosts, keeping the path as written', () => {
    const microsoft = emulateProvider(providers.microsoft(), 'http://127.0.0.1:9440');
    expect(emulatedUrl(microsoft, 'https://login.microsoftonline.com/{tenantid}/v2.0')).toBe('http://127.0.0.1:9440/emulate/login.microsoftonline.com/{tenantid}/v2.0');
    expect(emulatedUrl(microsoft, 'https://graph.microsoft.com/v1.0/me?$select=id')).toBe('http://127.0.0.1:9440/emulate/graph.microsoft.com/v1.0/me?$select=id');
    expect(emulatedUrl(microsoft, 'https://api.github.com/user')).toBe('https://api.github.com/user');
    expect(emulatedUrl(microsoft, 'http://graph.microsoft.com/v1.0/me')).toBe('http://graph.microsoft.com/v1.0/me');
    expect(emulatedUrl(providers.microsoft(), 'https://graph.microsoft.com/v1.0/me')).toBe('https://graph.microsoft.com/v1.0/me');
  });

  it('refuses an emulator off this machine: tokens would be sent there', () => {
    expect(() => emulateProvider(providers.github, 'https://emulator.example.com')).toThrow(expect.objectContaining({ code: 'OAUTH_INVALID_ARGUMENT' }));
    expect(() => emulateProvider(providers.github, 'not a url')).toThrow(expect.objectContaining({ code: 'OAUTH_INVALID_ARGUMENT' }));
    expect(() => emulateProvider(providers.sandbox, 'http://127.0.0.1:9440')).toThrow(/no hosts/);
  });

  it('sends API requests made with client.fetch() to the emulator, and says so in status()', async () => {
    const seen: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const store = new MemoryTokenStore();
    await store.save({ issuer: 'https://github.com', clientId: 'c', tokenType: 'bearer', accessToken: 'gho_x', scopes: [], obtainedAt: Date.now() });
    const client = new OAuthClient({ provider: emulateProvider(providers.github, 'http://127.0.0.1:9440'), clientId: 'c', store, fetch: fakeFetch });
    await client.fetch('https://api.github.com/user');
    await client.fetch(new Request('https://api.github.com/notifications'));
    await client.fetch('https://example.com/elsewhere');
    expect(seen).toEqual(['http://127.0.0.1:9440/emulate/api.github.com/user', 'http://127.0.0.1:9440/emulate/api.github.com/notifications', 'https://example.com/elsewhere']);
    expect((await client.status()).emulator).toBe('http://127.0.0.1:9440');
  });
});
