import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../access-token-check.js';
import { emulatedUrl } from './emulated-url.js';
import type { EmulatedProvider, EmulatorClient, EmulatorContext, EmulatorSettings, Route } from './emulator-types.js';
import { FaultInjector, type FailNextOptions } from './fault-injection.js';
import { GrantBook, type AccountSelector } from './grant-book.js';

/**
 * The base of each provider emulator: routing by real host and path,
 * request counts per endpoint, injected failures (429/503 with
 * `Retry-After`), and the shared grant book. Subclasses declare their
 * routes and provider-specific wire behaviour.
 */
export abstract class ProviderEmulator {
  /** Which provider this is. */
  abstract readonly provider: EmulatedProvider;
  /** The real hosts this emulator serves. */
  abstract readonly hosts: readonly string[];
  /** Endpoint that {@link failNext} targets by default. */
  protected abstract readonly tokenEndpoint: string;
  protected readonly settings: EmulatorSettings;
  protected readonly grants: GrantBook;
  /** What this emulator's parts (flows, APIs) are given. */
  protected readonly context: EmulatorContext;
  readonly #counts = new Map<string, number>();
  readonly #faults = new FaultInjector();
  #routes: Route[] | undefined;

  constructor(settings: EmulatorSettings) {
    this.settings = settings;
    this.grants = new GrantBook(settings.now);
    this.context = { settings, grants: this.grants, client: (clientId) => this.client(clientId) };
  }

  /** The routes, built once. */
  protected abstract routes(): Route[];

  /** The real base URLs of this provider, each as served here (for `sandbox status`). */
  abstract baseUrls(): Record<string, string>;

  /** `realUrl` under this sandbox's origin. */
  protected emulated(realUrl: string): string {
    return emulatedUrl(this.settings.origin, realUrl);
  }

  /** Answers a request for one of {@link hosts}; 404 for paths it does not emulate, 405 for other methods. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.#routes ??= this.routes();
    const candidates = this.#routes.flatMap((route) => {
      if (route.host !== url.host) return [];
      const match = route.path.exec(url.pathname);
      return match ? [{ route, match }] : [];
    });
    const hit = candidates.find(({ route }) => route.method === req.method);
    if (!hit) {
      if (candidates.length) {
        res.setHeader('Allow', [...new Set(candidates.map(({ route }) => route.method))].join(', '));
        sendJson(res, 405, { error: 'method_not_allowed', error_description: `${req.method ?? ''} is not allowed here` });
      } else {
        sendJson(res, 404, { error: 'not_emulated', error_description: `The ${this.provider} emulator does not serve ${url.host}${url.pathname}` });
      }
      return;
    }
    this.#counts.set(hit.route.endpoint, (this.#counts.get(hit.route.endpoint) ?? 0) + 1);
    const fault = this.#faults.take(hit.route.endpoint);
    if (fault) {
      // Injected by a test (failNext), not a documented provider answer: the status and Retry-After are what the test asked for.
      sendJson(res, fault.status, this.faultBody(fault.status), { 'Retry-After': String(fault.retryAfterSeconds) });
      return;
    }
    await hit.route.handle({ req, res, url }, hit.match);
  }

  /** The JSON body of an injected 429/503, in the provider's error shape. */
  protected abstract faultBody(status: 429 | 503): unknown;

  /**
   * Answers the next `count` requests to an endpoint (default the token
   * endpoint) with `status` and `Retry-After`, before any other check; the
   * requests are counted.
   *
   * @example
   * ```ts
   * server.emulators.google!.failNext({ count: 2, status: 503, retryAfterSeconds: 3 });
   * ```
   */
  failNext(options: FailNextOptions = {}): void {
    this.#faults.add(options, this.tokenEndpoint);
  }

  /**
   * How many requests an endpoint received since start (or the last
   * {@link resetRequestCounts}), e.g. `requestCount('POST oauth2.googleapis.com/token')`.
   *
   * @example
   * ```ts
   * expect(server.emulators.github!.requestCount('POST github.com/login/oauth/access_token')).toBe(1);
   * ```
   */
  requestCount(endpoint: string): number {
    return this.#counts.get(endpoint) ?? 0;
  }

  /**
   * Every endpoint's request count, keyed `METHOD host/path`.
   *
   * @example
   * ```ts
   * console.log(server.emulators.microsoft!.requestCounts());
   * ```
   */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /**
   * Forgets the request counts.
   *
   * @example
   * ```ts
   * server.emulators.google!.resetRequestCounts();
   * ```
   */
  resetRequestCounts(): void {
    this.#counts.clear();
  }

  /**
   * Revokes the grants of one account (or all), as a user removing the app
   * in the provider's account settings; returns how many went. What the app
   * sees next is each provider's documented answer to a dead grant.
   *
   * @example
   * ```ts
   * server.emulators.github!.revokeGrants({ account: 'alice' });
   * ```
   */
  revokeGrants(selector: AccountSelector = {}): number {
    return this.grants.revoke(selector, 'revoked');
  }

  /**
   * Makes the access tokens of one account (or all) expired now, so the
   * next API call is refused and the app must refresh; returns how many.
   *
   * @example
   * ```ts
   * server.emulators.google!.expireAccessTokens({ account: 'alice' });
   * ```
   */
  expireAccessTokens(selector: AccountSelector = {}): number {
    return this.grants.expireAccessTokens(selector);
  }

  /** The client registered with this id, if any. */
  protected client(clientId: string | null | undefined): EmulatorClient | undefined {
    return clientId ? this.settings.clients.find((c) => c.clientId === clientId) : undefined;
  }
}
