/** A pending device authorization (RFC 8628), as every emulator keeps one. */
export interface DeviceAuthorization {
  deviceCode: string;
  /** As shown to the user (GitHub `WDJB-MJHT`, Google `GQVQ-JKEC`, Entra `BPPVYQZMA`). */
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  /** Seconds the client must wait between polls; grows by 5 on each `slow_down`. */
  intervalSeconds: number;
  lastPollAt?: number;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  account?: string;
  /** Whether the consent page was shown (Google issues refresh tokens only then). */
  consentShown?: boolean;
}

/** Device authorizations by device code and by user code. */
export class DeviceBook {
  readonly #byDeviceCode = new Map<string, DeviceAuthorization>();

  add(device: DeviceAuthorization): DeviceAuthorization {
    this.#byDeviceCode.set(device.deviceCode, device);
    return device;
  }

  byDeviceCode(code: string | null | undefined): DeviceAuthorization | undefined {
    return code ? this.#byDeviceCode.get(code) : undefined;
  }

  /** Finds by user code, ignoring case, spaces and hyphens as users type them. */
  byUserCode(typed: string): DeviceAuthorization | undefined {
    const wanted = normalizeUserCode(typed);
    if (!wanted) return undefined;
    return [...this.#byDeviceCode.values()].find((d) => normalizeUserCode(d.userCode) === wanted);
  }

  /**
   * The RFC 8628 polling check shared by the emulators: `slow_down` (interval
   * grows by 5 s) when polled sooner than the interval since the last poll
   * (unless `slowDown` is false, for providers that document none),
   * otherwise the state to answer.
   */
  poll(device: DeviceAuthorization, now: number, options: { slowDown?: boolean } = {}): 'expired' | 'slow_down' | 'pending' | 'denied' | 'approved' | 'redeemed' {
    if (device.status === 'redeemed') return 'redeemed';
    if (device.expiresAt <= now) return 'expired';
    const last = device.lastPollAt;
    device.lastPollAt = now;
    if (options.slowDown !== false && device.status === 'pending' && last !== undefined && now - last < device.intervalSeconds * 1000) {
      device.intervalSeconds += 5;
      return 'slow_down';
    }
    return device.status;
  }
}

function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
