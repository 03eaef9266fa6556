import { openSecretStore } from './secret-context.js';

/** `opperator secret get NAME`: prints the value and a newline. */
export async function secretGet(name: string): Promise<void> {
  process.stdout.write(`${await openSecretStore().get(name)}\n`);
}
