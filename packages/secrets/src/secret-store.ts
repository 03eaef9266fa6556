import { SecretStoreError } from './errors.js';
import { FileSecretBackend } from './file-backend.js';
import { KeyringSecretBackend, classifyKeyringError, keyringFix, type KeyringAvailability } from './keyring-backend.js';
import { assertSecretName } from './names.js';
import { assertSecretValue } from './values.js';
import { SecretRegistry, type SecretBackendKind, type SecretRecord } from './registry.js';

/** `auto`: keyring when it answers, else the file with a warning. `keyring`/`file`: only that one. */
export type SecretStoreMode = 'auto' | 'keyring' | 'file';

/** What the user must be told before a value goes into the unencrypted file. */
export interface FileFallbackNotice {
  /** The file the value goes to. */
  path: string;
  /** Why not the keyring, in words. */
  reason: string;
  /** How to get the keyring working, when it is broken rather than declined. */
  fix?: string;
  /** True when this is the first value written to the file. */
  firstValue: boolean;
  /** True when OPPERATOR_SECRET_STORE=file asked for the file. */
  chosen: boolean;
}

/** Options of {@link SecretStore}. */
export interface SecretStoreOptions {
  /**
   * The directory of the registry and the plaintext fallback file
   * (`HomeLayout.data` + `/secrets`: `~/.local/share/opperator/secrets`, or
   * `$OPPERATOR_HOME/secrets`), passed in: this package reads no environment.
   */
  dir: string;
  mode?: SecretStoreMode;
  platform?: NodeJS.Platform;
  /** `DBUS_SESSION_BUS_ADDRESS`, passed in: this package reads no environment. */
  dbusSessionBusAddress?: string | undefined;
  now?: () => number;
  /** Awaited before any value is written to the unencrypted file. */
  onFileFallback?: (notice: FileFallbackNotice) => void | Promise<void>;
}

/** How `set` treats an existing (or missing) secret. */
export type SetMode = 'upsert' | 'create' | 'update';

/** Where secrets go now, for `opperator doctor`. */
export interface SecretBackendStatus {
  mode: SecretStoreMode;
  /** The backend new values would go to; `none` when the keyring is required but unusable. */
  selected: SecretBackendKind | 'none';
  keyring: KeyringAvailability;
  filePath: string;
}

/**
 * Secrets by name, in the OS keyring when one answers, else (with a warning
 * before anything is written) in a private file. A registry keeps names and
 * times, since keyrings cannot list reliably. Shared by the CLI and the daemon.
 *
 * @example
 * ```ts
 * const store = new SecretStore({ dir: homePaths(layout).secretsDir, dbusSessionBusAddress: process.env.DBUS_SESSION_BUS_ADDRESS });
 * await store.set('gmail_client_id', '1234.apps.googleusercontent.com');
 * const clientId = await store.get('gmail_client_id');
 * ```
 */
export class SecretStore {
  readonly mode: SecretStoreMode;
  readonly #keyring: KeyringSecretBackend;
  readonly #file: FileSecretBackend;
  readonly #registry: SecretRegistry;
  readonly #now: () => number;
  readonly #onFileFallback: SecretStoreOptions['onFileFallback'];

  constructor(options: SecretStoreOptions) {
    const dir = options.dir;
    this.mode = options.mode ?? 'auto';
    this.#keyring = new KeyringSecretBackend({ platform: options.platform ?? process.platform, dbusSessionBusAddress: options.dbusSessionBusAddress });
    this.#file = new FileSecretBackend(dir);
    this.#registry = new SecretRegistry(dir);
    this.#now = options.now ?? Date.now;
    this.#onFileFallback = options.onFileFallback;
  }

  /** Stores `value` under `name` (UTF-8 text, see {@link assertSecretValue}); returns where it went and whether it is new. */
  async set(name: string, value: string, setMode: SetMode = 'upsert'): Promise<{ backend: SecretBackendKind; created: boolean }> {
    assertSecretName(name);
    assertSecretValue(name, value);
    const existing = await this.#registry.find(name);
    if (setMode === 'create' && existing) {
      throw new SecretStoreError('SECRET_EXISTS', `Secret ${name} already exists (set ${new Date(existing.updatedAt).toISOString()}). Replace it with \`opperator secret update ${name}\`.`);
    }
    if (setMode === 'update' && !existing) {
      throw new SecretStoreError('SECRET_NOT_FOUND', `No secret named ${name}. Create it with \`opperator secret set ${name}\`.`);
    }

    const backend = await this.#write(name, value);
    if (existing && existing.backend !== backend) await this.#deleteFrom(existing.backend, name);
    await this.#registry.recordWrite(name, backend, this.#now());
    return { backend, created: !existing };
  }

