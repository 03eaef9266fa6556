import { inspect } from 'node:util';
import * as oidc from 'openid-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDeviceFlow, type DeviceFlowSettings, type DeviceUserCode } from '../src/device-flow.js';
import type { OAuthError } from '../src/errors.js';

// The provider is faked only at openid-client's `customFetch` seam; the
// device flow, openid-client's polling and its response checks are real.

const ISSUER = 'https://as.example.test';
const DEVICE_CODE = 'device-code-SECRET-4b1d9e7f0c2a';
const metadata: oidc.ServerMetadata = {
  issuer: ISSUER,
  token_endpoint: `${ISSUER}/token`,
  device_authorization_endpoint: `${ISSUER}/device/code`,
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

interface FakeProviderOptions {
  /** Answers of the token endpoint, one per poll; the last repeats. */
  polls: Array<() => Response>;
  /** The device authorization response; default a valid one. */
  deviceAuthorization?: () => Response;
  interval?: number;
  expiresIn?: number;
  serverMetadata?: oidc.ServerMetadata;
}

/** A client configuration whose every request goes to an in-memory provider. */
function fakeProvider(options: FakeProviderOptions) {
  const deviceRequests: URLSearchParams[] = [];
  const polls: Array<{ at: number; body: URLSearchParams }> = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const body = new URLSearchParams(String(init?.body ?? ''));
    if (String(input) === metadata.device_authorization_endpoint) {
      deviceRequests.push(body);
      if (options.deviceAuthorization) return options.deviceAuthorization();
      return json(200, {
        device_code: DEVICE_CODE,
        user_code: 'WDJB-MJHT',
        verification_uri: `${ISSUER}/device`,
        verification_uri_complete: `${ISSUER}/device?user_code=WDJB-MJHT`,
        expires_in: options.expiresIn ?? 600,
        ...(options.interval === undefined ? {} : { interval: options.interval }),
      });
    }
    polls.push({ at: Date.now(), body });
    const answer = options.polls[Math.min(polls.length, options.polls.length) - 1];
    if (!answer) throw new Error('no poll answer scripted');
    return answer();
  }) as typeof fetch;
  const config = new oidc.Configuration(options.serverMetadata ?? metadata, 'client-1', undefined, oidc.None());
  config[oidc.customFetch] = fakeFetch as oidc.CustomFetch;
  return { config, deviceRequests, polls };
}

const pending = () => json(400, { error: 'authorization_pending' });
const slowDown = () => json(400, { error: 'slow_down' });
const tokens = () => json(200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', scope: 'openid offline_access' });

/** Runs the flow to its end; returns the result or the error, and the user codes shown. */
async function run(config: oidc.Configuration, overrides: Partial<DeviceFlowSettings> = {}) {
  const shown: DeviceUserCode[] = [];
  const outcome = await runDeviceFlow({ config, scopes: ['openid', 'offline_access'], onUserCode: (code) => void shown.push(code), ...overrides }).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error: error as OAuthError }),
  );
  return { ...outcome, shown };
}

