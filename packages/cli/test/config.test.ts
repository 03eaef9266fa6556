import { describe, expect, it } from 'vitest';
import { markInteractiveTerminal } from '../src/config.js';

describe('markInteractiveTerminal', () => {
  it('marks CI variables off while Ink loads, then gives the daemon and agents the user’s values back', () => {
    const env: NodeJS.ProcessEnv = { CI: 'true', CONTINUOUS_INTEGRATION: '1', HOME: '/home/u' };
    const restore = markInteractiveTerminal(env);
    expect(env).toEqual({ CI: '0', CONTINUOUS_INTEGRATION: '0', HOME: '/home/u' });
    restore();
    expect(env).toEqual({ CI: 'true', CONTINUOUS_INTEGRATION: '1', HOME: '/home/u' });
  });

  it('adds nothing when neither is set', () => {
    const env: NodeJS.ProcessEnv = { HOME: '/home/u' };
    markInteractiveTerminal(env)();
    expect(env).toEqual({ HOME: '/home/u' });
  });
});
