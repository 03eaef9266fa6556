import { missingScopes } from './scope-match.js';
import type { ProviderQuirks } from './provider-quirks.js';
import type { StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';

/** What {@link exclusiveSignIn} needs to know about the sign-in. */
export interface ExclusiveSignInSettings {
  store: TokenStore;
  clientId: string;
  /** The scopes this sign-in is for: another sign-in's tokens are adopted only when they hold them all. */
  wantedScopes: readonly string[];
  quirks?: ProviderQuirks | undefined;
  now: () => number;
  signal?: AbortSignal | undefined;
  /** Called once when another sign-in of this grant is under way and this one starts waiting for it. */
  onWait?: () => void;
}

/** How a sign-in ended: its own tokens, or those of the sign-in it waited for. */
export interface ExclusiveSignInResult {
  tokens: StoredTokens;
  adopted: boolean;
}

/**
 * One sign-in at a time per grant, across every process sharing the store
 * (two agents on one token file, a second `authorize_…` elsewhere). Under the
 * store's sign-in lock, `signIn` runs as usual. A sign-in that had to wait
 * adopts the tokens the other one saved, when they were made by a sign-in
 * after this one began, belong to this client and hold the wanted scopes;
 * otherwise (the other was cancelled, or asked for less) it runs its own.
 * Stores without a sign-in lock run `signIn` directly.
 */
export async function exclusiveSignIn(settings: ExclusiveSignInSettings, signIn: () => Promise<StoredTokens>): Promise<ExclusiveSignInResult> {
  const lock = settings.store.withSignInLock?.bind(settings.store);
  if (!lock) return { tokens: await signIn(), adopted: false };
  const began = settings.now();
  let waited = false;
  return lock(
    async () => {
      const adopted = waited ? await adoptable(settings, began) : undefined;
      return adopted ? { tokens: adopted, adopted: true } : { tokens: await signIn(), adopted: false };
    },
    {
      ...(settings.signal ? { signal: settings.signal } : {}),
      onWait: () => {
        waited = true;
        settings.onWait?.();
      },
    },
  );
}

async function adoptable(settings: ExclusiveSignInSettings, began: number): Promise<StoredTokens | undefined> {
  // A token file the other sign-in left unreadable is not adopted: this sign-in replaces it.
  const tokens = await settings.store.load().catch(() => undefined);
  if (!tokens || tokens.clientId !== settings.clientId || tokens.reauthorizationRequired) return undefined;
  if (tokens.signedInAt === undefined || tokens.signedInAt < began) return undefined;
  const context = { hasRefreshToken: tokens.refreshToken !== undefined, ...(settings.quirks ? { quirks: settings.quirks } : {}) };
  return missingScopes(settings.wantedScopes, tokens.scopes, context).length === 0 ? tokens : undefined;
}
