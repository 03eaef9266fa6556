import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OAuthProvider } from '@opperator/oauth';
import { Agent, authSectionContent, nextStep, type UseOAuthHandle, type UseOAuthStatus } from '../src/index.js';
import { startAgent, until } from './helpers.js';

// useOAuth over the in-memory link: the section text for every state, and the
// missing-secret path (registration still happens; authorize fails naming the fix).

const labels = { name: 'sandbox', agentName: 'demo' };
const base: UseOAuthStatus = { authenticated: false, state: 'not-authorized', credentials: 'configured', missingSecrets: [], tokenFile: 'missing', tokenPath: '/a/token.json', warnings: [] };

describe('authSectionContent', () => {
  it('credentials missing: Missing and the exact secret commands', () => {
    const status: UseOAuthStatus = { ...base, credentials: 'missing', missingSecrets: [{ name: 'sb_client_id', reason: 'not-set' }, { name: 'sb_client_secret', reason: 'not-set' }] };
    expect(authSectionContent(status, labels)).toBe(
      [
        "<c fg='yellow'>⚠ Not Authenticated</c>",
        '<b>Account:</b> none',
        "<b>Credentials:</b> <c fg='red'>Missing</c>",
        "<b>Token File:</b> <c fg='yellow'>Missing</c>",
        '<b>Next:</b> Set the secret: opperator secret set sb_client_id\nSet the secret: opperator secret set sb_client_secret',
      ].join('\n'),
    );
  });

  it('a secret outside the agent\'s secrets: list names agents.yaml', () => {
    expect(nextStep({ ...base, credentials: 'missing', missingSecrets: [{ name: 'sb_client_id', reason: 'denied' }] }, labels)).toBe(
      "Add sb_client_id to this agent's secrets: list in agents.yaml, then restart the agent",
    );
  });

  it('a device sign-in under way: the page and the code to type replace the next step', () => {
    const content = authSectionContent({ ...base, signIn: { path: 'device', url: 'http://127.0.0.1:9/device', userCode: 'WDJB-MJHT' } }, labels);
    expect(content).toContain('<b>Signing in:</b> open http://127.0.0.1:9/device and enter the code <b>WDJB-MJHT</b>');
    expect(content).not.toContain('<b>Next:</b>');
    expect(authSectionContent({ ...base, signIn: { path: 'paste', url: 'http://127.0.0.1:9/auth?x' } }, labels)).toContain('waiting for the address the browser ends on');
  });

  it('credentials configured, not signed in: run authorize_<name>', () => {
    const content = authSectionContent(base, labels);
    expect(content).toContain('⚠ Not Authenticated');
    expect(content).toContain("<b>Credentials:</b> <c fg='green'>Configured</c>");
    expect(content).toContain('<b>Next:</b> Sign in: run authorize_sandbox (opperator auth login demo sandbox)');
  });

  it('signed in: ✓ Authenticated, the account, Token File OK, Monitoring active', () => {
    const content = authSectionContent({ ...base, authenticated: true, state: 'valid', account: 'demo@sandbox.test', tokenFile: 'ok' }, labels);
    expect(content).toBe(
      [
        "<c fg='green'>✓ Authenticated</c>",
        '<b>Account:</b> demo@sandbox.test',
        "<b>Credentials:</b> <c fg='green'>Configured</c>",
        "<b>Token File:</b> <c fg='green'>OK</c>",
        '<b>Next:</b> Monitoring active',
      ].join('\n'),
    );
  });

  it('dead refresh token: ✗ Token Expired and the command to re-authorize', () => {
    const content = authSectionContent({ ...base, state: 'reauthorization-required', account: 'a@b', tokenFile: 'ok', reauthorizationReason: 'the refresh token was revoked' }, labels);
    expect(content).toContain("<c fg='red'>✗ Token Expired</c>");
    expect(content).toContain('<b>Reason:</b> the refresh token was revoked');
    expect(content).toContain('<b>Next:</b> Re-authorize: run authorize_sandbox (opperator auth login demo sandbox)');
  });

  it('markup in an account name cannot open a tag', () => {
    expect(authSectionContent({ ...base, authenticated: true, state: 'valid', account: "<c fg='red'>x" }, labels)).toContain("<b>Account:</b> ‹c fg='red'>x");
  });
});

