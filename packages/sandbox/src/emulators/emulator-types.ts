import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GrantBook } from './grant-book.js';

/** The providers the sandbox can emulate. */
export const EMULATED_PROVIDERS = ['github', 'google', 'microsoft'] as const;

/** One of {@link EMULATED_PROVIDERS}. */
export type EmulatedProvider = (typeof EMULATED_PROVIDERS)[number];

/** A client registered at an emulator, as the sandbox registers its own. `clientSecret` is absent for public clients. */
export interface EmulatorClient {
  clientId: string;
  clientSecret?: string;
  /** The registered redirect (callback) URIs; the sandbox registers `http://127.0.0.1/callback` when a client names none. */
  redirectUris: string[];
}

/** What every emulator is built from (the sandbox's composition root fills it in). */
export interface EmulatorSettings {
  /** The sandbox's origin, `http://127.0.0.1:<port>`; emulated URLs live under `<origin>/emulate/`. */
  origin: string;
  /** The registered apps. */
  clients: EmulatorClient[];
  /** The emulators' clock in milliseconds (expiry, device polling). */
  now: () => number;
  /** Access token lifetime for every emulator; default each provider's documented one. */
  accessTokenTtlSeconds?: number;
  /** Device polling interval announced (and enforced); default each provider's documented one. */
  devicePollIntervalSeconds?: number;
}

/** A route of an emulator: one real host and path, the endpoint name it is counted under. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  host: string;
  /** Matched against the real URL's pathname. */
  path: RegExp;
  /** How requests to it are counted, e.g. `POST github.com/login/oauth/access_token`. */
  endpoint: string;
  handle(call: EmulatedCall, match: RegExpExecArray): Promise<void> | void;
}

/** One request to an emulated host. */
export interface EmulatedCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** The real URL asked for (`https://github.com/...`). */
  url: URL;
}

/** What the parts of one provider's emulator (its flows, its APIs) share. */
export interface EmulatorContext {
  readonly settings: EmulatorSettings;
  /** The provider's grants and the tokens issued under them. */
  readonly grants: GrantBook;
  /** The client registered with this id, if any. */
  client(clientId: string | null | undefined): EmulatorClient | undefined;
}
