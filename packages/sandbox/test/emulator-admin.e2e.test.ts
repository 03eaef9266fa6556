import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_ADMIN_PREFIX, UnknownEmulatorError, parseEmulatedProviders, startAuthorizationServer, type RunningAuthorizationServer } from '../src/index.js';
import { CONFIDENTIAL, FakeClock, pkce, postForm, routedFetch, signInOverHttp, startEmulating } from './emulator-helpers.js';

// The emulators' admin API (the sandbox's admin token as bearer) and how emulators are chosen.
let server: RunningAuthorizationServer;

beforeAll(async () => {
  server = await startEmulating(['github', 'google', 'microsoft'], new FakeClock());
});

afterAll(async () => {
  await server?.close();
});

function admin(path: string, body?: unknown, token = server.adminToken, method = 'POST'): Promise<Response> {
  return fetch(`${server.issuer}${EMULATOR_ADMIN_PREFIX}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

async function entraRefreshToken(account: string): Promise<string> {
  const { verifier, challenge } = pkce();
  const redirectUri = 'http://127.0.0.1:4000/callback';
  const authorize = `${server.emulatedUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize')}?${new URLSearchParams({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'User.Read offline_access', code_challenge: challenge, code_challenge_method: 'S256' })}`;
  const { location } = await signInOverHttp(routedFetch(server), authorize, { login: account });
  const res = await postForm(server.emulatedUrl('https://login.microsoftonline.com/common/oauth2/v2.0/token'), { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, grant_type: 'authorization_code', code: location.searchParams.get('code') as string, redirect_uri: redirectUri, code_verifier: verifier });
  return ((await res.json()) as { refresh_token: string }).refresh_token;
}

const refreshAtEntra = (refreshToken: string) => postForm(server.emulatedUrl('https://login.microsoftonline.com/common/oauth2/v2.0/token'), { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken });

describe('emulator admin API', () => {
  it('refuses a missing or wrong admin token, unknown providers and actions, and bad bodies', async () => {
    expect((await admin('github/revoke-grants', {}, 'wrong')).status).toBe(401);
    expect((await fetch(`${server.issuer}${EMULATOR_ADMIN_PREFIX}github/requests`)).status).toBe(401);
    expect((await admin('yahoo/revoke-grants', {})).status).toBe(404);
    expect((await admin('github/require-consent', {})).status).toBe(404);
    expect((await admin('github/revoke-grants', '{ nope')).status).toBe(400);
    expect((await admin('github/revoke-grants', { account: 3 })).status).toBe(400);
    expect((await admin('github/fail-next', { status: 500 })).status).toBe(400);
    expect((await admin('github/requests', undefined, server.adminToken, 'POST')).status).toBe(405);
  });

  it('lists the emulated providers with the base URL of each real host', async () => {
    const res = await fetch(`${server.issuer}/sandbox/emulators`, { headers: { Authorization: `Bearer ${server.adminToken}` } });
    const body = (await res.json()) as { emulators: Record<string, Record<string, string>> };
    expect(Object.keys(body.emulators)).toEqual(['github', 'google', 'microsoft']);
    expect(body.emulators.github).toEqual({ 'github.com': server.emulatedUrl('https://github.com'), 'api.github.com': server.emulatedUrl('https://api.github.com') });
    expect(body.emulators.google?.['gmail.googleapis.com']).toBe(server.emulatedUrl('https://gmail.googleapis.com'));
    expect(body.emulators.microsoft?.['login.microsoftonline.com']).toBe(server.emulatedUrl('https://login.microsoftonline.com'));
    expect((await fetch(`${server.issuer}/sandbox/emulators`)).status).toBe(401);
  });

  it('drives the controls over HTTP: require-mfa, require-consent, revoke-grants, expire-refresh-tokens, fail-next, requests', async () => {
    const refreshToken = await entraRefreshToken('zoe');
    expect(await (await admin('microsoft/require-mfa', { account: 'zoe' })).json()).toEqual({ grants: 1 });
    expect(((await (await refreshAtEntra(refreshToken)).json()) as { error_codes: number[] }).error_codes).toEqual([50076]);
    const again = await entraRefreshToken('zoe');
    expect(await (await admin('microsoft/require-consent', { account: 'zoe' })).json()).toEqual({ grants: 1 });
    expect(((await (await refreshAtEntra(again)).json()) as { error_codes: number[] }).error_codes).toEqual([65001]);
    expect(await (await admin('microsoft/revoke-grants', { account: 'zoe' })).json()).toEqual({ revoked: 1 });
    expect(((await (await refreshAtEntra(again)).json()) as { error_codes: number[] }).error_codes).toEqual([50173]);

    expect(await (await admin('microsoft/reset-requests')).json()).toEqual({});
    expect(await (await admin('microsoft/fail-next', { count: 1, status: 503, retryAfterSeconds: 4 })).json()).toEqual({ failing: 1 });
    const failed = await refreshAtEntra(again);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('4');
    const counts = await (await admin('microsoft/requests', undefined, server.adminToken, 'GET')).json();
    expect(counts).toEqual({ requests: { 'POST login.microsoftonline.com/{tenant}/oauth2/v2.0/token': 1 } });

    expect(await (await admin('google/require-mfa', {})).json()).toEqual({ grants: 0 });
    expect(await (await admin('github/device-flow', { clientId: CONFIDENTIAL.clientId, enabled: false })).json()).toEqual({});
    const disabled = await postForm(server.emulatedUrl('https://github.com/login/device/code'), { client_id: CONFIDENTIAL.clientId });
    expect(disabled.status).toBe(400);
    expect((await admin('github/device-flow', { clientId: CONFIDENTIAL.clientId })).status).toBe(400);
  });
});

describe('choosing what is emulated', () => {
  it('emulates nothing by default and says so for /emulate/ paths', async () => {
    const plain = await startAuthorizationServer();
    try {
      expect(plain.emulators).toEqual({});
      const res = await fetch(plain.emulatedUrl('https://github.com/login/oauth/authorize'));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_emulated' });
    } finally {
      await plain.close();
    }
  });

  it('answers 404 for hosts nobody emulates, and refuses unknown provider names before starting', async () => {
    const res = await fetch(server.emulatedUrl('https://example.com/'));
    expect(res.status).toBe(404);
    expect(parseEmulatedProviders(' GitHub,google,github ')).toEqual(['github', 'google']);
    expect(() => parseEmulatedProviders('github,gitlab')).toThrow(UnknownEmulatorError);
    await expect(startAuthorizationServer({ emulate: ['gitlab' as never] })).rejects.toMatchObject({ code: 'SANDBOX_UNKNOWN_EMULATOR', valid: ['github', 'google', 'microsoft'] });
  });
});
