import { describe, expect, it } from 'vitest';
import { emulatedUrl, realUrl } from '../src/emulators/emulated-url.js';

const origin = 'http://127.0.0.1:9440';

describe('emulatedUrl / realUrl', () => {
  it('rewrites https://HOST/PATH?QUERY to <origin>/emulate/HOST/PATH?QUERY and back', () => {
    const cases: Array<[string, string]> = [
      ['https://github.com/login/oauth/access_token', `${origin}/emulate/github.com/login/oauth/access_token`],
      ['https://api.github.com/user', `${origin}/emulate/api.github.com/user`],
      ['https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration', `${origin}/emulate/login.microsoftonline.com/common/v2.0/.well-known/openid-configuration`],
      ['https://gmail.googleapis.com/gmail/v1/users/me/messages?q=is:unread', `${origin}/emulate/gmail.googleapis.com/gmail/v1/users/me/messages?q=is:unread`],
    ];
    for (const [real, emulated] of cases) {
      expect(emulatedUrl(origin, real)).toBe(emulated);
      expect(realUrl(origin, emulated)).toBe(real);
    }
  });

  it('keeps the text after the host as is: no slash added to a bare host, {tenantid} not encoded, a trailing slash on the origin ignored', () => {
    expect(emulatedUrl(`${origin}/`, 'https://accounts.google.com')).toBe(`${origin}/emulate/accounts.google.com`);
    expect(emulatedUrl(origin, 'https://login.microsoftonline.com/{tenantid}/v2.0')).toBe(`${origin}/emulate/login.microsoftonline.com/{tenantid}/v2.0`);
    expect(emulatedUrl(origin, 'https://GitHub.com/login')).toBe(`${origin}/emulate/github.com/login`);
  });

  it('refuses what is not an http(s) URL, and answers undefined for URLs outside the prefix', () => {
    expect(() => emulatedUrl(origin, '/relative')).toThrow(TypeError);
    expect(() => emulatedUrl(origin, 'https://user:pw@github.com/')).toThrow(TypeError);
    expect(realUrl(origin, `${origin}/token`)).toBeUndefined();
    expect(realUrl(origin, 'http://127.0.0.1:1/emulate/github.com/')).toBeUndefined();
  });
});
