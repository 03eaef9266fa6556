import { expect } from 'vitest';
import { OAuthClient, type StoredTokens, type TokenStore } from '@opperator/oauth';
import { RotatingTokenEndpoint } from './rotating-token-endpoint.js';
import type { ContractContext } from './token-store-contract.js';

// Refresh scenarios of the token store contract: real OAuthClients, one per
// handle (as one per process or host), against a rotating token endpoint
// faked at the fetch seam. Time is an injected clock shared by the clients;
// a lease store's own timing stays real.

/** Handles (and so clients) sharing one grant in the concurrency scenarios. */
const HANDLE_COUNT = 6;
/** Expiry windows in the rotation scenario. */
const WINDOW_COUNT = 3;
const CLIENT_ID = 'contract-client';
const HOUR_MS = 3_600_000;

interface Clock {
  now: number;
}

function contractClient(store: TokenStore, endpoint: RotatingTokenEndpoint, clock: Clock): OAuthClient {
  return new OAuthClient({
    provider: endpoint.provider,
    clientId: CLIENT_ID,
    clientSecret: 'contract-secret',
    scopes: ['read'],
    store,
    fetch: endpoint.fetch,
    now: () => clock.now,
    // One attempt: a refusal must show as it is, not be retried away.
    retry: { maxAttempts: 1 },
  });
}

/** The grant as a sign-in left it an hour ago: its access token just expired, `rt-0` is live. */
function expiredGrant(now: number): StoredTokens {
  return { issuer: RotatingTokenEndpoint.ISSUER, clientId: CLIENT_ID, tokenType: 'bearer', accessToken: 'at-0', refreshToken: 'rt-0', scopes: ['read'], obtainedAt: now - HOUR_MS, signedInAt: now - HOUR_MS, expiresAt: now - 1 };
}

async function openSiblings(open: ContractContext['open'], count: number): Promise<TokenStore[]> {
  const handle = await open();
  const siblings = await Promise.all(Array.from({ length: count - 1 }, () => handle.sibling()));
  return [handle.store, ...siblings];
}

