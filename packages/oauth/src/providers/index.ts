import { github } from './github.js';
import { google } from './google.js';
import { microsoft } from './microsoft.js';
import { sandbox } from './sandbox.js';
import type { OAuthProvider } from '../provider.js';

export type { MicrosoftProviderOptions } from './microsoft.js';

/**
 * Presets for well-known providers, and `sandbox` for the local one.
 *
 * @example
 * ```ts
 * new OAuthClient({ provider: providers.google, clientId, clientSecret, scopes: ['https://www.googleapis.com/auth/gmail.readonly'], store });
 * new OAuthClient({ provider: providers.microsoft({ tenant: 'organizations' }), clientId, store });
 * ```
 */
export const providers = Object.freeze({ google, github, microsoft, sandbox });

/** The names {@link presetProvider} knows. */
export const PRESET_PROVIDER_NAMES = ['google', 'github', 'microsoft', 'sandbox'] as const;

/** One of {@link PRESET_PROVIDER_NAMES}. */
export type PresetProviderName = (typeof PRESET_PROVIDER_NAMES)[number];

/**
 * The preset called `name` (Microsoft with the `common` tenant), or
 * `undefined` for any other name.
 *
 * @example
 * ```ts
 * presetProvider('github')?.accountApi?.url; // 'https://api.github.com/user'
 * ```
 */
export function presetProvider(name: string): OAuthProvider | undefined {
  switch (name.toLowerCase()) {
    case 'google':
      return google;
    case 'github':
      return github;
    case 'microsoft':
      return microsoft();
    case 'sandbox':
      return sandbox;
    default:
      return undefined;
  }
}
