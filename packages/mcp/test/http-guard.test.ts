import { describe, expect, it } from 'vitest';
import { foreignOrigin, hasBearerToken, newBearerToken } from '../src/http-guard.js';

describe('hasBearerToken', () => {
  const token = newBearerToken();

  it('makes 256-bit base64url tokens, a new one each time', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newBearerToken()).not.toBe(token);
  });

  it('accepts exactly "Bearer <token>" (the scheme in any case)', () => {
    expect(hasBearerToken(`Bearer ${token}`, token)).toBe(true);
    expect(hasBearerToken(`bearer ${token}`, token)).toBe(true);
  });

  it('refuses no header, another scheme, a prefix, a longer or an empty token', () => {
    for (const header of [undefined, '', token, `Basic ${token}`, `Bearer ${token.slice(0, -1)}`, `Bearer ${token}x`, 'Bearer ', `Bearer ${token} ${token}`]) {
      expect(hasBearerToken(header, token)).toBe(false);
    }
    expect(hasBearerToken('Bearer ', '')).toBe(false);
  });
});

describe('foreignOrigin', () => {
  it('lets through this server\'s own Host, with no Origin or its own', () => {
    expect(foreignOrigin({ host: '127.0.0.1:7420' }, 7420)).toBeUndefined();
    expect(foreignOrigin({ host: 'LOCALHOST:7420', origin: 'http://localhost:7420' }, 7420)).toBeUndefined();
    expect(foreignOrigin({ host: 'localhost:7420', origin: 'http://127.0.0.1:7420' }, 7420)).toBeUndefined();
  });

  it('refuses another host or port, a missing Host, and a foreign or https Origin', () => {
    expect(foreignOrigin({ host: 'rebound.example:7420' }, 7420)).toContain('"rebound.example:7420" is not this server');
    expect(foreignOrigin({ host: '127.0.0.1:7421' }, 7420)).toBeDefined();
    expect(foreignOrigin({ host: '127.0.0.1' }, 7420)).toBeDefined();
    expect(foreignOrigin({}, 7420)).toBeDefined();
    expect(foreignOrigin({ host: '127.0.0.1:7420', origin: 'http://rebound.example' }, 7420)).toContain('may not use this server');
    expect(foreignOrigin({ host: '127.0.0.1:7420', origin: 'https://127.0.0.1:7420' }, 7420)).toBeDefined();
    expect(foreignOrigin({ host: '127.0.0.1:7420', origin: 'null' }, 7420)).toBeDefined();
  });
});