  /** The value of `name`; `SECRET_NOT_FOUND` or `SECRET_VALUE_MISSING` when there is none. */
  async get(name: string): Promise<string> {
    assertSecretName(name);
    const record = await this.#registry.find(name);
    if (record) {
      const value = await this.#readFrom(record.backend, name);
      if (value === undefined) {
        throw new SecretStoreError('SECRET_VALUE_MISSING', `Secret ${name} is registered, but its value is no longer in the ${record.backend === 'keyring' ? 'keyring' : 'secrets file'} (deleted outside opperator?). Set it again: \`opperator secret set ${name}\`.`);
      }
      return value;
    }
    // Not ours on record, but maybe stored with secret-tool or by an older registry.
    const fromKeyring = this.mode !== 'file' && (await this.#keyring.availability()).available ? await this.#keyring.get(name) : undefined;
    const value = fromKeyring ?? (this.mode !== 'keyring' ? await this.#file.get(name) : undefined);
    if (value === undefined) throw new SecretStoreError('SECRET_NOT_FOUND', `No secret named ${name}. Set it with \`opperator secret set ${name}\`.`);
    return value;
  }

  /** Names, backends and times; never values. Reads only the registry. */
  list(): Promise<SecretRecord[]> {
    return this.#registry.list();
  }

  /** Deletes `name` wherever it is; `SECRET_NOT_FOUND` when it was nowhere. */
  async delete(name: string): Promise<void> {
    assertSecretName(name);
    const record = await this.#registry.find(name);
    let deleted = false;
    if (this.mode !== 'file' && (record?.backend === 'keyring' || (await this.#keyring.availability()).available)) {
      deleted = (await this.#keyring.delete(name)) || deleted;
    }
    deleted = (await this.#file.delete(name)) || deleted;
    if (record) await this.#registry.remove(name);
    if (!record && !deleted) throw new SecretStoreError('SECRET_NOT_FOUND', `No secret named ${name}; nothing to delete. \`opperator secret list\` shows what exists.`);
  }

  /** Where new values would go and why. Probes the keyring by writing and deleting a probe item. */
  async backendStatus(): Promise<SecretBackendStatus> {
    const keyring = this.mode === 'file' ? await this.#keyring.availability() : await this.#keyring.checkWritable();
    const selected = this.mode === 'file' ? 'file' : keyring.available ? 'keyring' : this.mode === 'keyring' ? 'none' : 'file';
    return { mode: this.mode, selected, keyring, filePath: this.#file.path };
  }

  async #write(name: string, value: string): Promise<SecretBackendKind> {
    if (this.mode === 'file') {
      await this.#writeFile(name, value, { reason: 'OPPERATOR_SECRET_STORE=file chose the file store', chosen: true });
      return 'file';
    }
    let availability = await this.#keyring.availability();
    if (availability.available) {
      try {
        await this.#keyring.set(name, value);
        return 'keyring';
      } catch (err) {
        if (!(err instanceof SecretStoreError)) throw err;
        availability = classifyKeyringError(err.cause);
        this.#keyring.markUnavailable(availability);
      }
    }
    if (this.mode === 'keyring') {
      throw new SecretStoreError('SECRET_KEYRING_UNAVAILABLE', `OPPERATOR_SECRET_STORE=keyring, but the keyring cannot be used: ${availability.detail}. Nothing was stored. To fix: ${keyringFix(availability.reason)}.`);
    }
    await this.#writeFile(name, value, { reason: `the keyring cannot be used: ${availability.detail}`, fix: keyringFix(availability.reason), chosen: false });
    return 'file';
  }

  async #writeFile(name: string, value: string, why: { reason: string; fix?: string; chosen: boolean }): Promise<void> {
    await this.#onFileFallback?.({ path: this.#file.path, firstValue: !(await this.#file.exists()), ...why });
    await this.#file.set(name, value);
  }

  #readFrom(backend: SecretBackendKind, name: string): Promise<string | undefined> {
    return backend === 'keyring' ? this.#keyring.get(name) : this.#file.get(name);
  }

  async #deleteFrom(backend: SecretBackendKind, name: string): Promise<void> {
    if (backend === 'keyring') await this.#keyring.delete(name).catch(() => false);
    else await this.#file.delete(name);
  }
}
