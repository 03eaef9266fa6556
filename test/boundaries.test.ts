import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The package boundaries of ARCHITECTURE.md, read from the sources' import
// statements. A new package adds its rules here.
const root = new URL('..', import.meta.url).pathname;

interface Rule {
  /** Packages of ours this one may import. */
  mayImport: string[];
  /** Node built-ins it must not use. */
  forbiddenBuiltins?: string[];
  /** Files allowed to read process.env (documented defaults of injectable seams). */
  envReaders?: string[];
  /** True when it must not write to the terminal. */
  silent?: boolean;
}

const rules: Record<string, Rule> = {
  protocol: { mayImport: [], envReaders: [], silent: true },
  oauth: { mayImport: [], envReaders: ['browser-opener.ts'], silent: true },
  secrets: { mayImport: [], envReaders: [], silent: true },
  // Token stores on engines people run; each its own package so the core installs without ioredis or pg.
  'store-redis': { mayImport: ['oauth'], envReaders: [], silent: true },
  'store-postgres': { mayImport: ['oauth'], envReaders: [], silent: true },
  sandbox: { mayImport: [] },
  daemon: { mayImport: ['protocol', 'secrets'], envReaders: ['config.ts'] },
  // home-option.ts: `--home DIR` is OPPERATOR_HOME=DIR, set for this process and all it starts.
  cli: { mayImport: ['secrets', 'oauth', 'sandbox', 'protocol', 'tui', 'mcp'], envReaders: ['config.ts', 'home-option.ts'] },
  // The MCP server talks to the daemon through the typed control client only.
  mcp: { mayImport: ['protocol'], envReaders: [] },
  testing: { mayImport: ['oauth', 'sandbox', 'secrets'] },
  sdk: { mayImport: ['protocol', 'oauth'], forbiddenBuiltins: ['child_process'], envReaders: ['runner.ts', 'use-oauth-authorize.ts'], silent: false },
  // The wire types; and the clients' side of paste-back (@opperator/oauth/paste-back, node:http only), as the CLI's prompt uses it.
  tui: { mayImport: ['protocol', 'oauth'], envReaders: ['display-settings.ts'] },
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

function importsOf(source: string): string[] {
  // Statements start a line; text that merely looks like an import (a template's source) does not count.
  const pattern = /^\s*(?:import|export)\s+(?:[\w*{}\s,]*?\bfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  return [...source.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? '');
}

describe('package boundaries', () => {
  it('every package is covered by a rule', async () => {
    const packages = (await readdir(join(root, 'packages'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(packages.sort()).toEqual(Object.keys(rules).sort());
  });

  for (const [name, rule] of Object.entries(rules)) {
    it(`${name}/src imports only what it may`, async () => {
      const violations: string[] = [];
      for (const file of await sourceFiles(join(root, 'packages', name, 'src'))) {
        // Comments (TSDoc examples included) are not code.
        const source = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
        const where = relative(root, file);
        for (const specifier of importsOf(source)) {
          const ours = /^@opperator\/([^/]+)/.exec(specifier)?.[1];
          if (ours && ours !== name && !rule.mayImport.includes(ours)) violations.push(`${where} imports @opperator/${ours}`);
          if (ours === 'testing' && name !== 'testing') violations.push(`${where} imports the private testing helpers`);
          if (specifier.startsWith('../../')) violations.push(`${where} reaches outside its package: ${specifier}`);
          if (rule.forbiddenBuiltins?.some((b) => specifier === b || specifier === `node:${b}`)) violations.push(`${where} uses ${specifier}`);
        }
        const fileName = file.split('/').at(-1) ?? '';
        if (/process\.env/.test(source) && !(rule.envReaders ?? []).includes(fileName) && rule.envReaders !== undefined) violations.push(`${where} reads process.env`);
        if (rule.silent && /\bconsole\.(log|info|warn|error|debug|trace)\b|process\.(stdout|stderr)/.test(source)) violations.push(`${where} writes to the terminal`);
      }
      expect(violations).toEqual([]);
    });
  }

  // ARCHITECTURE.md, "One home per kind of knowledge": what is known about a
  // provider lives in its preset (and, for the sandbox, in its emulator of
  // that provider); no other source branches on its name.
  it('no source outside the provider presets tests for a provider by name', async () => {
    const homes = [join(root, 'packages', 'oauth', 'src', 'providers'), join(root, 'packages', 'sandbox', 'src', 'emulators')];
    const violations: string[] = [];
    for (const name of Object.keys(rules)) {
      for (const file of await sourceFiles(join(root, 'packages', name, 'src'))) {
        if (homes.some((home) => file.startsWith(home))) continue;
        const source = await readFile(file, 'utf8');
        const match = /(?:===|!==|\bcase)\s*['"](google|github|microsoft)['"]/.exec(source);
        if (match) violations.push(`${relative(root, file)} tests for ${match[1]}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
