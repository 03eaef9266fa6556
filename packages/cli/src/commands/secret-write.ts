import type { SetMode } from '@opperator/secrets';
import { readSecretValue } from '../read-secret-value.js';
import { openSecretStore } from './secret-context.js';

/** `opperator secret set|create|update NAME [VALUE]`. */
export async function secretWrite(mode: SetMode, name: string, value: string | undefined): Promise<void> {
  const store = openSecretStore();
  const secret = await readSecretValue(name, value, { stdin: process.stdin, promptOutput: process.stderr });
  const { backend, created } = await store.set(name, secret, mode);
  const where = backend === 'keyring' ? 'the keyring (service "opperator")' : 'the secrets file (not encrypted)';
  process.stdout.write(`${created ? 'Stored' : 'Updated'} secret ${name} in ${where}.\n`);
}
