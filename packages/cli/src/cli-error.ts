/**
 * Exit codes of `opperator`, stable and documented in docs/cli.md. A command
 * ended by SIGINT or SIGTERM exits 130 or 143 (`signalExitCode` in interrupt.ts).
 */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  /** Anything unexpected, I/O errors, a keyring that failed mid-operation. */
  failure: 1,
  /** Bad arguments, names, values or environment variables. */
  usage: 2,
  /** The named thing (secret, ...) does not exist, or its value is gone. */
  notFound: 3,
  /** It already exists (`secret create`). */
  conflict: 4,
  /** The required backend (keyring with OPPERATOR_SECRET_STORE=keyring) cannot be used, or the daemon / agent is not running. */
  unavailable: 5,
  /** The agent ran the command and it failed (`agent invoke`). */
  commandFailed: 6,
});

/** Kinds of CLI failure, each with its exit code. */
export type CliErrorKind = Exclude<keyof typeof EXIT_CODES, 'ok'>;

/** An error the CLI reports as it is, with the exit code of its kind. */
export class CliError extends Error {
  readonly kind: CliErrorKind;

  constructor(kind: CliErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.kind = kind;
  }
}
