import type { AgentToDaemon, DaemonToAgent } from '@opperator/protocol';
import { SecretError, secretErrorFromWire } from './errors.js';

/**
 * How long a secret request waits for the daemon before failing with SDK_SECRET_TIMEOUT.
 *
 * @example
 * ```ts
 * new AgentRuntime(agent, { ...streams, agentName, agentDir, secretTimeoutMs: SECRET_TIMEOUT_MS / 2 });
 * ```
 */
export const SECRET_TIMEOUT_MS = 30_000;

type SecretResponse = Extract<DaemonToAgent, { type: 'secret_response' }>;

interface Pending {
  name: string;
  resolve: (value: string) => void;
  reject: (err: SecretError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Secret requests in flight: each `secret_request` gets an id, and the
 * matching `secret_response` settles it. A daemon that never answers cannot
 * hang the agent: requests time out.
 *
 * @example
 * ```ts
 * const secrets = new SecretRequests(send, { timeoutMs: 5_000 });
 * const value = await secrets.request('gmail_client_id'); // settled by secrets.settle(response)
 * ```
 */
export class SecretRequests {
  readonly #send: (message: AgentToDaemon) => void;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();
  #counter = 0;

  constructor(send: (message: AgentToDaemon) => void, options: { timeoutMs?: number } = {}) {
    this.#send = send;
    this.#timeoutMs = options.timeoutMs ?? SECRET_TIMEOUT_MS;
  }

  /** Asks the daemon for a secret. */
  request(name: string): Promise<string> {
    const requestId = `secret-${++this.#counter}`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new SecretError('SDK_SECRET_TIMEOUT', name, `The daemon did not answer the request for secret ${JSON.stringify(name)} within ${this.#timeoutMs} ms; is it running? (opperator daemon status)`));
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(requestId, { name, resolve, reject, timer });
      this.#send({ type: 'secret_request', requestId, name });
    });
  }

  /** Settles the request a response answers; false when none is waiting for it. */
  settle(response: SecretResponse): boolean {
    const pending = this.#pending.get(response.requestId);
    if (!pending) return false;
    this.#pending.delete(response.requestId);
    clearTimeout(pending.timer);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(secretErrorFromWire(pending.name, response.error));
    return true;
  }

  /** Fails every waiting request (the agent is stopping). */
  rejectAll(reason: string): void {
    for (const [requestId, pending] of this.#pending) {
      this.#pending.delete(requestId);
      clearTimeout(pending.timer);
      pending.reject(new SecretError('SDK_SECRET_TIMEOUT', pending.name, `Secret ${JSON.stringify(pending.name)} was not read: ${reason}`));
    }
  }
}
