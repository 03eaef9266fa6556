import type * as KeyringModule from '@napi-rs/keyring';
import type { AsyncEntry as AsyncEntryClass } from '@napi-rs/keyring';
import { SecretStoreError } from './errors.js';

/** The keyring service name: `secret-tool lookup service opperator username NAME` finds our items. */
export const KEYRING_SERVICE = 'opperator';

/** How long the availability probe may take before the keyring counts as unavailable. */
export const KEYRING_PROBE_TIMEOUT_MS = 2_000;

/** How long one keyring read or write may take. */
export const KEYRING_OPERATION_TIMEOUT_MS = 10_000;

/** The account name of the item the probe looks up (never created). */
const PROBE_ACCOUNT = '__opperator_probe__';

/** Why the keyring cannot be used. */
export type KeyringUnavailableReason = 'no-session-bus' | 'no-secret-service' | 'locked' | 'timeout' | 'unsupported-platform' | 'error';

/** Result of probing the keyring. */
export type KeyringAvailability = { available: true } | { available: false; reason: KeyringUnavailableReason; detail: string };

/** Options of {@link KeyringSecretBackend}. */
export interface KeyringBackendOptions {
  platform: NodeJS.Platform;
  /** `DBUS_SESSION_BUS_ADDRESS`, on Linux: without it there is no Secret Service to reach. */
  dbusSessionBusAddress: string | undefined;
}

/**
 * Secrets in the OS keyring (Secret Service on Linux, Keychain on macOS,
 * Credential Manager on Windows) through @napi-rs/keyring, loaded only when
 * first needed. Items are service `opperator`, account = secret name.
 */
export class KeyringSecretBackend {
  readonly kind = 'keyring' as const;
  readonly #options: KeyringBackendOptions;
  #module: Promise<typeof KeyringModule> | undefined;
  #availability: Promise<KeyringAvailability> | undefined;

  constructor(options: KeyringBackendOptions) {
    this.#options = options;
  }

  /** Probes once (a lookup of an item that does not exist, bounded by {@link KEYRING_PROBE_TIMEOUT_MS}) and remembers the answer. */
  availability(): Promise<KeyringAvailability> {
    this.#availability ??= this.#probe();
    return this.#availability;
  }

  /**
   * A thorough check for `opperator doctor`: writes and deletes a probe item,
   * which finds a locked keyring that a lookup alone does not (a lookup of a
   * missing item needs no unlock).
   */
  async checkWritable(): Promise<KeyringAvailability> {
    const availability = await this.availability();
    if (!availability.available) return availability;
    try {
      const entry = await this.#entry(PROBE_ACCOUNT);
      await entry.setPassword('probe', AbortSignal.timeout(KEYRING_PROBE_TIMEOUT_MS));
      await entry.deletePassword(AbortSignal.timeout(KEYRING_PROBE_TIMEOUT_MS));
      return { available: true };
    } catch (err) {
      return classifyKeyringError(err);
    }
  }

  /** Marks the keyring unusable after a failed write (say, the unlock prompt could not be shown). */
  markUnavailable(availability: Extract<KeyringAvailability, { available: false }>): void {
    this.#availability = Promise.resolve(availability);
  }

  async get(name: string): Promise<string | undefined> {
    const entry = await this.#entry(name);
    return (await this.#call('read', () => entry.getPassword(AbortSignal.timeout(KEYRING_OPERATION_TIMEOUT_MS)))) ?? undefined;
  }

  async set(name: string, value: string): Promise<void> {
    const entry = await this.#entry(name);
    await this.#call('write', () => entry.setPassword(value, AbortSignal.timeout(KEYRING_OPERATION_TIMEOUT_MS)));
  }

  /** True when there was an item to delete. */
  async delete(name: string): Promise<boolean> {
    const entry = await this.#entry(name);
    return this.#call('delete', () => entry.deletePassword(AbortSignal.timeout(KEYRING_OPERATION_TIMEOUT_MS)));
  }

  async #probe(): Promise<KeyringAvailability> {
    const { platform, dbusSessionBusAddress } = this.#options;
    if (platform === 'linux' && !dbusSessionBusAddress) {
      return { available: false, reason: 'no-session-bus', detail: 'DBUS_SESSION_BUS_ADDRESS is not set, so there is no D-Bus session bus to reach a Secret Service on' };
    }
    try {
      const entry = await this.#entry(PROBE_ACCOUNT);
      await entry.getPassword(AbortSignal.timeout(KEYRING_PROBE_TIMEOUT_MS));
      return { available: true };
    } catch (err) {
      return classifyKeyringError(err);
    }
  }

  async #entry(name: string): Promise<AsyncEntryClass> {
    this.#module ??= import('@napi-rs/keyring');
    let module: typeof KeyringModule;
    try {
      module = await this.#module;
    } catch (cause) {
      throw new SecretStoreError('SECRET_KEYRING_UNAVAILABLE', `The keyring module could not be loaded on ${this.#options.platform}.`, { cause });
    }
    // Linux: Secret Service only. keyutils would keep secrets in kernel memory, lost at reboot.
    return new module.AsyncEntry(KEYRING_SERVICE, name, this.#options.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const { detail } = classifyKeyringError(err);
      throw new SecretStoreError('SECRET_KEYRING_FAILED', `The keyring refused to ${operation}: ${detail}. Run \`opperator doctor\` for how to fix it.`, { cause: err });
    }
  }
}

/** Turns a keyring error into a reason a user can act on. */
export function classifyKeyringError(err: unknown): Extract<KeyringAvailability, { available: false }> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || /abort|timed? ?out/i.test(message))) {
    return { available: false, reason: 'timeout', detail: 'the keyring did not answer in time' };
  }
  if (/prompt was dismissed|locked/i.test(message)) {
    return { available: false, reason: 'locked', detail: 'the keyring is locked and no unlock prompt could be shown' };
  }
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|session bus|Failed to connect/i.test(message)) {
    return { available: false, reason: 'no-session-bus', detail: 'no D-Bus session bus could be reached' };
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any/i.test(message)) {
    return { available: false, reason: 'no-secret-service', detail: 'no Secret Service (gnome-keyring, KeePassXC, KWallet) is running on the session bus' };
  }
  return { available: false, reason: 'error', detail: `the keyring failed (${message})` };
}

/** How to fix each reason, for `opperator doctor` and warnings. */
export function keyringFix(reason: KeyringUnavailableReason): string {
  switch (reason) {
    case 'no-session-bus':
      return 'run inside a desktop session; on a headless machine or over SSH start a session bus and an unlocked keyring for this shell: `eval $(dbus-launch --sh-syntax)`, then `echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets` (apt install dbus-x11 gnome-keyring), and start the daemon from that shell';
    case 'no-secret-service':
      return 'start a Secret Service with an unlocked keyring: `echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets` (Debian/Ubuntu: apt install gnome-keyring; `--start` alone leaves the keyring locked on a headless machine)';
    case 'locked':
      return 'unlock the keyring, e.g. `echo -n PASSWORD | gnome-keyring-daemon --replace --unlock --components=secrets`, or log in to the desktop';
    case 'timeout':
      return 'check that the Secret Service is responsive (`secret-tool search service opperator`)';
    case 'unsupported-platform':
      return 'use OPPERATOR_SECRET_STORE=file on this platform';
    case 'error':
      return 'see the error above; `secret-tool` can test the Secret Service directly';
  }
}
