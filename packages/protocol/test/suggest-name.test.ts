import { describe, expect, it } from 'vitest';
import { suggestName } from '../src/suggest-name.js';

describe('suggestName', () => {
  it('suggests the closest name within two edits, a swap counting as one', () => {
    expect(suggestName('agnet', ['secret', 'agent', 'daemon'])).toBe('agent');
    expect(suggestName('invoice-monitr', ['invoice-monitor', 'github-watch'])).toBe('invoice-monitor');
    expect(suggestName('Agent', ['agent'])).toBe('agent');
  });

  it('suggests nothing for a name that is far from all, or already exact', () => {
    expect(suggestName('xyzzy', ['secret', 'agent', 'daemon'])).toBeUndefined();
    expect(suggestName('agent', ['agent'])).toBeUndefined();
    expect(suggestName('ab', ['x'])).toBeUndefined();
  });
});
