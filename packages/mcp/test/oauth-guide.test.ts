import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildOAuthAgentPrompt, OAUTH_AGENT_GUIDE } from '../src/oauth-guide.js';

// The guide's example agent must compile against the real SDK under the
// repo's strict options: an assistant copies it, and the daemon runs agents
// without type-checking them.

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function repoCompilerOptions(): ts.CompilerOptions {
  const configPath = join(REPO_ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const options = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configPath).options;
  return { ...options, paths: { '@opperator/sdk': [join(REPO_ROOT, 'packages', 'sdk', 'src', 'index.ts')] } };
}

describe('the OAuth agent guide', () => {
  it('has an example agent that type-checks against the SDK', async () => {
    const example = /```ts\n([\s\S]*?)```/.exec(OAUTH_AGENT_GUIDE)?.[1];
    expect(example).toContain('this.useOAuth(');
    const dir = await mkdtemp(join(tmpdir(), 'opperator-guide-'));
    try {
      const file = join(dir, 'agent.ts');
      // An agent folder is an ES module package, as bootstrap writes it.
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'guide-example', private: true, type: 'module' }));
      await writeFile(file, example!);
      const program = ts.createProgram([file], repoCompilerOptions());
      const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => '\n' };
      expect(ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host)).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('names the tools in the order of the story, and never asks for a secret value', () => {
    const text = buildOAuthAgentPrompt({ provider: 'github', name: 'gh-notify', purpose: 'lists notifications' });
    expect(text).toMatch(/^Build an Opperator agent that signs in to github with OAuth and lists notifications\./);
    const order = ['bootstrap_agent', 'secret_status', 'start_agent', '__authorize_', 'agent_sections'].map((word) => text.indexOf(word));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('never ask for their values here');
  });
});
