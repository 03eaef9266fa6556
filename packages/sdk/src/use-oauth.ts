import { access } from 'node:fs/promises';
import { OAuthClient, OAuthError, ReauthorizationRequiredError, discoverProvider, emulateProvider, emulatedUrl, presetProvider, type OAuthProvider, type RevocationResult } from '@opperator/oauth';
import { SecretError, messageOf, type SecretErrorCode } from './errors.js';
import { SIGN_IN_SECTION_PREFIX } from '@opperator/protocol';
import type { SignInUnderWay } from './sign-in-path.js';
import type { EveryOptions, LogFields, SectionOptions } from './types.js';
import { registerSignInCommands, type SignInCommandHost } from './use-oauth-commands.js';
import { chooseSignInStore } from './use-oauth-store.js';
import { authSectionContent, authorizeCommandLine, type MissingSecret, type SectionLabels, type UseOAuthStatus } from './use-oauth-section.js';
import { runAuthorize } from './use-oauth-authorize.js';
import { SharedSignIn } from './shared-sign-in.js';
import type { UseOAuthAuthorizeOptions, UseOAuthAuthorizeResult, UseOAuthHandle, UseOAuthOptions } from './use-oauth-options.js';

/** How often the section re-checks secrets and the token file on its own (events cover the rest). */
export const OAUTH_SECTION_RECHECK_MS = 60_000;

/** The parts of `Agent` that `useOAuth` uses; all public, so this file needs no access to its internals. */
export interface OAuthAgentHost {
  readonly agentName: string;
  readonly agentDir: string;
  readonly stopSignal: AbortSignal;
  /** Where well-known providers are emulated, when they are (`Agent.providerEmulator`). */
  readonly providerEmulator?: string | undefined;
  /** `token_store` from agents.yaml (`Agent.tokenStoreLocation`). */
  readonly tokenStoreLocation?: string | undefined;
  getSecret(name: string): Promise<string>;
  registerCommand: SignInCommandHost['registerCommand'];
  registerSection(id: string, title: string, content: string, options?: SectionOptions): void;
  updateSection(id: string, content: string): void;
  every(intervalMs: number, task: (signal: AbortSignal) => unknown, options?: EveryOptions): () => void;
  logInfo(message: string, fields?: LogFields): void;
  logWarning(message: string, fields?: LogFields): void;
}

type Credentials = { ok: true; clientId: string; clientSecret: string | undefined } | { ok: false; missing: MissingSecret[]; errors: SecretError[] };

/**
 * Sets up one OAuth sign-in inside an agent: the `authorize_<name>` and
 * `sign_out_<name>` commands, the `oauth_<name>` section, and background
 * refresh. Called by `Agent.useOAuth()`; see {@link UseOAuthOptions}.
 *
 * @example
 * ```ts
 * const handle = setUpOAuth(this, { name: 'gmail', provider: 'google', clientIdSecret: 'gmail_client_id' });
 * ```
 */
