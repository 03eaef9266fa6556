import { describe, expect, it } from 'vitest';
import type { ProgressUpdate } from '../src/types.js';
import { SharedSignIn } from '../src/shared-sign-in.js';

/** A sign-in the test finishes by hand. */
function controllable() {
  let finish!: (value: string) => void;
  let started = 0;
  let signal: AbortSignal | undefined;
  const start = async (context: { signal: AbortSignal; onProgress: (update: ProgressUpdate) => void }) => {
    started += 1;
    signal = context.signal;
    context.onProgress({ text: 'Open http://127.0.0.1:1/auth', openUrl: 'http://127.0.0.1:1/auth', pasteBack: { url: 'http://127.0.0.1:1/auth', redirectUri: 'http://127.0.0.1:2/callback' } });
    return new Promise<string>((resolve, reject) => {
      finish = resolve;
      context.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  };
  return { start, finish: (value: string) => finish(value), started: () => started, signal: () => signal };
}

describe('SharedSignIn', () => {
  it('a second caller joins the sign-in under way: told so, shown the page as a URL (not opened again), same result', async () => {
    const shared = new SharedSignIn<string>();
    const flow = controllable();
    const first: ProgressUpdate[] = [];
    const second: ProgressUpdate[] = [];
    const a = shared.run({ onProgress: (u) => first.push(u) }, flow.start);
    const b = shared.run({ onProgress: (u) => second.push(u) }, flow.start);
    flow.finish('tokens');
    expect(await Promise.all([a, b])).toEqual(['tokens', 'tokens']);
    expect(flow.started()).toBe(1);
    expect(first[0]).toMatchObject({ openUrl: 'http://127.0.0.1:1/auth' });
    expect(second[0]).toMatchObject({ text: expect.stringContaining('A sign-in is already under way'), pasteBack: { redirectUri: 'http://127.0.0.1:2/callback' } });
    expect(second[0]).not.toHaveProperty('openUrl');
    expect((second[0] as { text: string }).text).toContain('The sign-in page: http://127.0.0.1:1/auth');
  });

  it('one caller cancelling leaves the sign-in running for the other; the last one out stops it', async () => {
    const shared = new SharedSignIn<string>();
    const flow = controllable();
    const cancelA = new AbortController();
    const cancelB = new AbortController();
    const a = shared.run({ signal: cancelA.signal, onProgress: () => undefined }, flow.start);
    const b = shared.run({ signal: cancelB.signal, onProgress: () => undefined }, flow.start);
    cancelA.abort(new Error('user cancelled A'));
    await expect(a).rejects.toThrow('user cancelled A');
    expect(flow.signal()?.aborted).toBe(false);
    cancelB.abort(new Error('user cancelled B'));
    await expect(b).rejects.toThrow('user cancelled B');
    expect(flow.signal()?.aborted).toBe(true);
  });

  it('after a sign-in ends, the next one starts afresh', async () => {
    const shared = new SharedSignIn<string>();
    const flow = controllable();
    const a = shared.run({ onProgress: () => undefined }, flow.start);
    flow.finish('one');
    await a;
    const b = shared.run({ onProgress: () => undefined }, flow.start);
    flow.finish('two');
    expect(await b).toBe('two');
    expect(flow.started()).toBe(2);
  });
});
