import type { WireError } from '@opperator/protocol';

/**
 * Stable error codes of `@opperator/sdk`. Callers branch on these, never on
 * message text.
 *
 * @example
 * ```ts
 * const retryable = (code: SdkErrorCode) => code === 'SDK_SECRET_TIMEOUT';
 * ```
 */
export type SdkErrorCode =
  /** An SDK method was given something that cannot work (bad name, bad interval). */
  | 'SDK_INVALID_ARGUMENT'
  /** The agent is not connected to a runtime yet (called from the constructor). */
  | 'SDK_NOT_ATTACHED'
  /** The entry file has no default export that extends `Agent`. */
  | 'SDK_INVALID_ENTRY'
  /** The daemon has no secret of that name: `opperator secret set NAME`. */
  | 'SDK_SECRET_NOT_FOUND'
  /** The agent may not read that secret: it is missing from the agent's `secrets:` list in agents.yaml. */
  | 'SDK_SECRET_ACCESS_DENIED'
  /** The daemon could not read the secret (keyring locked, store unreadable). */
  | 'SDK_SECRET_UNAVAILABLE'
  /** The daemon did not answer the secret request in time, or the agent is stopping. */
  | 'SDK_SECRET_TIMEOUT';

/**
 * The base error of `@opperator/sdk`, with a stable `code`.
 *
 * @example
 * ```ts
 * try { agent.every(0, poll); }
 * catch (err) { if (err instanceof SdkError && err.code === 'SDK_INVALID_ARGUMENT') console.error(err.message); }
 * ```
 */
export class SdkError extends Error {
  /** Stable machine-readable code. */
  readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SdkError';
    this.code = code;
  }
}

/**
 * The codes a {@link SecretError} can carry.
 *
 * @example
 * ```ts
 * const missing = (code: SecretErrorCode) => code === 'SDK_SECRET_NOT_FOUND';
 * ```
 */
export type SecretErrorCode = Extract<SdkErrorCode, `SDK_SECRET_${string}`>;

/**
 * `getSecret` failed. The message names the secret and the command that fixes
 * it (`opperator secret set NAME`, or the agent's `secrets:` list in
 * agents.yaml when access was denied). It never contains a secret value.
 *
 * @example
 * ```ts
 * try { this.clientId = await this.getSecret('gmail_client_id'); }
 * catch (err) {
 *   if (err instanceof SecretError) this.logError(err.message); // "... Set it with: opperator secret set gmail_client_id"
 *   else throw err;
 * }
 * ```
 */
export class SecretError extends SdkError {
  /** The secret that was asked for. */
  readonly secretName: string;
  /** The daemon's code for the failure, when it sent one. */
  readonly daemonCode?: string;

  constructor(code: SecretErrorCode, secretName: string, message: string, options?: { cause?: unknown; daemonCode?: string }) {
    super(code, message, options);
    this.name = 'SecretError';
    this.secretName = secretName;
    if (options?.daemonCode !== undefined) this.daemonCode = options.daemonCode;
  }
}

/**
 * Turns the daemon's refusal into a {@link SecretError} with the fix in its
 * message. The daemon's codes are matched loosely (`..._NOT_FOUND`,
 * `..._DENIED`) so that its naming can evolve without breaking agents.
 *
 * @example
 * ```ts
 * secretErrorFromWire('api_key', { code: 'SECRET_NOT_FOUND', message: 'no such secret' }).code; // 'SDK_SECRET_NOT_FOUND'
 * ```
 */
export function secretErrorFromWire(secretName: string, error: WireError): SecretError {
  const name = JSON.stringify(secretName);
  const fix = `opperator secret set ${secretName}`;
  const options = error.code === undefined ? {} : { daemonCode: error.code };
  const code = error.code ?? '';
  if (/NOT_FOUND|VALUE_MISSING|MISSING/.test(code)) {
    return new SecretError('SDK_SECRET_NOT_FOUND', secretName, `Secret ${name} is not set. Set it with: ${fix}`, options);
  }
  if (/DENIED|FORBIDDEN|NOT_ALLOWED|UNAUTHORI[SZ]ED/.test(code)) {
    return new SecretError(
      'SDK_SECRET_ACCESS_DENIED',
      secretName,
      `This agent may not read secret ${name}: add it to the agent's secrets: list in agents.yaml and restart the agent (the value itself is set with: ${fix})`,
      options,
    );
  }
  return new SecretError('SDK_SECRET_UNAVAILABLE', secretName, `Could not read secret ${name}: ${error.message}. If it is not set yet: ${fix}`, options);
}

/**
 * The text of anything thrown, for a wire message or a log line (never the stack).
 *
 * @example
 * ```ts
 * messageOf(new Error('boom')); // 'boom'
 * ```
 */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    // A thrown value JSON cannot carry (a cycle, a BigInt): its String() form is all we have.
    return String(err);
  }
}
