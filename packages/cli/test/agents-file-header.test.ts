import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { parseAgentsConfig } from '../../daemon/src/agents-config.js';
import { AgentsFile } from '../src/agents-file.js';

// The agents.yaml the CLI writes explains itself: its header lists every
// field the daemon accepts and points to help the user has (issue 16: it
// cited "SPEC §2", a document users do not have).

describe('the agents.yaml header', () => {
  let dir: TempDir;
  let text: string;
  beforeAll(async () => {
    dir = await makeTempDir('opperator-agents-file-');
    const file = new AgentsFile(join(dir.path, 'agents.yaml'));
    await file.add({ name: 'mail', description: 'mail', entry: 'agent.ts', secrets: [], auto_restart: true, start_with_daemon: false });
    text = await readFile(file.path, 'utf8');
  });
  afterAll(async () => dir?.remove());

  it('cites nothing the user does not have', () => {
    expect(text).not.toMatch(/SPEC|§/);
    expect(text).toContain('opperator help agent');
  });

  it('explains every field the daemon accepts, and only those', () => {
    const header = text.split('\n').filter((line) => line.startsWith('#'));
    const explained = header.map((line) => /^#\s{2,}([a-z_]+)\s/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
    const accepted = Object.keys(parseAgentsConfig('agents:\n  - name: a\n', 'agents.yaml')[0]!);
    expect(explained.sort()).toEqual(accepted.sort());
  });

  it('is a valid file the daemon reads', () => {
    expect(parseAgentsConfig(text, 'agents.yaml').map((agent) => agent.name)).toEqual(['mail']);
  });
});

describe('a broken agents.yaml', () => {
  it('is reported with the fields an agent takes, from the schema, citing no document users lack', () => {
    let message = '';
    try {
      parseAgentsConfig('agents:\n  - name: a\n    restart: always\n', 'agents.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('name, description, entry');
    expect(message).toContain('isolate');
    expect(message).not.toMatch(/SPEC|§/);
  });
});
