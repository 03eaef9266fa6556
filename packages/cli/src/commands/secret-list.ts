import { formatHumanTime } from '@opperator/protocol';
import { openSecretStore } from './secret-context.js';

/** `opperator secret list [--json]`: names, backends and times from the registry; never values, and no keyring access. */
export async function secretList(options: { json?: boolean }): Promise<void> {
  const records = await openSecretStore().list();
  if (options.json) {
    const rows = records.map((r) => ({ name: r.name, backend: r.backend, createdAt: new Date(r.createdAt).toISOString(), updatedAt: new Date(r.updatedAt).toISOString() }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (records.length === 0) {
    process.stdout.write('No secrets yet. Set one with: opperator secret set NAME\n');
    return;
  }
  const width = Math.max(4, ...records.map((r) => r.name.length));
  const lines = [`${'NAME'.padEnd(width)}  BACKEND  UPDATED`, ...records.map((r) => `${r.name.padEnd(width)}  ${r.backend.padEnd(7)}  ${formatHumanTime(r.updatedAt)}`)];
  process.stdout.write(`${lines.join('\n')}\n`);
}
