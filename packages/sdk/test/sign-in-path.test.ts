import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, providers } from '@opperator/oauth';
import { chooseSignInPath } from '../src/sign-in-path.js';

// Which way a sign-in reaches the user, from the presets' own metadata (no network).
const client = (provider: typeof providers.github, scopes?: string[]) => new OAuthClient({ provider, clientId: 'id', store: new MemoryTokenStore(), ...(scopes ? { scopes } : {}) });
const gmail = client(providers.google, ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly']);
const github = client(providers.github);
const terminal = { browser: false, paste: true };

describe('chooseSignInPath', () => {
  it('opens the browser where the user is when it can, with nothing to explain', async () => {
    expect(await chooseSignInPath(gmail, { waiting: { browser: true, paste: true } })).toEqual({ path: 'browser', opener: 'client' });
  });

  it('no browser and a device flow that takes the scopes: a code, and says why', async () => {
    const choice = await chooseSignInPath(github, { waiting: terminal });
    expect(choice.path).toBe('device');
    expect(choice.why).toBe('No browser can be opened where you ran the command (no BROWSER, no display); sign in with a code instead.');
  });

  it("no browser and Google's device flow refuses Gmail: paste-back, naming the refused scope", async () => {
    const choice = await chooseSignInPath(gmail, { waiting: terminal });
    expect(choice.path).toBe('paste');
    expect(choice.why).toContain("Google's device flow does not allow https://www.googleapis.com/auth/gmail.readonly");
  });

  it('nobody to paste (a pipe, a detached run) and no device flow: the URL to open on this machine', async () => {
    expect((await chooseSignInPath(gmail, { waiting: { browser: false } })).path).toBe('browser');
    const detached = await chooseSignInPath(gmail, { agentHasBrowser: false });
    expect(detached).toMatchObject({ path: 'browser', opener: 'agent' });
    expect(detached.why).toContain("the agent's environment has no browser");
  });

  it('a detached run with a browser in the agent\'s environment says it opens there', async () => {
    expect(await chooseSignInPath(github, { agentHasBrowser: true })).toMatchObject({ path: 'browser', opener: 'agent', why: expect.stringContaining("agent's own environment") });
  });

  it('an explicit choice wins, and is refused with the reason when it cannot work', async () => {
    expect((await chooseSignInPath(github, { requested: 'paste', waiting: { browser: true, paste: true } })).path).toBe('paste');
    expect((await chooseSignInPath(gmail, { requested: 'browser', waiting: terminal })).path).toBe('browser');
    await expect(chooseSignInPath(gmail, { requested: 'device', waiting: terminal })).rejects.toMatchObject({ code: 'SDK_INVALID_ARGUMENT', message: expect.stringContaining('does not allow') });
    await expect(chooseSignInPath(github, { requested: 'paste' })).rejects.toMatchObject({ code: 'SDK_INVALID_ARGUMENT', message: expect.stringContaining('Paste-back needs someone') });
  });
});
