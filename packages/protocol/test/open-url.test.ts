import { describe, expect, it } from 'vitest';
import { agentToDaemonSchema, daemonToAgentSchema, MAX_OPEN_URL_LENGTH } from '../src/index.js';

// A sign-in page travels from the agent to the invoking client, which opens
// it in the user's browser: only http(s) pages may make that trip.
describe('command_progress openUrl', () => {
  const progress = (openUrl: string) => agentToDaemonSchema.safeParse({ type: 'command_progress', id: 't1', text: 'Opening', openUrl });

  it('carries an http(s) sign-in URL', () => {
    expect(progress('http://127.0.0.1:9440/auth?client_id=x&state=y').success).toBe(true);
    expect(progress('https://accounts.google.com/o/oauth2/v2/auth?x=1').success).toBe(true);
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'ssh://host', ' https://example.com'])('refuses %s', (url) => {
    expect(progress(url).success).toBe(false);
  });

  it('refuses a URL longer than the limit', () => {
    expect(progress(`https://example.com/${'a'.repeat(MAX_OPEN_URL_LENGTH)}`).success).toBe(false);
  });
});

describe('command client', () => {
  it('says whether an interactive client waits and can open a browser', () => {
    expect(daemonToAgentSchema.parse({ type: 'command', id: 't1', name: 'authorize_gmail', args: {}, client: { browser: false } })).toMatchObject({ client: { browser: false } });
    expect(daemonToAgentSchema.safeParse({ type: 'command', id: 't1', name: 'x', args: {}, client: { browser: 'yes' } }).success).toBe(false);
  });
});
