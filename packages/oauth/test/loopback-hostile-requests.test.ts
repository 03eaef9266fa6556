import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { OAuthProvider } from '../src/index.js';
import { LoopbackReceiver } from '../src/loopback-receiver.js';
import { readAuthorizationRequest } from './helpers.js';
import { fakeProviderClient, json } from './provider-harness.js';

// Anyone on the machine can reach the loopback port while a sign-in waits.
// These requests are written byte for byte on a raw socket, since an HTTP
// client would refuse to send most of them.

const ISSUER = 'https://as.example.test';
const provider: OAuthProvider = {
  name: 'example',
  issuer: ISSUER,
  metadata: { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token` },
  defaultScopes: ['read'],
};

/** Writes `bytes` to 127.0.0.1:port and resolves with the status code of the answer, or 'closed' when the server hung up without one. */
function sendRaw(port: number, bytes: string): Promise<number | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      if (match) {
        resolve(Number(match[1]));
        socket.destroy();
      }
    });
    // The server may close while we are still writing a flood: that is an answer too.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve('closed') : reject(err)));
    socket.on('close', () => resolve('closed'));
    socket.write(bytes, 'latin1');
  });
}

/** Hostile requests, each with the status it must get. */
function hostileRequests(port: number): Array<[string, string, number]> {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  return [
    ['the malformed request line from the review', `GET //[ HTTP/1.1\r\n${host}\r\n`, 400],
    ['the same line over HTTP/1.0, no Host', 'GET //[ HTTP/1.0\r\n\r\n', 400],
    ['an absolute-form URL that does not parse', `GET http://[ HTTP/1.1\r\n${host}\r\n`, 400],
    ['an absolute-form URL naming another host', `GET http://evil.test/callback?code=x&state=forged HTTP/1.1\r\n${host}\r\n`, 400],
    ['an asterisk-form target', `OPTIONS * HTTP/1.1\r\n${host}\r\n`, 400],
    ['a scheme-relative target', `GET //evil.test/callback?state=forged HTTP/1.1\r\n${host}\r\n`, 400],
    ['invalid percent-encoding in the query', `GET /callback?state=%zz%E0%A4%A&code=%%% HTTP/1.1\r\n${host}\r\n`, 400],
    ['a lone surrogate, percent-encoded', `GET /callback?state=%ED%A0%80 HTTP/1.1\r\n${host}\r\n`, 400],
    ['CONNECT', `CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n`, 400],
    ['a WebSocket upgrade', `GET /callback HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`, 400],
    ['binary garbage', '\u0000\u0001\u00ff\u00fe garbage\r\n\r\n', 400],
    ['a 64 KB URL', `GET /callback?state=${'A'.repeat(64 * 1024)} HTTP/1.1\r\n${host}\r\n`, 431],
    ['a flood of headers', `GET /callback?state=forged HTTP/1.1\r\n${host}${'X-Flood: 1\r\n'.repeat(5_000)}\r\n`, 431],
    ['many small headers under the size limit', `GET /callback?state=forged HTTP/1.1\r\n${host}${'X: 1\r\n'.repeat(1_500)}\r\n`, 400],
  ];
}

describe('the loopback receiver under hostile requests', () => {
  it('answers each hostile request with an error while a sign-in waits, and the sign-in still completes with the real callback', async () => {
    const { client, store, toUrl } = fakeProviderClient(provider, {
      [`${ISSUER}/token`]: () => json(200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, scope: 'read' }),
    });
    const answers: Array<[string, number | 'closed', number]> = [];
    let callbackStatus: number | undefined;
    // The "browser": every hostile request first, then the provider's redirect.
    const browse = async (url: string): Promise<void> => {
      const { redirectUri, state } = readAuthorizationRequest(url);
      const port = Number(new URL(redirectUri).port);
      for (const [name, bytes, expected] of hostileRequests(port)) answers.push([name, await sendRaw(port, bytes), expected]);
      const response = await fetch(`${redirectUri}?${new URLSearchParams({ code: 'the-code', state })}`);
      callbackStatus = response.status;
      await response.text();
    };
    let browsing: Promise<void> | undefined;
    await client.authorize({
      timeoutMs: 20_000,
      openBrowser: (url) => {
        browsing = browse(url);
        return Promise.resolve();
      },
    });
    await browsing;
    expect(answers.map(([name, got]) => [name, got])).toEqual(answers.map(([name, , expected]) => [name, expected]));
    expect(callbackStatus).toBe(200);
    expect(toUrl(`${ISSUER}/token`)).toHaveLength(1);
    expect((await store.load())?.accessToken).toBe('at-1');
  });

  it('drops a client that never finishes its request, and a valid callback still gets through meanwhile', async () => {
    const receiver = await LoopbackReceiver.listen({ port: 0, callbackPath: '/callback', expectedState: 'the-state', headersTimeoutMs: 300 });
    try {
      const slow: Socket = connect({ port: receiver.port, host: '127.0.0.1' });
      const idle: Socket = connect({ port: receiver.port, host: '127.0.0.1' });
      const slowClosed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
      const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
      slow.on('error', () => undefined);
      idle.on('error', () => undefined);
      slow.write('GET /callback?state=the-st');
      // Both are disconnected by the server on its own: nothing here closes them.
      await Promise.all([slowClosed, idleClosed]);

      const stalled = connect({ port: receiver.port, host: '127.0.0.1' });
      stalled.on('error', () => undefined);
      stalled.write('GET /callback?state=the-st');
      const callback = receiver.waitForCallback(AbortSignal.timeout(10_000));
      const response = fetch(`${receiver.redirectUri}?code=c&state=the-state`);
      const accepted = await callback;
      expect(accepted.url.searchParams.get('code')).toBe('c');
      await accepted.respond({ status: 200, title: 'Signed in', message: 'Done.' });
      expect((await response).status).toBe(200);
      stalled.destroy();
    } finally {
      await receiver.close();
    }
  });

  it('keeps waiting when the rejection listener throws: the forged request gets 500, the real callback still gets through', async () => {
    const receiver = await LoopbackReceiver.listen({
      port: 0,
      callbackPath: '/callback',
      expectedState: 'the-state',
      onRejected: () => {
        throw new Error('listener bug');
      },
    });
    try {
      expect(await sendRaw(receiver.port, `GET /callback?state=forged HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)).toBe(500);
      const callback = receiver.waitForCallback(AbortSignal.timeout(10_000));
      const response = fetch(`${receiver.redirectUri}?code=c&state=the-state`);
      await (await callback).respond({ status: 200, title: 'Signed in', message: 'Done.' });
      expect((await response).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});
