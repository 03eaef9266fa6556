import { randomBytes } from 'node:crypto';

/** Picks accounts for a control; without `account`, every account. The account id is the name typed on the sign-in page. */
export interface AccountSelector {
  account?: string;
}

/** A user's authorization of one app: what the provider keeps until the user removes it. */
export interface Grant {
  id: string;
  account: string;
  clientId: string;
  /** Scopes the user consented to. */
  scopes: Set<string>;
  /** Set when the grant died; kept so providers can tell "revoked" from "unknown". */
  dead?: 'revoked' | 'inactive';
  /** The next refresh must answer "MFA required" (Entra, Google reauth) until the user signs in again. */
  mfaRequired?: boolean;
  /** The next refresh must answer "consent required" (Entra) until the user consents again. */
  consentRequired?: boolean;
}

/** An access token the emulator issued. */
export interface IssuedAccessToken {
  token: string;
  grantId: string;
  scopes: string[];
  /** Absent for tokens that never expire (GitHub OAuth apps). */
  expiresAt?: number;
  /** Provider-specific kind, e.g. GitHub's `oauth-app` / `github-app`. */
  kind?: string;
  dead?: boolean;
}

/** A refresh token the emulator issued. */
export interface IssuedRefreshToken {
  token: string;
  grantId: string;
  scopes: string[];
  expiresAt?: number;
  /** Single-use tokens (GitHub) are marked used instead of deleted, so a replay is told apart. */
  used?: boolean;
  /** Whether the grant came from the device flow (GitHub Apps then need no client secret to refresh). */
  fromDeviceFlow?: boolean;
  /** The access token issued with it (GitHub kills that one when the refresh token is used). */
  pairedAccess?: string;
}

/** Grants and the tokens issued under them, shared by the three emulators. */
export class GrantBook {
  readonly #now: () => number;
  readonly #grants = new Map<string, Grant>();
  readonly #access = new Map<string, IssuedAccessToken>();
  readonly #refresh = new Map<string, IssuedRefreshToken>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The live grant of `account` for `clientId`, if there is one. */
  live(account: string, clientId: string): Grant | undefined {
    return [...this.#grants.values()].find((g) => g.account === account && g.clientId === clientId && !g.dead);
  }

  /** The live grant (created when missing) with `scopes` added; a fresh interactive sign-in clears MFA and consent demands. */
  consent(account: string, clientId: string, scopes: Iterable<string>): Grant {
    let grant = this.live(account, clientId);
    if (!grant) {
      grant = { id: randomBytes(12).toString('hex'), account, clientId, scopes: new Set() };
      this.#grants.set(grant.id, grant);
    }
    for (const scope of scopes) grant.scopes.add(scope);
    delete grant.mfaRequired;
    delete grant.consentRequired;
    return grant;
  }

  /** Whether `account` has a live grant for `clientId` that covers every one of `scopes` (so no consent page is needed). */
  covers(account: string, clientId: string, scopes: Iterable<string>): boolean {
    const grant = this.live(account, clientId);
    return !!grant && [...scopes].every((scope) => grant.scopes.has(scope));
  }

  grant(id: string): Grant | undefined {
    return this.#grants.get(id);
  }

  /** Records an access token. */
  addAccess(token: IssuedAccessToken): IssuedAccessToken {
    this.#access.set(token.token, token);
    return token;
  }

  /** Records a refresh token. */
  addRefresh(token: IssuedRefreshToken): IssuedRefreshToken {
    this.#refresh.set(token.token, token);
    return token;
  }

  /**
   * The access token with its grant when it is usable: known, not expired,
   * not killed; a dead grant kills it unless `survivesRevocation` (Entra's
   * self-contained JWTs stay valid until they expire).
   */
  usableAccess(token: string, options: { survivesRevocation?: boolean } = {}): { token: IssuedAccessToken; grant: Grant } | undefined {
    const record = this.#access.get(token);
    if (!record || record.dead) return undefined;
    if (record.expiresAt !== undefined && record.expiresAt <= this.#now()) return undefined;
    const grant = this.#grants.get(record.grantId);
    if (!grant || (grant.dead && !options.survivesRevocation)) return undefined;
    return { token: record, grant };
  }

  /** The refresh token record (even used or under a dead grant), so providers can answer each case as documented. */
  refreshToken(token: string): { token: IssuedRefreshToken; grant: Grant | undefined } | undefined {
    const record = this.#refresh.get(token);
    return record ? { token: record, grant: this.#grants.get(record.grantId) } : undefined;
  }

  /** Kills every access token of a grant (GitHub's rotation and revocation). */
  killAccessTokens(grantId: string, except?: string): void {
    for (const record of this.#access.values()) if (record.grantId === grantId && record.token !== except) record.dead = true;
  }

  /** Kills one access token. */
  killAccess(token: string): boolean {
    const record = this.#access.get(token);
    if (!record || record.dead) return false;
    record.dead = true;
    return true;
  }

  /** Kills a grant and everything issued under it. */
  kill(grantId: string, reason: 'revoked' | 'inactive'): void {
    const grant = this.#grants.get(grantId);
    if (!grant || grant.dead) return;
    grant.dead = reason;
  }

  /** Kills the selected accounts' live grants; returns how many. */
  revoke(selector: AccountSelector, reason: 'revoked' | 'inactive'): number {
    const chosen = this.select(selector);
    for (const grant of chosen) this.kill(grant.id, reason);
    return chosen.length;
  }

  /** Sets a demand (MFA, consent) on the selected accounts' live grants, which their next refresh must answer; returns how many. */
  demand(selector: AccountSelector, what: 'mfaRequired' | 'consentRequired'): number {
    const chosen = this.select(selector);
    for (const grant of chosen) grant[what] = true;
    return chosen.length;
  }

  /** The selected accounts' live grants. */
  select(selector: AccountSelector): Grant[] {
    return [...this.#grants.values()].filter((g) => !g.dead && (selector.account === undefined || g.account === selector.account));
  }

  /** Expires the selected accounts' access tokens now; returns how many. */
  expireAccessTokens(selector: AccountSelector): number {
    const grantIds = new Set(this.select(selector).map((g) => g.id));
    let count = 0;
    for (const record of this.#access.values()) {
      if (!grantIds.has(record.grantId) || record.dead) continue;
      record.expiresAt = Math.min(record.expiresAt ?? Infinity, this.#now());
      count += 1;
    }
    return count;
  }
}
