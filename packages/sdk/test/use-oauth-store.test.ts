import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '@opperator/oauth';
import { chooseSignInStore } from '../src/use-oauth-store.js';

// Where a useOAuth sign-in keeps its tokens: the agent's own choice first,
// then agents.yaml's token_store, then token.json (SPEC: openTokenStore).

const host = { agentName: 'mail', agentDir: '/home/ana/.config/opperator/agents/mail' };

describe('chooseSignInStore', () => {
  it('defaults to token.json in the agent folder; tokenFile is relative to it', () => {
    expect(chooseSignInStore(host, { name: 'gmail' })).toMatchObject({ filePath: `${host.agentDir}/token.json` });
    expect(chooseSignInStore(host, { name: 'gmail', tokenFile: 'gmail.json' })).toMatchObject({ filePath: `${host.agentDir}/gmail.json` });
    expect(chooseSignInStore(host, { name: 'gmail', tokenFile: '/var/lib/tokens/gmail.json' })).toMatchObject({ filePath: '/var/lib/tokens/gmail.json' });
  });

  it("agents.yaml's token_store applies when the agent names none: a path is a folder with one file per sign-in, a URL a shared record keyed by agent and sign-in", () => {
    expect(chooseSignInStore({ ...host, tokenStoreLocation: '/var/lib/opperator-tokens' }, { name: 'gmail' })).toMatchObject({ filePath: '/var/lib/opperator-tokens/mail.gmail.json' });
    const shared = chooseSignInStore({ ...host, tokenStoreLocation: 'redis://:hunter2@cache.internal:6379/0' }, { name: 'gmail' });
    expect(shared.filePath).toBeUndefined();
    expect(shared.label).toBe('redis://cache.internal:6379/0 key opperator/mail/gmail');
    expect(shared.label).not.toContain('hunter2');
    // The agent's own choice wins over the agents.yaml default.
    expect(chooseSignInStore({ ...host, tokenStoreLocation: 'redis://cache:6379' }, { name: 'gmail', tokenFile: 'mine.json' })).toMatchObject({ filePath: `${host.agentDir}/mine.json` });
  });

  it('a store object is used as it is; storeKey names the shared record', async () => {
    const memory = new MemoryTokenStore();
    expect(await chooseSignInStore(host, { name: 'gmail', store: memory }).open()).toBe(memory);
    expect(chooseSignInStore(host, { name: 'gmail', store: 'postgres://db.internal/tokens', storeKey: 'team/gmail' }).label).toBe('postgres://db.internal/tokens key team/gmail');
  });

  it('a store that cannot open (no such scheme) fails at use, with the reason, and is retried next time', async () => {
    const store = chooseSignInStore(host, { name: 'gmail', store: 'mongodb://db/tokens' });
    await expect(store.open()).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT' });
    await expect(store.open()).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT' });
  });
});
