import type { OAuthStatus, TokenState } from '@opperator/oauth';
import { formatHumanTime } from '@opperator/protocol';
import type { SignInUnderWay } from './sign-in-path.js';

/**
 * A client secret `useOAuth` could not read, and why: not set at all, or not
 * in the agent's `secrets:` list (the two have different fixes).
 *
 * @example
 * ```ts
 * const missing: MissingSecret = { name: 'sb_client_id', reason: 'not-set' };
 * ```
 */
export interface MissingSecret {
  /** The secret's name. */
  name: string;
  /** `not-set`: `opperator secret set NAME`; `denied`: add it to `secrets:` in agents.yaml; `unavailable`: the daemon could not read it. */
  reason: 'not-set' | 'denied' | 'unavailable';
}

/**
 * Where one `useOAuth` sign-in stands, as shown in its auth-status section.
 * Holds no token or secret values.
 *
 * @example
 * ```ts
 * const status = await gmail.status();
 * if (!status.authenticated) this.logWarning(`not signed in; ${status.tokenPath}`);
 * ```
 */
export interface UseOAuthStatus {
  /** True when a usable (or refreshable) token is stored. */
  authenticated: boolean;
  /** The token state; `not-authorized` also when the credentials are missing and nothing can be checked. */
  state: TokenState;
  /** The signed-in account (email or subject), when known. */
  account?: string;
  /** Whether the client id (and secret, when one is used) could be read. */
  credentials: 'configured' | 'missing';
  /** The secrets that could not be read; empty when `credentials` is `configured`. */
  missingSecrets: MissingSecret[];
  /** Whether the token file exists. */
  tokenFile: 'ok' | 'missing';
  /** Absolute path of the token file. */
  tokenPath: string;
  /** Why a new sign-in is needed, when `state` is `reauthorization-required`. */
  reauthorizationReason?: string;
  /** Something went wrong while checking (discovery failed, unreadable token file). */
  problem?: string;
  /** Warnings from the OAuth client (scopes not granted, refresh token ageing). */
  warnings: string[];
  /** The OAuth client's own status, when the credentials allowed building one. */
  oauth?: OAuthStatus;
  /** A sign-in waiting for the user: where to finish it (for the device flow, the code to type). */
  signIn?: SignInUnderWay;
}

/** Names the section text needs besides the status. */
export interface SectionLabels {
  /** The `useOAuth` name (`authorize_<name>`). */
  name: string;
  /** The agent's name, for the `opperator agent invoke` command. */
  agentName: string;
}

/**
 * The command that runs `authorize_<name>` from a shell (`opperator auth login`).
 *
 * @example
 * ```ts
 * authorizeCommandLine({ name: 'gmail', agentName: 'invoice_monitor' }); // 'opperator auth login invoice_monitor gmail'
 * ```
 */
export function authorizeCommandLine(labels: SectionLabels): string {
  return `opperator auth login ${labels.agentName} ${labels.name}`;
}

/**
 * The next thing the user should do, in words, with the exact command.
 * Missing credentials come first: nothing else works without them.
 *
 * @example
 * ```ts
 * nextStep(status, { name: 'sandbox', agentName: 'demo' }); // 'Monitoring active'
 * ```
 */
export function nextStep(status: UseOAuthStatus, labels: SectionLabels): string {
  if (status.credentials === 'missing') {
    return status.missingSecrets
      .map((secret) =>
        secret.reason === 'denied'
          ? `Add ${secret.name} to this agent's secrets: list in agents.yaml, then restart the agent`
          : `Set the secret: opperator secret set ${secret.name}`,
      )
      .join('\n');
  }
  if (status.state === 'reauthorization-required') return `Re-authorize: run authorize_${labels.name} (${authorizeCommandLine(labels)})`;
  if (!status.authenticated) return `Sign in: run authorize_${labels.name} (${authorizeCommandLine(labels)})`;
  return 'Monitoring active';
}

/**
 * The auth-status section's markup (SPEC §4 tags) for a status: headline,
 * Account, Credentials, Token File, and the next step.
 *
 * @example
 * ```ts
 * this.updateSection('oauth_gmail', authSectionContent(await gmail.status(), { name: 'gmail', agentName: this.agentName }));
 * ```
 */
export function authSectionContent(status: UseOAuthStatus, labels: SectionLabels): string {
  const lines: string[] = [];
  if (status.state === 'reauthorization-required') lines.push("<c fg='red'>✗ Token Expired</c>");
  else if (status.authenticated) lines.push("<c fg='green'>✓ Authenticated</c>");
  else lines.push("<c fg='yellow'>⚠ Not Authenticated</c>");
  lines.push(`<b>Account:</b> ${escapeMarkup(status.account ?? 'none')}`);
  if (status.oauth?.emulator) lines.push(`<b>Provider:</b> <c fg='magenta'>Emulated</c> at ${escapeMarkup(status.oauth.emulator)}`);
  lines.push(status.credentials === 'configured' ? "<b>Credentials:</b> <c fg='green'>Configured</c>" : "<b>Credentials:</b> <c fg='red'>Missing</c>");
  lines.push(status.tokenFile === 'ok' ? "<b>Token File:</b> <c fg='green'>OK</c>" : "<b>Token File:</b> <c fg='yellow'>Missing</c>");
  if (status.reauthorizationReason) lines.push(`<b>Reason:</b> ${escapeMarkup(status.reauthorizationReason)}`);
  if (status.problem) lines.push(`<b>Problem:</b> ${escapeMarkup(status.problem)}`);
  for (const warning of status.warnings) lines.push(`<c fg='yellow'>${escapeMarkup(warning)}</c>`);
  if (status.signIn) lines.push(`<b>Signing in:</b> ${signInLine(status.signIn)}`);
  else lines.push(`<b>Next:</b> ${escapeMarkup(nextStep(status, labels))}`);
  return lines.join('\n');
}

/** Where the user finishes the sign-in under way; a browser page's URL is too long for a sidebar, so it stays in the task. */
function signInLine(signIn: SignInUnderWay): string {
  switch (signIn.path) {
    case 'device': {
      const until = signIn.expiresAt === undefined ? '' : ` (until ${formatHumanTime(signIn.expiresAt, { zone: true })})`;
      return `open ${escapeMarkup(signIn.url)} and enter the code <b>${escapeMarkup(signIn.userCode ?? '')}</b>${until}`;
    }
    case 'paste':
      return 'waiting for the address the browser ends on (the page to open is in the task)';
    case 'browser':
      return 'waiting for you to finish in the browser (the page is in the task)';
  }
}

/**
 * Makes text safe to put inside section markup: account names, provider
 * messages, e-mail subjects must not open a tag. The markup has no escape
 * sequence (text is shown literally), so `<` becomes the look-alike `‹`.
 *
 * @example
 * ```ts
 * this.updateSection('inbox', `<b>Latest:</b> ${escapeMarkup(subject)}`);
 * ```
 */
export function escapeMarkup(text: string): string {
  return text.replace(/</g, '‹');
}
