import { chmod, mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import writeFileAtomic from 'write-file-atomic';

/** How long changes are collected before one write, so a sign-in's dozen upserts cost one write. */
export const STORE_WRITE_DELAY_MS = 50;

/** Version of the file layout; a file with another version is set aside, not misread. */
const STORE_FILE_VERSION = 1;

/** One stored model instance. `expiresAt` is epoch ms; absent means it never expires. */
interface StoredEntry {
  payload: AdapterPayload;
  expiresAt?: number;
}

/** The file: models keyed `<Model>:<id>`, plus named values the server keeps (keys). */
interface StoreFile {
  version: number;
  values: Record<string, unknown>;
  entries: Record<string, StoredEntry>;
}

/** Options of {@link JsonFileStore.open}. */
export interface JsonFileStoreOptions {
  /** JSON file to load from and persist to (mode 0600); without it the store lives in memory only. */
  path?: string;
  /** Clock in epoch ms; default `Date.now`. */
  now?: () => number;
  /** Delay before a coalesced write; default {@link STORE_WRITE_DELAY_MS}. */
  writeDelayMs?: number;
  /** Told about a damaged file set aside and about failed writes (the store keeps serving from memory). */
  onWarning?: (message: string) => void;
}

/**
 * The sandbox's storage for oidc-provider: every model (Session, Grant,
 * AccessToken, RefreshToken, AuthorizationCode, DeviceCode, Interaction, ...)
 * in memory, and, given a path, in one JSON file written atomically a moment
 * after each change, so a restarted sandbox still knows its sessions, grants
 * and tokens. Expired entries are dropped on read and on write.
 *
 * Lookups by user code, session uid and grant id scan the entries: a sandbox
 * holds a few hundred at most, so secondary indexes would only add ways to
 * get out of step.
 *
 * @example
 * ```ts
 * const store = await JsonFileStore.open({ path: join(home, 'state', 'sandbox-store.json') });
 * const provider = new Provider(issuer, { adapter: store.adapterFactory(), ... });
 * // ...
 * await store.close(); // writes what is pending
 * ```
 */
export class JsonFileStore {
  readonly #path: string | undefined;
  readonly #now: () => number;
  readonly #writeDelayMs: number;
  readonly #warn: (message: string) => void;
  readonly #entries = new Map<string, StoredEntry>();
  readonly #values = new Map<string, unknown>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(options: JsonFileStoreOptions) {
    this.#path = options.path;
    this.#now = options.now ?? Date.now;
    this.#writeDelayMs = options.writeDelayMs ?? STORE_WRITE_DELAY_MS;
    this.#warn = options.onWarning ?? (() => undefined);
  }

  /** Creates a store, loading `options.path` when the file exists. */
  static async open(options: JsonFileStoreOptions = {}): Promise<JsonFileStore> {
    const store = new JsonFileStore(options);
    if (store.#path) await store.#load(store.#path);
    return store;
  }

  /** The `adapter` option of oidc-provider: one {@link Adapter} per model name, all backed by this store. */
  adapterFactory(): (model: string) => Adapter {
    return (model) => new ModelAdapter(this, model);
  }

  /**
   * A named value kept with the models (the signing key, cookie keys): the
   * stored one when there is one, else `create()`'s, which is stored.
   */
  remember<T>(name: string, create: () => T): T {
    if (this.#values.has(name)) return this.#values.get(name) as T;
    const value = create();
    this.#values.set(name, value);
    this.#changed();
    return value;
  }

  /** The unexpired entries of `model`, as `[id, payload]` pairs (copies). */
  list(model: string): Array<[string, AdapterPayload]> {
    const prefix = `${model}:`;
    const found: Array<[string, AdapterPayload]> = [];
    for (const key of [...this.#entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      const payload = this.get(key);
      if (payload) found.push([key.slice(prefix.length), payload]);
    }
    return found;
  }

  /** @internal The payload under `key` (a copy), or undefined when absent or expired. */
  get(key: string): AdapterPayload | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.delete(key);
      return undefined;
    }
    // A copy: oidc-provider mutates what it gets, and only upsert/consume may change the store.
    return structuredClone(entry.payload);
  }

  /** @internal */
  set(key: string, payload: AdapterPayload, expiresInSeconds: number | undefined): void {
    const entry: StoredEntry = { payload: structuredClone(payload) };
    if (expiresInSeconds !== undefined) entry.expiresAt = this.#now() + expiresInSeconds * 1000;
    this.#entries.set(key, entry);
    this.#changed();
  }

  /** @internal Marks the payload under `key` consumed, in epoch seconds as oidc-provider expects. */
  consume(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.payload.consumed = Math.floor(this.#now() / 1000);
    this.#changed();
  }

  /** @internal */
  delete(key: string): void {
    if (this.#entries.delete(key)) this.#changed();
  }

  /** Resolves once every change made so far is on disk (at once without a path). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#writing = this.#writing.then(() => this.#write());
    }
    await this.#writing;
  }

  /** Writes what is pending; the store stays usable, but call it last. */
  close(): Promise<void> {
    return this.flush();
  }

  #changed(): void {
    if (!this.#path || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Chained, so two writes never race and the last one holds the latest state.
      this.#writing = this.#writing.then(() => this.#write());
    }, this.#writeDelayMs);
    // A pending write must not keep a process alive that is otherwise done; close() flushes.
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    const path = this.#path as string;
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
    }
    const file: StoreFile = { version: STORE_FILE_VERSION, values: Object.fromEntries(this.#values), entries: Object.fromEntries(this.#entries) };
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFileAtomic(path, `${JSON.stringify(file)}\n`, { mode: 0o600 });
    } catch (err) {
      this.#warn(`could not save the sandbox state to ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async #load(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const file = parseStoreFile(text);
    if (!file) {
      // Starting empty costs the user a sign-in; refusing to start would cost them the sandbox.
      const aside = `${path}.damaged-${this.#now()}`;
      await rename(path, aside);
      this.#warn(`the sandbox state in ${path} was unreadable; moved it to ${aside} and started empty (sign in again)`);
      return;
    }
    // An older sandbox may have left it readable by others: it holds tokens and keys.
    await chmod(path, 0o600);
    for (const [name, value] of Object.entries(file.values)) this.#values.set(name, value);
    const now = this.#now();
    for (const [key, entry] of Object.entries(file.entries)) {
      if (entry.expiresAt === undefined || entry.expiresAt > now) this.#entries.set(key, entry);
    }
  }
}

function parseStoreFile(text: string): StoreFile | undefined {
  try {
    const file = JSON.parse(text) as Partial<StoreFile>;
    const isRecord = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
    return file.version === STORE_FILE_VERSION && isRecord(file.values) && isRecord(file.entries) ? (file as StoreFile) : undefined;
  } catch {
    return undefined; // not JSON: the caller sets the file aside
  }
}

/** The oidc-provider Adapter of one model over a {@link JsonFileStore}. */
class ModelAdapter implements Adapter {
  readonly #store: JsonFileStore;
  readonly #model: string;

  constructor(store: JsonFileStore, model: string) {
    this.#store = store;
    this.#model = model;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.#store.set(this.#key(id), payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.get(this.#key(id));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#store.list(this.#model).find(([, payload]) => payload.userCode === userCode)?.[1];
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#store.list(this.#model).find(([, payload]) => payload.uid === uid)?.[1];
  }

  async consume(id: string): Promise<void> {
    this.#store.consume(this.#key(id));
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, payload] of this.#store.list(this.#model)) {
      if (payload.grantId === grantId) this.#store.delete(this.#key(id));
    }
  }
}
