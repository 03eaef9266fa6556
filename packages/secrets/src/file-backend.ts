import { join } from 'node:path';
import { PrivateJsonFile } from './private-json-file.js';

interface FileSecretsDocument {
  version: 1;
  values: Record<string, string>;
}

/**
 * The fallback backend: values in `<secrets dir>/secrets.json` (the data
 * directory, `~/.local/share/opperator/secrets`, or `$OPPERATOR_HOME/secrets`),
 * mode 0600 in a 0700 directory, NOT encrypted. Used only when no keyring
 * can be used, or when asked for with OPPERATOR_SECRET_STORE=file.
 */
export class FileSecretBackend {
  readonly kind = 'file' as const;
  readonly #file: PrivateJsonFile<FileSecretsDocument>;

  constructor(secretsDir: string) {
    this.#file = new PrivateJsonFile(join(secretsDir, 'secrets.json'), () => ({ version: 1, values: {} }), parseDocument);
  }

  /** The file the values live in. */
  get path(): string {
    return this.#file.path;
  }

  /** Whether any value has been written here yet. */
  exists(): Promise<boolean> {
    return this.#file.exists();
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.#file.read()).values[name];
  }

  async set(name: string, value: string): Promise<void> {
    await this.#file.update((document) => {
      document.values[name] = value;
    });
  }

  /** True when there was a value to delete. */
  async delete(name: string): Promise<boolean> {
    return this.#file.update((document) => {
      const had = name in document.values;
      delete document.values[name];
      return had;
    });
  }
}

function parseDocument(json: unknown): FileSecretsDocument {
  const document = json as Partial<FileSecretsDocument>;
  if (document?.version !== 1 || typeof document.values !== 'object' || document.values === null) throw new Error('not a secrets file');
  return document as FileSecretsDocument;
}