export function setUpOAuth(host: OAuthAgentHost, options: UseOAuthOptions): UseOAuthHandle {
  const { name } = options;
  const sectionId = `${SIGN_IN_SECTION_PREFIX}${name}`;
  const signInStore = chooseSignInStore(host, options);
  const tokenPath = signInStore.label;
  const labels = { name, agentName: host.agentName };

  const emulator = options.emulator === false ? undefined : (options.emulator ?? host.providerEmulator);
  let provider: Promise<OAuthProvider> | undefined;
  // The client lives in memory only; it is rebuilt when a secret's value changes.
  let current: { client: OAuthClient; clientId: string; clientSecret: string | undefined; stopFresh: AbortController } | undefined;
  let sectionVersion = 0;

  const resolveProvider = (): Promise<OAuthProvider> => {
    provider ??= resolveProviderOption(options.provider, emulator).catch((err: unknown) => {
      provider = undefined; // a failed discovery is retried on next use
      throw err;
    });
    return provider;
  };

  // Read at every use rather than once at registration: missing secrets never
  // block registering, and a changed secret is picked up without a restart.
  const readCredentials = async (): Promise<Credentials> => {
    const names = [options.clientIdSecret, ...(options.clientSecretSecret ? [options.clientSecretSecret] : [])];
    const results = await Promise.allSettled(names.map((secret) => host.getSecret(secret)));
    const errors: SecretError[] = [];
    const missing: MissingSecret[] = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return;
      const secretName = names[i]!;
      const err = result.reason instanceof SecretError ? result.reason : new SecretError('SDK_SECRET_UNAVAILABLE', secretName, messageOf(result.reason));
      errors.push(err);
      missing.push({ name: secretName, reason: err.code === 'SDK_SECRET_NOT_FOUND' ? 'not-set' : err.code === 'SDK_SECRET_ACCESS_DENIED' ? 'denied' : 'unavailable' });
    });
    if (errors.length > 0) return { ok: false, missing, errors };
    const [clientId, clientSecret] = results.map((r) => (r.status === 'fulfilled' ? r.value : ''));
    return { ok: true, clientId: clientId!, clientSecret: clientSecret || undefined };
  };

  const clientFor = async (credentials: Extract<Credentials, { ok: true }>): Promise<OAuthClient> => {
    if (current && current.clientId === credentials.clientId && current.clientSecret === credentials.clientSecret) return current.client;
    const resolved = await resolveProvider();
    if (current && current.clientId === credentials.clientId && current.clientSecret === credentials.clientSecret) return current.client;
    current?.stopFresh.abort();
    const client = new OAuthClient({ provider: resolved, clientId: credentials.clientId, ...(credentials.clientSecret ? { clientSecret: credentials.clientSecret } : {}), ...(options.scopes ? { scopes: options.scopes } : {}), store: await signInStore.open() });
    client.on('tokens', () => void refreshSection());
    // One line per refresh, so the agent's log shows refreshes happening (never the token itself).
    client.on('refreshed', (event) => {
      host.logInfo(`${name}: access token refreshed`, { ...(event.expiresAt === undefined ? {} : { expiresAt: new Date(event.expiresAt).toISOString() }), rotated: event.rotated });
    });
    client.on('reauthorization-required', (event) => {
      host.logWarning(`${name}: sign in again (${event.reason}); run authorize_${name}`);
      void refreshSection();
    });
    current = { client, clientId: credentials.clientId, clientSecret: credentials.clientSecret, stopFresh: new AbortController() };
    return client;
  };

  const requireClient = async (): Promise<OAuthClient> => {
    const credentials = await readCredentials();
    if (!credentials.ok) throw credentialsError(name, credentials.errors);
    return clientFor(credentials);
  };

  // Background refresh starts once tokens exist, and runs until the agent stops
  // or the client is replaced (new secret values).
  let freshFor: OAuthClient | undefined;
  const keepFresh = (client: OAuthClient): void => {
    if (freshFor === client || current?.client !== client) return;
    freshFor = client;
    const signal = AbortSignal.any([host.stopSignal, current.stopFresh.signal]);
    void client.keepFresh({ signal, onError: (err) => host.logWarning(`${name}: background token refresh failed: ${messageOf(err)}`) }).catch(() => undefined);
  };

  // The sign-in waiting for the user, shown in the section until it ends.
  let signInUnderWay: SignInUnderWay | undefined;
  const status = async (): Promise<UseOAuthStatus> => {
    const current = await statusNow();
    return signInUnderWay ? { ...current, signIn: signInUnderWay } : current;
  };
  const statusNow = async (): Promise<UseOAuthStatus> => {
    // A shared store's record is looked at by the client's status below; a file's existence is known here.
    const tokenFile = signInStore.filePath === undefined ? 'missing' : (await exists(signInStore.filePath)) ? 'ok' : 'missing';
    const base = { tokenFile, tokenPath, warnings: [] as string[] } as const;
    const credentials = await readCredentials();
    if (!credentials.ok) return { ...base, warnings: [], authenticated: false, state: 'not-authorized', credentials: 'missing', missingSecrets: credentials.missing };
    try {
      const client = await clientFor(credentials);
      const oauth = await client.status();
      if (oauth.state !== 'not-authorized') keepFresh(client);
      return {
        ...base,
        ...(signInStore.filePath === undefined && oauth.state !== 'not-authorized' ? { tokenFile: 'ok' as const } : {}),
        authenticated: oauth.state === 'valid' || oauth.state === 'expiring' || oauth.state === 'refreshable',
        state: oauth.state,
        credentials: 'configured',
        missingSecrets: [],
        warnings: [...oauth.warnings],
        oauth,
        ...(oauth.account === undefined ? {} : { account: oauth.account }),
        ...(oauth.reauthorizationReason === undefined ? {} : { reauthorizationReason: oauth.reauthorizationReason }),
      };
    } catch (err) {
      return { ...base, warnings: [], authenticated: false, state: 'not-authorized', credentials: 'configured', missingSecrets: [], problem: messageOf(err) };
    }
  };

  // Checks can overlap (an event during the periodic check); only the latest one may write.
  async function refreshSection(): Promise<void> {
    const version = ++sectionVersion;
    const content = authSectionContent(await status(), labels);
    if (version === sectionVersion) host.updateSection(sectionId, content);
  }

  // A second authorize while one is under way joins it: one browser, one token write.
  const signIns = new SharedSignIn<UseOAuthAuthorizeResult>();
  const authorize = async (authorizeOptions: UseOAuthAuthorizeOptions = {}) => {
    const { device, path, signal, onProgress, ...rest } = authorizeOptions;
    return signIns.run({ signal, onProgress: onProgress ?? (() => undefined) }, async (shared) => {
      shared.onProgress({ text: 'Preparing authorization flow...', progress: 0 });
      const client = await requireClient();
      const showWaiting = (signIn: SignInUnderWay | undefined) => {
        signInUnderWay = signIn;
        void refreshSection();
      };
      try {
        const result = await runAuthorize(client, {
          ...rest,
          path: path ?? (device ? 'device' : undefined),
          signal: shared.signal,
          onProgress: shared.onProgress,
          onWaitingForUser: showWaiting,
          ...(options.account ? { loginHint: options.account } : {}),
        });
        keepFresh(client);
        return result;
      } finally {
        signInUnderWay = undefined;
        await refreshSection();
      }
    });
  };

  const signOut = async (): Promise<RevocationResult> => {
    const credentials = await readCredentials();
    let result: RevocationResult;
    if (credentials.ok) {
      result = await (await clientFor(credentials)).revoke();
    } else {
      // Without a client id the provider cannot be told, but the local tokens can still go.
      await (await signInStore.open()).clear();
      result = { revoked: false, cleared: true, detail: `Deleted ${tokenPath}; the grant was not revoked at the provider because the client credentials are missing.` };
    }
    await refreshSection();
    return result;
  };

  host.registerSection(sectionId, options.title ?? `${titleCase(providerLabel(options.provider))} Authentication`, "<c fg='yellow'>⚠ Not Authenticated</c>\n<i>Checking credentials and token file...</i>");
  registerSignInCommands(host, { name, providerLabel: providerLabel(options.provider), progressLabel: `Authorizing ${titleCase(name)}`, authorize, signOut, status, requireClient });
  void refreshSection();
  host.every(OAUTH_SECTION_RECHECK_MS, () => refreshSection(), { name: `${sectionId} status` });

  return {
    name,
    getAccessToken: async () => withSignInCommand(labels, async () => (await requireClient()).getAccessToken()),
    fetch: async (input, init) => withSignInCommand(labels, async () => (await requireClient()).fetch(input, init)),
    status,
    authorize,
    signOut,
    refreshSection,
    apiUrl: (url) => {
      // Known without discovery: a preset or a provider object; an issuer URL has no hosts to route.
      const known = typeof options.provider === 'string' ? presetProvider(options.provider) : options.provider;
      return known ? emulatedUrl(withEmulator(known, emulator), url) : url;
    },
  };
}

