import { describe, expect, it } from 'vitest';
import { withoutProvidedDependencies } from '../src/agent-add/agent-dependencies.js';
import { parseEnvOptions } from '../src/agent-add/agent-manifest.js';
import { leftOutKind } from '../src/agent-add/copy-agent-folder.js';

describe('what agent add leaves out of the copy', () => {
  it('leaves out sign-ins, credentials, keys, env files, locks and logs', () => {
    const state = [
      'token.json', 'token-gmail.json', 'token_github.json', 'token.json.lock', 'token.json.3482919', 'gmail.token.json',
      '.env', '.env.local', 'client_secret.json', 'client_secret_123-abc.apps.googleusercontent.com.json',
      'credentials.json', 'secrets.json', 'server.key', 'cert.pem', 'npm-debug.log', '.DS_Store',
    ];
    for (const name of state) expect([name, leftOutKind(name)]).toEqual([name, 'state']);
  });

  it('leaves out what is installed or built again, and what is not the agent', () => {
    for (const name of ['node_modules', '.git', 'dist']) expect(leftOutKind(name)).toBe('build');
  });

  it('copies the agent itself, example env files and look-alike names', () => {
    for (const name of ['agent.ts', 'package.json', 'package-lock.json', 'README.md', '.env.example', '.env.sample', 'tokenizer.json', 'tokens.ts', 'lib', 'keyboard.ts']) {
      expect([name, leftOutKind(name)]).toEqual([name, undefined]);
    }
  });
});

describe('dependencies opperator provides', () => {
  it('takes @opperator/* out of every dependency field and keeps the rest to install', () => {
    const { manifest, provided, toInstall } = withoutProvidedDependencies({
      name: 'x',
      dependencies: { '@googleapis/gmail': '^18.0.0', '@opperator/sdk': 'file:../../packages/sdk' },
      devDependencies: { '@opperator/oauth': 'workspace:*', typescript: '^5.0.0' },
      peerDependencies: { '@opperator/sdk': '^0.1.0' },
    });
    expect(manifest).toEqual({ name: 'x', dependencies: { '@googleapis/gmail': '^18.0.0' }, devDependencies: { typescript: '^5.0.0' }, peerDependencies: {} });
    expect(provided).toEqual([
      { name: '@opperator/sdk', spec: 'file:../../packages/sdk' },
      { name: '@opperator/oauth', spec: 'workspace:*' },
      { name: '@opperator/sdk', spec: '^0.1.0' },
    ]);
    expect(toInstall).toEqual(['@googleapis/gmail', 'typescript']);
  });

  it('leaves a package.json without dependencies as it is', () => {
    expect(withoutProvidedDependencies({ name: 'x', type: 'module' })).toEqual({ manifest: { name: 'x', type: 'module' }, provided: [], toInstall: [] });
  });
});

describe('--env KEY=VALUE', () => {
  it('keeps everything after the first "=", later options winning', () => {
    expect(parseEnvOptions(['A=1', 'URL=http://x/?a=b', 'A=2', 'EMPTY='])).toEqual({ A: '2', URL: 'http://x/?a=b', EMPTY: '' });
  });

  it('refuses a pair without "=" or with a name that is not a variable name', () => {
    for (const option of ['A', '1A=x', 'A B=x', '=x']) expect(() => parseEnvOptions([option])).toThrow(/KEY=VALUE/);
  });
});
