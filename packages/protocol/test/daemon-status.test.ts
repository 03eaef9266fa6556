import { describe, expect, it } from 'vitest';
import { daemonStatusSchema, MAX_ENVIRONMENT_VALUE_LENGTH } from '../src/index.js';

const core = { pid: 4242, home: '/home/u/.config/opperator', startedAt: 1_700_000_000_000, agents: 2 };

describe('daemon.status result', () => {
  it('carries the platform and only the browser variables', () => {
    const status = daemonStatusSchema.parse({ ...core, environment: { platform: 'linux', browser: { BROWSER: 'w3m', DISPLAY: ':0' } } });
    expect(status.environment).toEqual({ platform: 'linux', browser: { BROWSER: 'w3m', DISPLAY: ':0' } });
    // Anything else a daemon might put there is dropped on reading, never shown.
    const extra = daemonStatusSchema.parse({ ...core, environment: { platform: 'linux', browser: { HOME: '/root', API_TOKEN: 'x' } } });
    expect(extra.environment).toEqual({ platform: 'linux', browser: {} });
  });

  it('reads a daemon older than the field, and an unreadable environment, as one that does not tell', () => {
    expect(daemonStatusSchema.parse(core).environment).toBeUndefined();
    const oversized = { ...core, environment: { platform: 'linux', browser: { BROWSER: 'x'.repeat(MAX_ENVIRONMENT_VALUE_LENGTH + 1) } } };
    expect(daemonStatusSchema.parse(oversized)).toEqual(core);
  });

  it('still refuses a status without its core fields', () => {
    expect(daemonStatusSchema.safeParse({ home: '/h' }).success).toBe(false);
  });
});
