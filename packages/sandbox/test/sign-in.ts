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

/** GET with an optional bearer token. */
export function getWithToken(url: string, token?: string): Promise<Response> {
  return fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
}

/** Where the tests keep a server's state, laid out as `opperator sandbox start` does under OPPERATOR_HOME. */
export const stateFileIn = (dir: string) => join(dir, 'state', 'sandbox-store.json');
