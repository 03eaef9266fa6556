import { OAuthError } from '@opperator/oauth';
import { Redis, type RedisOptions } from 'ioredis';

/** How long connecting, or one command, may take before it fails with `OAUTH_STORE_UNAVAILABLE`. */
export const DEFAULT_REDIS_TIMEOUT_MS = 2_000;

/** The longest pause between reconnection attempts while Redis is down: how late a store notices that Redis is back. */
export const RECONNECT_MAX_DELAY_MS = 1_000;

/** Where to connect: a URL, or a client the caller built and owns. */
export type RedisTarget = { url: string | URL; redis?: RedisOptions; timeoutMs?: number } | { client: Redis };

/**
 * One Redis connection as a token store uses it: commands fail fast with
 * `OAUTH_STORE_UNAVAILABLE` while Redis is unreachable, instead of queueing
 * until it returns, while ioredis keeps reconnecting in the background; and
 * no error, message or description ever carries the credentials or a
 * command's arguments (which hold tokens).
 */
export class RedisConnection {
  /** `redis://host:port/db`, never with credentials. */
  readonly location: string;
  readonly #client: Redis;
  /** We built the client, so we close it; a client the caller passed stays theirs. */
  readonly #owned: boolean;
  readonly #timeoutMs: number;
  #lastError: string | undefined;
  /** One wait for the connection under way, shared by every caller (not a listener pair each). */
  #readying: Promise<void> | undefined;
  readonly #onError = (err: Error) => {
    // Without a listener, an 'error' event would crash the agent. The
    // message names the host and the failure (ECONNREFUSED), never a secret.
    this.#lastError = err.message;
  };
  readonly #onReady = () => {
    this.#lastError = undefined;
  };

  constructor(target: RedisTarget) {
    if ('client' in target) {
      this.#client = target.client;
      this.#owned = false;
      this.#timeoutMs = target.client.options.connectTimeout ?? DEFAULT_REDIS_TIMEOUT_MS;
    } else {
      this.#timeoutMs = target.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
      this.#client = new Redis(String(target.url), {
        // Fail fast: a command while disconnected is refused at once (no
        // offline queue), one in flight when the connection drops is not
        // resent, and none waits longer than the timeout. Callers get
        // OAUTH_STORE_UNAVAILABLE; the OAuth client keeps serving the valid
        // tokens it holds.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        connectTimeout: this.#timeoutMs,
        commandTimeout: this.#timeoutMs,
        // Nothing happens on the network until the store is first used.
        lazyConnect: true,
        // Keep reconnecting for ever, at most a second apart, so the store is
        // back within about a second of Redis.
        retryStrategy: (attempt) => Math.min(attempt * 100, RECONNECT_MAX_DELAY_MS),
        ...target.redis,
      });
      this.#owned = true;
    }
    this.#client.on('error', this.#onError);
    this.#client.on('ready', this.#onReady);
    this.location = describeRedisLocation(this.#client, 'url' in target ? target.url : undefined);
  }

  /**
   * Runs one command (or script) against Redis once it is connected. `what`
   * says what it was for, in messages ("read the record mail/gmail").
   */
  async run<T>(what: string, command: (client: Redis) => Promise<T>): Promise<T> {
    await this.#connected(what);
    try {
      return await command(this.#client);
    } catch (err) {
      throw this.#translate(what, err);
    }
  }

  /** Quits our connection (sending QUIT when connected); a client the caller passed is left open. */
  async close(): Promise<void> {
    if (this.#owned) {
      if (this.#client.status === 'ready') {
        await this.#client.quit().catch(() => {
          // The connection dropped meanwhile: disconnect() below ends it for good either way.
        });
      }
      this.#client.disconnect();
      // Our listeners stay: a reply still in flight (a refused AUTH) can
      // emit 'error' after the disconnect, and ioredis would print it.
      return;
    }
    this.#client.off('error', this.#onError);
    this.#client.off('ready', this.#onReady);
  }

  /** Connects on first use; waits for a connection attempt under way; refuses at once while Redis is known to be down. */
  async #connected(what: string): Promise<void> {
    const client = this.#client;
    switch (client.status) {
      case 'ready':
        return;
      case 'wait':
        await withTimeout(client.connect(), this.#timeoutMs).catch((err: unknown) => {
          throw this.#unavailable(what, err);
        });
        return;
      case 'connecting':
      case 'connect':
        this.#readying ??= onceReady(client).finally(() => {
          this.#readying = undefined;
        });
        await withTimeout(this.#readying, this.#timeoutMs).catch((err: unknown) => {
          throw this.#unavailable(what, err);
        });
        return;
      case 'end':
        throw new OAuthError('OAUTH_STORE_UNAVAILABLE', `Cannot ${what}: the connection to ${this.location} is closed.`);
      default:
        // 'reconnecting' or 'close': the last attempt failed and ioredis
        // retries on its own timer. Failing now, instead of waiting for it,
        // is what keeps an outage from stalling callers.
        throw this.#unavailable(what);
    }
  }

  #translate(what: string, err: unknown): unknown {
    // Programming errors are ours to see, not an outage.
    if (err instanceof TypeError || err instanceof RangeError || err instanceof OAuthError) return err;
    if (err instanceof Error && err.name === 'ReplyError') {
      // Redis answered with an error (WRONGPASS, NOPERM, READONLY, OOM): its
      // first word is Redis's own error code.
      return new OAuthError('OAUTH_STORE_UNAVAILABLE', `Cannot ${what}: ${this.location} answered ${JSON.stringify(err.message)}.`, { cause: safeCause(err) });
    }
    return this.#unavailable(what, err);
  }

  #unavailable(what: string, err?: unknown): OAuthError {
    // ioredis rejects with a bare "Connection is closed."; the 'error' event
    // before it said why (ECONNREFUSED, WRONGPASS).
    const reasons = [...new Set([err instanceof Error ? err.message : undefined, this.#lastError].filter((reason) => reason !== undefined))];
    const why = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
    return new OAuthError('OAUTH_STORE_UNAVAILABLE', `Cannot ${what}: Redis at ${this.location} is not available${why}. Tokens already held are served until they expire; the connection is retried in the background.`, err === undefined ? {} : { cause: safeCause(err) });
  }
}

/**
 * `redis://host:port/db` for messages: scheme, host, port and database
 * only. Credentials (in the URL or in options) and the query (which may
 * carry a password) never appear.
 */
export function describeRedisLocation(client: Redis, url: string | URL | undefined): string {
  const { host = '127.0.0.1', port = 6379, db = 0, tls } = client.options;
  let scheme = tls ? 'rediss' : 'redis';
  if (url !== undefined && /^rediss:/i.test(String(url))) scheme = 'rediss';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${hostPart}:${port}/${db}`;
}

/**
 * ioredis errors keep the failed command and its arguments (a record text
 * holds tokens; AUTH's holds the password), and any logger printing `cause`
 * would print them. The cause forwarded keeps the name, message and code.
 */
function safeCause(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const copy = new Error(err.message);
  copy.name = err.name;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

function onceReady(client: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      client.off('ready', onReady);
      reject(new Error('the connection closed before it was ready'));
    };
    client.once('ready', onReady);
    client.once('close', onClose);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