/**
 * The oauth package says "sign in again"; inside an agent the user needs the
 * command that does it. Same error classes and codes, so callers can branch.
 */
async function withSignInCommand<T>(labels: SectionLabels, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const fix = `Run: ${authorizeCommandLine(labels)}`;
    if (err instanceof ReauthorizationRequiredError) throw new ReauthorizationRequiredError(`${err.message} ${fix}`, err.reason, { cause: err });
    if (err instanceof OAuthError && err.code === 'OAUTH_NOT_AUTHORIZED') throw new OAuthError(err.code, `${err.message} ${fix}`, { cause: err });
    throw err;
  }
}

/** One error naming every missing secret and its fix; the code of the first, so callers can branch on it. */
function credentialsError(name: string, errors: SecretError[]): SecretError {
  const first = errors[0]!;
  return new SecretError(first.code as SecretErrorCode, first.secretName, `Cannot sign in to ${name}: the client credentials are missing. ${errors.map((err) => err.message).join(' ')}`, { cause: first });
}

/** The provider object: a preset by name, a discovered issuer, or the one given; emulated when an emulator is set and the provider has hosts to route. */
async function resolveProviderOption(provider: UseOAuthOptions['provider'], emulator: string | undefined): Promise<OAuthProvider> {
  return withEmulator(typeof provider !== 'string' ? provider : (presetProvider(provider) ?? (await discoverProvider(provider))), emulator);
}

/** `provider` routed to `emulator` when one is set and the provider has hosts to route; else `provider` itself. */
function withEmulator(provider: OAuthProvider, emulator: string | undefined): OAuthProvider {
  return emulator && provider.hosts?.length ? emulateProvider(provider, emulator) : provider;
}

function providerLabel(provider: UseOAuthOptions['provider']): string {
  if (typeof provider !== 'string') return provider.label ?? provider.name;
  const preset = presetProvider(provider);
  if (preset) return preset.label ?? preset.name;
  try {
    return /^https?:/.test(provider) ? new URL(provider).host : provider;
  } catch {
    return provider;
  }
}

function titleCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
