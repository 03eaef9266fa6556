import { join } from 'node:path';
import { MemoryTokenStore, OAuthClient, discoverProvider, type StoredTokens } from '@opperator/oauth';
import type { TestBrowser } from '@opperator/testing';
import type { RunningAuthorizationServer, SandboxClient } from '../src/index.js';

/**
 * Signs `login` in at `server` through the real loopback flow, Chromium
 * playing the user on the sandbox's pages, with the confidential demo client.
 */
export async function signInThroughBrowser(browser: TestBrowser, server: RunningAuthorizationServer, scopes: string[], login = 'alice'): Promise<StoredTokens> {
  const client = server.clients[0] as SandboxClient;
  const oauth = new OAuthClient({
    provider: await discoverProvider(server.issuer, { name: 'sandbox' }),
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    scopes,
    store: new MemoryTokenStore(),
  });
  let page: Promise<unknown> | undefined;
  const tokens = await oauth.authorize({ openBrowser: (url) => void (page = browser.signIn(url, { login })) });
  await page;
  return tokens;
}

/** A raw refresh_token grant at the token endpoint, as any client would send it (client_secret_basic). */
export async function refresh(server: RunningAuthorizationServer, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const client = server.clients[0] as SandboxClient;
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret ?? ''}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** GET with an optional bearer token. */
export function getWithToken(url: string, token?: string): Promise<Response> {
  return fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
}

/** Where the tests keep a server's state, laid out as `opperator sandbox start` does under OPPERATOR_HOME. */
export const stateFileIn = (dir: string) => join(dir, 'state', 'sandbox-store.json');