const provider: OAuthProvider = {
  name: 'sandbox',
  issuer: 'http://127.0.0.1:9',
  metadata: { issuer: 'http://127.0.0.1:9', authorization_endpoint: 'http://127.0.0.1:9/auth', token_endpoint: 'http://127.0.0.1:9/token' },
  defaultScopes: ['openid'],
};

class OAuthAgent extends Agent {
  handle?: UseOAuthHandle;
  initialize() {
    this.handle = this.useOAuth({ name: 'sandbox', provider, scopes: ['openid'], clientIdSecret: 'sb_client_id', clientSecretSecret: 'sb_client_secret' });
  }
}

/** Answers every secret request from `values`; names not in it are "not set". */
function answerSecrets(fake: ReturnType<typeof startAgent>, values: () => Record<string, string>) {
  const answered = new Set<string>();
  const timer = setInterval(() => {
    for (const m of fake.messages) {
      if (m.type !== 'secret_request' || answered.has(m.requestId)) continue;
      answered.add(m.requestId);
      const value = values()[m.name];
      fake.send(value === undefined ? { type: 'secret_response', requestId: m.requestId, ok: false, error: { code: 'SECRET_NOT_FOUND', message: 'no such secret' } } : { type: 'secret_response', requestId: m.requestId, ok: true, value });
    }
  }, 2);
  return () => clearInterval(timer);
}

const sectionContents = (fake: ReturnType<typeof startAgent>) => fake.messages.flatMap((m) => (m.type === 'sidebar_section' && m.id === 'oauth_sandbox' ? [m.content] : []));

describe('useOAuth with missing secrets', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers the commands and section, fails authorize naming the fix, and stays up', async () => {
    dir = await mkdtemp(join(tmpdir(), 'use-oauth-'));
    const secrets: Record<string, string> = {};
    const agent = new OAuthAgent();
    const fake = startAgent(agent, { agentDir: dir });
    const stopAnswering = answerSecrets(fake, () => secrets);
    await fake.ready();
    const registry = await fake.waitFor((m) => m.type === 'command_registry');
    expect(registry.type === 'command_registry' && registry.commands.map((c) => c.name)).toEqual(expect.arrayContaining(['authorize_sandbox', 'sign_out_sandbox']));
    await until(() => sectionContents(fake).some((c) => c.includes('Missing')));
    const missing = sectionContents(fake).at(-1)!;
    expect(missing).toContain('⚠ Not Authenticated');
    expect(missing).toContain('opperator secret set sb_client_id');

    const response = await fake.invoke('authorize_sandbox');
    expect(response).toMatchObject({ ok: false, error: { code: 'SDK_SECRET_NOT_FOUND' } });
    expect(response.ok === false && response.error.message).toMatch(/Cannot sign in to sandbox.*opperator secret set sb_client_id/);
    await expect(agent.handle!.getAccessToken()).rejects.toMatchObject({ code: 'SDK_SECRET_NOT_FOUND' });

    // Secrets are re-read on use: set them and the status changes without a restart.
    Object.assign(secrets, { sb_client_id: 'client-1', sb_client_secret: 'shh' });
    const status = await agent.handle!.status();
    expect(status).toMatchObject({ credentials: 'configured', authenticated: false, tokenFile: 'missing', tokenPath: join(dir, 'token.json') });
    await agent.handle!.refreshSection();
    expect(sectionContents(fake).at(-1)).toContain('Sign in: run authorize_sandbox (opperator auth login test-agent sandbox)');
    await expect(agent.handle!.getAccessToken()).rejects.toMatchObject({ code: 'OAUTH_NOT_AUTHORIZED' });

    expect(fake.messages.some((m) => m.type === 'lifecycle_event' && m.event === 'stopping')).toBe(false);
    expect(JSON.stringify(fake.messages)).not.toContain('shh');
    stopAnswering();
    await fake.close();
  });
});
