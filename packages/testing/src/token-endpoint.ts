import type { RunningAuthorizationServer } from '@opperator/sandbox';

/**
 * A raw refresh_token grant at a sandbox's token endpoint with its
 * first client (the confidential demo client by default; client_secret_basic), as any client would send
 * it: what tests use to check whether a refresh token is still alive.
 *
 * @example
 * ```ts
 * expect(await redeemRefreshToken(server, refreshToken)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
 * ```
 */
export async function redeemRefreshToken(server: RunningAuthorizationServer, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const client = server.clients[0]!;
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
