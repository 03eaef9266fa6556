/** Options of `ProviderEmulator.failNext`. */
export interface FailNextOptions {
  /** How many requests in a row fail; default 1. */
  count?: number;
  /** 429 (default) or 503. */
  status?: 429 | 503;
  /** `Retry-After` in seconds; default 1. */
  retryAfterSeconds?: number;
  /** Which endpoint (`'POST github.com/login/oauth/access_token'`, see `ProviderEmulator.requestCounts`); default the provider's token endpoint. */
  endpoint?: string;
}

/** An injected failure: what the next requests to one endpoint are answered with. */
export interface Fault {
  status: 429 | 503;
  retryAfterSeconds: number;
}

/**
 * The failures a test asked an emulator for (`failNext`): not a documented
 * provider answer, the status and `Retry-After` are what the test asked for.
 */
export class FaultInjector {
  #faults: Array<Fault & { endpoint: string; remaining: number }> = [];

  /**
   * Makes the next `count` requests to `options.endpoint` (default
   * `defaultEndpoint`) fail.
   *
   * @throws {RangeError} for a count, status or Retry-After out of range.
   */
  add(options: FailNextOptions, defaultEndpoint: string): void {
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError('failNext: count must be a positive integer');
    const status = options.status ?? 429;
    if (status !== 429 && status !== 503) throw new RangeError('failNext: status must be 429 or 503');
    const retryAfterSeconds = options.retryAfterSeconds ?? 1;
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) throw new RangeError('failNext: retryAfterSeconds must be a whole number of seconds');
    this.#faults.push({ endpoint: options.endpoint ?? defaultEndpoint, status, retryAfterSeconds, remaining: count });
  }

  /** The failure a request to `endpoint` gets, if one is pending (it is used up), else undefined. */
  take(endpoint: string): Fault | undefined {
    const fault = this.#faults.find((f) => f.endpoint === endpoint && f.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.#faults = this.#faults.filter((f) => f.remaining > 0);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }
}
