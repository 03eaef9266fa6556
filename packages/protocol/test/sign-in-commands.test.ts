import { describe, expect, it } from 'vitest';
import { accessTokenResultSchema, signInCommandNames, signInNames, signInStatusSchema } from '../src/index.js';

describe('sign-in commands', () => {
  it('a sign-in is a name with both its authorize command and its hidden status command; an author’s own authorize_x is not one', () => {
    const commands = ['authorize_gmail', 'sign_out_gmail', 'oauth_status_gmail', 'oauth_token_gmail', 'authorize_things', 'oauth_status_orphan', 'oauth_status_', 'check'].map((name) => ({ name }));
    expect(signInNames(commands)).toEqual(['gmail']);
    expect(signInCommandNames('gmail')).toEqual({ authorize: 'authorize_gmail', signOut: 'sign_out_gmail', status: 'oauth_status_gmail', token: 'oauth_token_gmail' });
  });

  it('an access token answer must be printable ASCII (RFC 6750), so no control sequence reaches a terminal', () => {
    expect(accessTokenResultSchema.safeParse({ accessToken: 'ya29.a0-_~+/=' }).success).toBe(true);
    expect(accessTokenResultSchema.safeParse({ accessToken: 'abc\u001b]0;pwned\u0007' }).success).toBe(false);
    expect(accessTokenResultSchema.safeParse({ accessToken: 'two words' }).success).toBe(false);
    expect(accessTokenResultSchema.safeParse({ accessToken: '' }).success).toBe(false);
  });

  it('a status answer is checked like any input from an agent: unknown states and oversized lists are refused', () => {
    const status = { name: 'gmail', provider: 'Google', authenticated: true, state: 'valid', credentials: 'configured', missingSecrets: [], store: '/x/token.json', scopes: ['openid'], missingScopes: [], hasRefreshToken: true, warnings: [] };
    expect(signInStatusSchema.safeParse(status).success).toBe(true);
    expect(signInStatusSchema.safeParse({ ...status, state: 'great' }).success).toBe(false);
    expect(signInStatusSchema.safeParse({ ...status, warnings: Array.from({ length: 51 }, () => 'w') }).success).toBe(false);
  });
});
