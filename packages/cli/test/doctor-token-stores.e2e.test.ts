import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// doctor names where each agent's sign-ins keep tokens (issue 17: "shown,
// without credentials, in auth status and doctor").

let home: TempDir;
beforeAll(async () => {
  home = await makeTempDir('opperator-doctor-stores-');
});
afterAll(async () => home?.remove());

describe('doctor: token stores', () => {
  it('lists each agent\'s store from agents.yaml (its own, else the default) without the credentials in the URL', async () => {
    await writeFile(
      join(home.path, 'agents.yaml'),
      'token_store: redis://:hunter2@cache.internal:6379/0\nagents:\n  - name: mail\n  - name: crm\n    token_store: postgres://app:s3cret@db.internal:5432/tokens?password=s3cret\n',
    );
    const run = await runCli(['doctor'], { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
    expect(run.stdout).toContain('Token stores');
    expect(run.stdout).toContain('  mail: redis://cache.internal:6379/0 (shared;');
    expect(run.stdout).toContain('  crm: postgres://db.internal:5432/tokens?password=… (shared;');
    expect(run.stdout + run.stderr).not.toMatch(/hunter2|s3cret/);
  });

  it('says token.json per agent folder when agents.yaml names no store', async () => {
    await writeFile(join(home.path, 'agents.yaml'), 'agents:\n  - name: mail\n');
    const run = await runCli(['doctor'], { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
    expect(run.stdout).toMatch(/Token stores\n {2}files: {5}every sign-in keeps token\.json in its agent folder/);
  });
});
