import { openSecretStore } from './secret-context.js';

/** `opperator secret delete NAME`. */
export async function secretDelete(name: string): Promise<void> {
  await openSecretStore().delete(name);
  process.stdout.write(`Deleted secret ${name}.\n`);
}
