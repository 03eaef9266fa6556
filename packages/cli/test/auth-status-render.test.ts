import { describe, expect, it } from 'vitest';
import { formatHumanTime } from '@opperator/protocol';
import { renderAuthStatus, type AuthStatusRow } from '../src/commands/auth-status.js';

// The human form of `auth status` for states an end-to-end run cannot hold
// still long enough to read (a refresh under way, a device code waiting).

const now = Date.parse('2026-12-06T12:00:00Z');
const base: AuthStatusRow = { agent: 'mail', name: 'gmail', status: 'signed-in', provider: 'Google', emulated: false, account: 'ana@example.com', tokenState: 'valid', hasRefreshToken: true, scopes: ['openid', 'email'], missingScopes: [], warnings: [], store: '/home/ana/.config/opperator/agents/mail/token.json' };

describe('renderAuthStatus', () => {
  it('groups sign-ins under their agent and says who is signed in where', () => {
    const text = renderAuthStatus([base, { ...base, name: 'drive', status: 'not-signed-in', account: undefined, next: 'opperator auth login mail drive' }, { agent: 'gh', name: 'github', status: 'agent-not-running', agentState: 'stopped', warnings: [], next: 'opperator agent start gh' }], now);
    expect(text.split('\n')[0]).toBe('mail');
    expect(text).toContain('  ✓ gmail: signed in to Google as ana@example.com');
    expect(text).toContain('  ✗ drive: not signed in');
    expect(text).toContain('    - Next: opperator auth login mail drive');
    expect(text).toContain('gh (agent stopped)');
    expect(text).toContain('  - github: unknown while the agent is not running');
  });

  it('an expiring token says when it expires and that it renews itself; missing scopes name the refresh command', () => {
    const text = renderAuthStatus([{ ...base, tokenState: 'expiring', expiresAt: '2026-12-06T12:03:00.000Z', refreshDueAt: '2026-12-06T11:58:00.000Z', missingScopes: ['https://www.googleapis.com/auth/gmail.send'], next: 'opperator auth refresh mail gmail --scopes "https://www.googleapis.com/auth/gmail.send"' }], now);
    const at = (iso: string) => formatHumanTime(Date.parse(iso), { now });
    expect(text).toContain(`Access token valid until ${at('2026-12-06T12:03:00.000Z')}, refreshed by itself from ${at('2026-12-06T11:58:00.000Z')}`);
    expect(text).toContain('Not granted: https://www.googleapis.com/auth/gmail.send');
    expect(text).toContain('Next: opperator auth refresh mail gmail --scopes');
  });

  it('a device sign-in under way shows the page and the code; an empty list says how to get a sign-in', () => {
    const text = renderAuthStatus([{ ...base, status: 'signing-in', signingIn: { path: 'device', url: 'https://www.google.com/device', userCode: 'ABCD-EFGH' } }], now);
    expect(text).toContain('… gmail: signing in now');
    expect(text).toContain('Open https://www.google.com/device and enter the code ABCD-EFGH');
    expect(renderAuthStatus([], now)).toContain('opperator agent bootstrap NAME --template oauth');
  });
});
