import { describe, expect, it } from 'vitest';
import { formatHumanTime } from '@opperator/protocol';
import { authSectionContent, type UseOAuthStatus } from '../src/index.js';

// The device-code expiry in the sign-in section is in the one human time
// format, with the UTC offset: the agent writes it in the daemon's time
// zone, and a TUI or CLI elsewhere (over SSH) may show it.

const base: UseOAuthStatus = { authenticated: false, state: 'not-authorized', credentials: 'configured', missingSecrets: [], tokenFile: 'missing', tokenPath: '/a/token.json', warnings: [] };

describe('device-code expiry', () => {
  it('reads HH:MM:SS with the UTC offset in the section', () => {
    const expiresAt = Date.now() + 15 * 60_000;
    const content = authSectionContent({ ...base, signIn: { path: 'device', url: 'https://example.test/device', userCode: 'WDJB-MJHT', expiresAt } }, { name: 'sandbox', agentName: 'demo' });
    expect(content).toContain(`(until ${formatHumanTime(expiresAt, { zone: true })})`);
    expect(content).toMatch(/\(until (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d [+-]\d\d:\d\d\)/);
    expect(content).not.toMatch(/[AP]M\)/);
  });
});
