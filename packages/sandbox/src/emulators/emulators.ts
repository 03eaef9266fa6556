import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../access-token-check.js';
import { EMULATE_PATH_PREFIX, realUrl } from './emulated-url.js';
import { EMULATED_PROVIDERS, type EmulatedProvider, type EmulatorSettings } from './emulator-types.js';
import { GithubEmulator } from './github-emulator.js';
import { GoogleEmulator } from './google-emulator.js';
import { MicrosoftEmulator } from './microsoft-emulator.js';
import type { ProviderEmulator } from './provider-emulator.js';

/** The emulators a sandbox runs, by provider; only those asked for are present. */
export interface Emulators {
  github?: GithubEmulator;
  google?: GoogleEmulator;
  microsoft?: MicrosoftEmulator;
}

/** Thrown for a provider name the sandbox cannot emulate; `valid` lists the names it can. */
export class UnknownEmulatorError extends Error {
  readonly code = 'SANDBOX_UNKNOWN_EMULATOR';
  readonly valid: readonly EmulatedProvider[] = EMULATED_PROVIDERS;

  constructor(name: string, options?: ErrorOptions) {
    super(`Cannot emulate ${JSON.stringify(name)}: choose from ${EMULATED_PROVIDERS.join(', ')}`, options);
    this.name = 'UnknownEmulatorError';
  }
}

/**
 * Checks provider names (from options or a command line) and drops duplicates.
 *
 * @throws {UnknownEmulatorError} for a name not in {@link EMULATED_PROVIDERS}.
 * @example
 * ```ts
 * parseEmulatedProviders('github, google'); // ['github', 'google']
 * ```
 */
export function parseEmulatedProviders(names: string | readonly string[]): EmulatedProvider[] {
  const list = typeof names === 'string' ? names.split(',') : names;
  const chosen: EmulatedProvider[] = [];
  for (const raw of list) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (!(EMULATED_PROVIDERS as readonly string[]).includes(name)) throw new UnknownEmulatorError(raw.trim());
    if (!chosen.includes(name as EmulatedProvider)) chosen.push(name as EmulatedProvider);
  }
  return chosen;
}

/**
 * Builds the emulators of `providers`, all sharing the sandbox's settings.
 *
 * @example
 * ```ts
 * const emulators = createEmulators(['github'], { origin, clients, now: Date.now });
 * ```
 */
export function createEmulators(providers: readonly EmulatedProvider[], settings: EmulatorSettings & { githubClients?: EmulatorSettings['clients'] }): Emulators {
  const emulators: Emulators = {};
  if (providers.includes('github')) emulators.github = new GithubEmulator({ ...settings, clients: settings.githubClients ?? settings.clients });
  if (providers.includes('google')) emulators.google = new GoogleEmulator(settings);
  if (providers.includes('microsoft')) emulators.microsoft = new MicrosoftEmulator(settings);
  return emulators;
}

/**
 * The emulators that run, in the order of {@link EMULATED_PROVIDERS}.
 *
 * @example
 * ```ts
 * listEmulators(server.emulators).map((e) => e.provider); // ['github', 'microsoft']
 * ```
 */
export function listEmulators(emulators: Emulators): ProviderEmulator[] {
  return [emulators.github, emulators.google, emulators.microsoft].filter((e): e is NonNullable<typeof e> => e !== undefined);
}

/**
 * Serves `<origin>/emulate/<host>/...` with the emulator of that host;
 * returns false for other paths. A host nobody emulates gets a 404 naming
 * what is emulated.
 *
 * @example
 * ```ts
 * if (await handleEmulatedRequest(req, res, issuer, emulators)) return;
 * ```
 */
export async function handleEmulatedRequest(req: IncomingMessage, res: ServerResponse, origin: string, emulators: Emulators): Promise<boolean> {
  const path = req.url ?? '/';
  if (!path.startsWith(EMULATE_PATH_PREFIX)) return false;
  const real = realUrl(origin, `${origin}${path}`);
  let url: URL | undefined;
  try {
    url = real ? new URL(real) : undefined;
  } catch {
    url = undefined; // an unparseable host is answered like an unknown one
  }
  const emulator = url && listEmulators(emulators).find((e) => e.hosts.includes(url.host));
  if (!url || !emulator) {
    const hosts = listEmulators(emulators).flatMap((e) => e.hosts);
    sendJson(res, 404, {
      error: 'not_emulated',
      error_description: hosts.length ? `This host is not emulated; emulated hosts: ${hosts.join(', ')}` : 'No provider is emulated; start the sandbox with emulate (e.g. --emulate github,google,microsoft).',
    });
    return true;
  }
  await emulator.handle(req, res, url);
  return true;
}