/** Everything a log line or a crash report could show of an error. */
function everythingShown(error: unknown): string {
  return [String(error), JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })].join('\n');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('device flow (injected fetch)', () => {
  it('shows the user code, polls through authorization_pending and returns the tokens', async () => {
    const { config, deviceRequests, polls } = fakeProvider({ interval: 0.01, polls: [pending, pending, tokens] });
    const { result, error, shown } = await run(config, { now: () => 1_000_000 });
    expect(error).toBeUndefined();
    expect(result?.access_token).toBe('at-1');
    expect(result?.refresh_token).toBe('rt-1');
    expect(deviceRequests[0]?.get('scope')).toBe('openid offline_access');
    expect(deviceRequests[0]?.get('client_id')).toBe('client-1');
    expect(shown).toEqual([
      { userCode: 'WDJB-MJHT', verificationUri: `${ISSUER}/device`, verificationUriComplete: `${ISSUER}/device?user_code=WDJB-MJHT`, expiresAt: 1_600_000, intervalMs: 10 },
    ]);
    expect(polls).toHaveLength(3);
    expect(polls[0]?.body.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:device_code');
    expect(polls[0]?.body.get('device_code')).toBe(DEVICE_CODE);
  });

  it('waits 5 s longer after each slow_down, then succeeds', async () => {
    // openid-client adds a fixed 5 s per slow_down (RFC 8628 §3.5), so the
    // fake clock stands in for those seconds.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const startedAt = Date.now();
    const { config, polls } = fakeProvider({ interval: 1, polls: [pending, slowDown, pending, tokens] });
    let settled = false;
    const outcome = run(config).finally(() => (settled = true));
    for (let elapsedMs = 0; !settled && elapsedMs < 30_000; elapsedMs += 100) await vi.advanceTimersByTimeAsync(100);
    const { result, error, shown } = await outcome;
    expect(error).toBeUndefined();
    expect(result?.access_token).toBe('at-1');
    expect(shown[0]?.intervalMs).toBe(1000);
    // Poll at 1 s (pending), 2 s (slow_down), then every 6 s.
    expect(polls.map((poll) => poll.at - startedAt)).toEqual([1000, 2000, 8000, 14_000]);
  });

  it('maps expired_token to OAUTH_DEVICE_CODE_EXPIRED and keeps what the provider said', async () => {
    const { config } = fakeProvider({ interval: 0.01, polls: [pending, () => json(400, { error: 'expired_token', error_description: 'device code is expired' })] });
    const { error } = await run(config);
    expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_DEVICE_CODE_EXPIRED', error: 'expired_token', errorDescription: 'device code is expired', status: 400 });
    expect(error?.message).toMatch(/expired.*Run the sign-in again/);
  });

  it('stops polling with OAUTH_DEVICE_CODE_EXPIRED once expires_in has passed', async () => {
    const { config, polls } = fakeProvider({ interval: 0.02, expiresIn: 0.2, polls: [pending] });
    const { error } = await run(config);
    expect(error).toMatchObject({ code: 'OAUTH_DEVICE_CODE_EXPIRED' });
    expect(polls.length).toBeGreaterThan(1);
    const pollsAtTheEnd = polls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls).toHaveLength(pollsAtTheEnd);
  });

  it('maps access_denied to OAUTH_ACCESS_DENIED', async () => {
    const { config } = fakeProvider({ interval: 0.01, polls: [() => json(400, { error: 'access_denied', error_description: 'End-User aborted interaction' })] });
    const { error } = await run(config);
    expect(error).toMatchObject({ code: 'OAUTH_ACCESS_DENIED', error: 'access_denied', errorDescription: 'End-User aborted interaction', status: 400 });
  });

  it('refuses a provider without a device authorization endpoint, before any request', async () => {
    const { config, deviceRequests, polls } = fakeProvider({ polls: [tokens], serverMetadata: { issuer: ISSUER, token_endpoint: `${ISSUER}/token` } });
    const { error } = await run(config);
    expect(error).toMatchObject({ code: 'OAUTH_UNSUPPORTED' });
    expect(error?.message).toMatch(/no device flow.*browser sign-in/);
    expect(deviceRequests).toHaveLength(0);
    expect(polls).toHaveLength(0);
  });

  it('ends with OAUTH_ABORTED as soon as the signal aborts, even in the middle of a 5 s wait', async () => {
    const controller = new AbortController();
    const { config, polls } = fakeProvider({ polls: [pending] });
    const startedAt = performance.now();
    const { error } = await run(config, { signal: controller.signal, onUserCode: () => void setTimeout(() => controller.abort(), 50) });
    expect(error).toMatchObject({ code: 'OAUTH_ABORTED' });
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(polls).toHaveLength(0);

    const aborted = await run(config, { signal: AbortSignal.abort() });
    expect(aborted.error).toMatchObject({ code: 'OAUTH_ABORTED' });
  });

  it('lets an error thrown by onUserCode through unchanged', async () => {
    const { config, polls } = fakeProvider({ interval: 0.01, polls: [tokens] });
    const failure = new Error('terminal is gone');
    const { error } = await run(config, { onUserCode: () => Promise.reject(failure) });
    expect(error).toBe(failure);
    expect(polls).toHaveLength(0);
  });

  it('maps other provider answers through the common translation', async () => {
    const invalidGrant = fakeProvider({ interval: 0.01, polls: [() => json(400, { error: 'invalid_grant' })] });
    expect((await run(invalidGrant.config)).error).toMatchObject({ code: 'OAUTH_INVALID_GRANT', error: 'invalid_grant' });
    const unauthorized = fakeProvider({ polls: [tokens], deviceAuthorization: () => json(400, { error: 'unauthorized_client', error_description: 'device flow not allowed' }) });
    expect((await run(unauthorized.config)).error).toMatchObject({ code: 'OAUTH_PROVIDER_ERROR', error: 'unauthorized_client', status: 400 });
    const down = fakeProvider({ interval: 0.01, polls: [() => new Response('<h1>Bad Gateway</h1>', { status: 502, headers: { 'content-type': 'text/html' } })] });
    expect((await run(down.config)).error).toMatchObject({ code: 'OAUTH_SERVER_ERROR', status: 502 });
  });

  it('never shows the device code in an error, even when the provider echoes it', async () => {
    const echo = `device_code ${DEVICE_CODE} is unknown`;
    const scenarios = [
      fakeProvider({ interval: 0.01, polls: [() => json(400, { error: 'expired_token' })] }),
      fakeProvider({ interval: 0.01, polls: [() => json(400, { error: 'access_denied' })] }),
      fakeProvider({ interval: 0.01, polls: [() => json(400, { error: 'invalid_grant', error_description: echo })] }),
      fakeProvider({ interval: 0.01, polls: [() => json(400, { error: 'expired_token', error_description: echo })] }),
      fakeProvider({ interval: 0.01, polls: [() => json(500, { error: 'server_error', error_description: echo })] }),
      // A malformed device authorization response: oauth4webapi keeps its body as the error's cause.
      fakeProvider({ polls: [tokens], deviceAuthorization: () => json(200, { device_code: DEVICE_CODE, verification_uri: `${ISSUER}/device`, expires_in: 600 }) }),
    ];
    for (const { config } of scenarios) {
      const { error } = await run(config);
      expect(error?.name).toBe('OAuthError');
      expect(everythingShown(error)).not.toContain(DEVICE_CODE);
    }
    const echoed = (await run(scenarios[2]!.config)).error;
    expect(echoed).toMatchObject({ code: 'OAUTH_INVALID_GRANT', errorDescription: 'device_code [device code] is unknown' });
  });
});