/** Registers the refresh scenarios (see {@link describeTokenStoreContract}). */
export function registerRefreshScenarios({ factory, open, itWhen }: ContractContext): void {
  const always = itWhen(true, '');
  const withSharedLock = itWhen(factory.capabilities.sharedLock, 'no lock shared across handles: refreshes are coordinated only inside one client');

  withSharedLock(`${HANDLE_COUNT} clients on sibling handles refreshing an expired token at once make exactly one refresh request, and all get the new token`, async () => {
    const clock = { now: Date.now() };
    const stores = await openSiblings(open, HANDLE_COUNT);
    await stores[0]!.save(expiredGrant(clock.now));
    const endpoint = new RotatingTokenEndpoint({ delayMs: 40 });
    const clients = stores.map((store) => contractClient(store, endpoint, clock));
    const tokens = await Promise.all(clients.flatMap((client) => [client.getAccessToken(), client.getAccessToken(), client.getAccessToken()]));
    expect(endpoint.requests).toEqual([{ refreshToken: 'rt-0', outcome: 'rotated' }]);
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(await stores[HANDLE_COUNT - 1]!.load()).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
  });

  // RFC 9700 (OAuth 2.0 Security BCP) §4.14.2: a rotating server revokes the
  // grant when a rotated refresh token comes back, so the new refresh token
  // must be in the store before any other handle can read the old one.
  withSharedLock(`rotation over ${WINDOW_COUNT} expiry windows: each rotated refresh token is saved before any other handle can redeem the old one (no reuse, no invalid_grant, one refresh per window)`, async () => {
    const clock = { now: Date.now() };
    const stores = await openSiblings(open, HANDLE_COUNT);
    const observer = stores[0]!;
    await observer.save(expiredGrant(clock.now));
    const storedAtRequest: Array<string | undefined> = [];
    const endpoint = new RotatingTokenEndpoint({
      delayMs: 20,
      onRequest: async () => {
        storedAtRequest.push((await observer.load())?.refreshToken);
      },
    });
    const clients = stores.map((store) => contractClient(store, endpoint, clock));
    for (let window = 1; window <= WINDOW_COUNT; window += 1) {
      if (window > 1) clock.now += 2 * HOUR_MS;
      // Staggered: some clients arrive while the refresh is in flight, some after it was saved.
      const tokens = await Promise.all(clients.map(async (client, index) => (await delay((index % 3) * 15), client.getAccessToken())));
      expect(new Set(tokens)).toEqual(new Set([`at-${window}`]));
      expect(endpoint.requests).toHaveLength(window);
    }
    expect(endpoint.count('invalid_grant')).toBe(0);
    expect(endpoint.requests.map((request) => request.refreshToken)).toEqual(Array.from({ length: WINDOW_COUNT }, (_, i) => `rt-${i}`));
    // Whoever redeemed rt-k found rt-k in the store: the rotation before it was saved first.
    expect(storedAtRequest).toEqual(endpoint.requests.map((request) => request.refreshToken));
    expect(endpoint.liveRefreshToken).toBe(`rt-${WINDOW_COUNT}`);
    expect(await stores[1]!.load()).toMatchObject({ accessToken: `at-${WINDOW_COUNT}`, refreshToken: `rt-${WINDOW_COUNT}` });
  });

  always('a handle whose refresh gets invalid_grant while a sibling already stored a newer token adopts that token and is not marked for re-authorization', async () => {
    const clock = { now: Date.now() };
    const [mine, elsewhere, third] = await openSiblings(open, 3);
    await mine!.save(expiredGrant(clock.now));
    const newer: StoredTokens = { ...expiredGrant(clock.now), accessToken: 'at-sibling', refreshToken: 'rt-sibling', obtainedAt: clock.now, expiresAt: clock.now + HOUR_MS };
    const endpoint = new RotatingTokenEndpoint({
      onRequest: async (refreshToken) => {
        // Meanwhile a sibling (a process outside the lock, or one whose lease ran out) redeemed rt-0 and stored its tokens.
        if (refreshToken !== 'rt-0') return;
        await elsewhere!.save(newer);
        endpoint.refuse('rt-0');
      },
    });
    const client = contractClient(mine!, endpoint, clock);
    expect(await client.getAccessToken()).toBe('at-sibling');
    expect(endpoint.requests).toEqual([{ refreshToken: 'rt-0', outcome: 'invalid_grant' }]);
    expect(await third!.load()).toEqual(newer);
    expect((await client.status()).state).toBe('valid');
    expect(await contractClient(third!, endpoint, clock).getAccessToken()).toBe('at-sibling');
    expect(endpoint.requests).toHaveLength(1);
  });

  always('a dead grant: the re-authorization mark is stored, seen by every handle, and no handle asks the provider again', async () => {
    const clock = { now: Date.now() };
    const [first, second, third] = await openSiblings(open, 3);
    await first!.save(expiredGrant(clock.now));
    const endpoint = new RotatingTokenEndpoint();
    endpoint.revokeGrant();
    await expect(contractClient(first!, endpoint, clock).getAccessToken()).rejects.toMatchObject({ name: 'ReauthorizationRequiredError', code: 'OAUTH_REAUTHORIZATION_REQUIRED' });
    const stored = await second!.load();
    // The tokens are kept (a sign-in replaces them), only marked.
    expect(stored).toMatchObject({ accessToken: 'at-0', refreshToken: 'rt-0' });
    expect(stored?.reauthorizationRequired?.reason).toMatch(/invalid_grant/);
    const other = contractClient(third!, endpoint, clock);
    await expect(other.getAccessToken()).rejects.toMatchObject({ code: 'OAUTH_REAUTHORIZATION_REQUIRED' });
    expect((await other.status()).state).toBe('reauthorization-required');
    expect(endpoint.requests).toHaveLength(1);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
