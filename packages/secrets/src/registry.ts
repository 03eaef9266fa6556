import { join } from 'node:path';
import { PrivateJsonFile } from './private-json-file.js';

/** Where a secret's value is kept. */
export type SecretBackendKind = 'keyring' | 'file';

/** What the registry knows about one secret; never its value. */
export interface SecretRecord {
  name: string;
  backend: SecretBackendKind;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

interface RegistryDocument {
  version: 1;
  secrets: Record<string, Omit<SecretRecord, 'name'>>;
}

/**
 * Names, backends and times of the secrets opperator stored: keyrings cannot
 * list their items reliably, so the list lives here
 * (`<secrets dir>/registry.json`, 0600, next to the file backend's values).
 */
export class SecretRegistry {
  readonly #file: PrivateJsonFile<RegistryDocument>;

  constructor(secretsDir: string) {
    this.#file = new PrivateJsonFile(join(secretsDir, 'registry.json'), () => ({ version: 1, secrets: {} }), parseRegistry);
  }

  async list(): Promise<SecretRecord[]> {
    const { secrets } = await this.#file.read();
    return Object.entries(secrets)
      .map(([name, record]) => ({ name, ...record }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async find(name: string): Promise<SecretRecord | undefined> {
    const record = (await this.#file.read()).secrets[name];
    return record && { name, ...record };
  }

  /** Records that `name` was written to `backend` at `now`. */
  async recordWrite(name: string, backend: SecretBackendKind, now: number): Promise<void> {
    await this.#file.update((document) => {
      const previous = document.secrets[name];
      document.secrets[name] = { backend, createdAt: previous?.createdAt ?? now, updatedAt: now };
    });
  }

  async remove(name: string): Promise<void> {
    await this.#file.update((document) => {
      delete document.secrets[name];
    });
  }
}

function parseRegistry(json: unknown): RegistryDocument {
  const document = json as Partial<RegistryDocument>;
  if (document?.version !== 1 || typeof document.secrets !== 'object' || document.secrets === null) throw new Error('not a registry');
  return document as RegistryDocument;
}
