import { describe, expect, it } from 'vitest';
import { LoopbackReceiver } from '../src/loopback-receiver.js';
import { deliverPastedAddress, pastedCallbackUrl } from '../src/paste-back.js';

const redirectUri = 'http://127.0.0.1:8765/callback';

describe('pastedCallbackUrl', () => {
  it('takes the whole address, its query alone, or either in quotes', () => {
    expect(pastedCallbackUrl(`${redirectUri}?code=c&state=s`, redirectUri).href).toBe(`${redirectUri}?code=c&state=s`);
    expect(pastedCallbackUrl('?code=c&state=s', redirectUri).href).toBe(`${redirectUri}?code=c&state=s`);
    expect(pastedCallbackUrl('code=c&state=s', redirectUri).href).toBe(`${redirectUri}?code=c&state=s`);
    expect(pastedCallbackUrl(`  "${redirectUri}?error=access_denied&state=s"\n`, redirectUri).searchParams.get('error')).toBe('access_denied');
  });

  it.each([
    ['another host', 'https://attacker.example/callback?code=c&state=s', 'not where this sign-in ends'],
    ['another port', 'http://127.0.0.1:9999/callback?code=c&state=s', 'not where this sign-in ends'],
    ['another path', 'http://127.0.0.1:8765/admin?code=c&state=s', 'not where this sign-in ends'],
    ['no response in it', `${redirectUri}?state=s`, 'no authorization response'],
    ['nothing', '   ', 'Nothing was pasted'],
  ])('refuses %s, saying what to paste', (_case, pasted, words) => {
    expect(() => pastedCallbackUrl(pasted, redirectUri)).toThrow(words);
    expect(() => pastedCallbackUrl(pasted, redirectUri)).toThrow(`it starts with ${redirectUri}?`);
  });
});

describe('deliverPastedAddress to a real receiver', () => {
  it('a wrong state is refused and the receiver keeps waiting; the right address is accepted once; after that nothing is', async () => {
    const receiver = await LoopbackReceiver.listen({ port: 0, callbackPath: '/callback', expectedState: 'the-state' });
    try {
      const forged = await deliverPastedAddress(`${receiver.redirectUri}?code=c&state=forged`, receiver.redirectUri);
      expect(forged).toMatchObject({ accepted: false, retry: true, message: expect.stringContaining('not recognised') });
      const delivering = deliverPastedAddress(`${receiver.redirectUri}?code=c&state=the-state`, receiver.redirectUri);
      const callback = await receiver.waitForCallback(new AbortController().signal);
      expect(callback.url.searchParams.get('code')).toBe('c');
      await callback.respond({ status: 200, title: 'Signed in', message: 'You are signed in.' });
      expect(await delivering).toEqual({ accepted: true, message: 'You are signed in.' });
    } finally {
      await receiver.close();
    }
    const replayed = await deliverPastedAddress(`${receiver.redirectUri}?code=c&state=the-state`, receiver.redirectUri);
    expect(replayed).toMatchObject({ accepted: false, retry: false, message: expect.stringContaining('no longer waiting') });
  });

  it('a failed exchange comes back with its words and code, and is not retried', async () => {
    const receiver = await LoopbackReceiver.listen({ port: 0, callbackPath: '/callback', expectedState: 's' });
    try {
      const delivering = deliverPastedAddress(`${receiver.redirectUri}?code=c&state=s`, receiver.redirectUri);
      const callback = await receiver.waitForCallback(new AbortController().signal);
      await callback.respond({ status: 400, code: 'OAUTH_INVALID_GRANT', title: 'Sign-in failed', message: 'invalid_grant: code expired.' });
      expect(await delivering).toEqual({ accepted: false, retry: false, message: 'Sign-in failed: invalid_grant: code expired.' });
    } finally {
      await receiver.close();
    }
  });
});
