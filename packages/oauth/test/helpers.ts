import { connect } from 'node:net';
import type { AuthorizeProgressEvent } from '../src/index.js';

/** Resolves true when nothing accepts connections on 127.0.0.1:port. */
export function isPortClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Collects progress events and lets a test wait for one. */
export class ProgressRecorder {
  readonly events: AuthorizeProgressEvent[] = [];
  readonly #waiters: Array<{ type: string; resolve: (event: AuthorizeProgressEvent) => void }> = [];

  readonly onProgress = (event: AuthorizeProgressEvent): void => {
    this.events.push(event);
    for (const waiter of this.#waiters.filter((w) => w.type === event.type)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  };

  /** The first event of `type`, now or when it arrives. */
  next<T extends AuthorizeProgressEvent['type']>(type: T): Promise<Extract<AuthorizeProgressEvent, { type: T }>> {
    const seen = this.events.find((e) => e.type === type);
    if (seen) return Promise.resolve(seen as Extract<AuthorizeProgressEvent, { type: T }>);
    return new Promise((resolve) => this.#waiters.push({ type, resolve: resolve as (event: AuthorizeProgressEvent) => void }));
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

/** The `state` and `redirect_uri` of an authorization URL, as a provider would read them. */
export function readAuthorizationRequest(authorizationUrl: string): { state: string; redirectUri: string } {
  const params = new URL(authorizationUrl).searchParams;
  return { state: params.get('state') ?? '', redirectUri: params.get('redirect_uri') ?? '' };
}

/** What undici's fetch throws when the connection is refused: a TypeError whose cause carries the system code. */
export function refusedConnection(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }) });
}
