import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer } from '@opperator/sandbox';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// Every template `agent bootstrap` writes must type-check under the repo's
// strict tsconfig against the real SDK types: the daemon runs agents with
// tsx, which strips types without checking them, so nothing else would catch
// a template that no longer matches the SDK. The agents are written by the
// real CLI and compiled where they stand; they carry no SDK of their own (the
// runtime provides it), so `@opperator/sdk` is mapped to this checkout's, as
// an editor with the published types would see it.

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let home: TempDir;
let sandbox: RunningAuthorizationServer;
beforeAll(async () => {
  home = await makeTempDir('opperator-home-');
  sandbox = await startAuthorizationServer();
});
afterAll(async () => {
  await sandbox?.close();
  await home?.remove();
});

/** The repo's compiler options (tsconfig.json), as `npm run typecheck` uses them. */
function repoCompilerOptions(): ts.CompilerOptions {
  const configPath = join(REPO_ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const options = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configPath).options;
  return { ...options, paths: { '@opperator/sdk': [join(REPO_ROOT, 'packages', 'sdk', 'src', 'index.ts')] } };
}

describe('agent bootstrap templates type-check', () => {
  it('for every provider kind, and the minimal template', async () => {
    const kinds: Array<[name: string, args: string[]]> = [
      ['t-minimal', []],
      ['t-google', ['--template', 'oauth', '--provider', 'google']],
      ['t-github', ['--template', 'oauth', '--provider', 'github']],
      ['t-microsoft', ['--template', 'oauth', '--provider', 'microsoft']],
      ['t-sandbox', ['--template', 'oauth', '--provider', 'sandbox']],
      // An issuer whose discovery names a userinfo endpoint...
      ['t-issuer', ['--template', 'oauth', '--provider', sandbox.issuer]],
      // ...and one that cannot be reached (nothing listens on port 1): whoami reports status() instead.
      ['t-issuer-offline', ['--template', 'oauth', '--provider', 'http://127.0.0.1:1']],
    ];
    for (const [name, args] of kinds) {
      const run = await runCli(['agent', 'bootstrap', name, ...args], { env: { OPPERATOR_HOME: home.path } });
      expect(run, run.stderr).toMatchObject({ code: 0 });
    }
    const files = kinds.map(([name]) => join(home.path, 'agents', name, 'agent.ts'));

    const program = ts.createProgram(files, repoCompilerOptions());
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => '\n' };
    expect(ts.formatDiagnostics(diagnostics, host)).toBe('');
    // The program really saw the SDK through each agent's link (not an `any` from a failed import).
    expect(program.getSourceFiles().some((file) => file.fileName.endsWith('packages/sdk/src/agent.ts'))).toBe(true);
  }, 120_000);
});
