/**
 * github-notifications: signs in to GitHub with the device flow (a code typed
 * at github.com/login/device, so it works over SSH and on headless machines),
 * then keeps the sidebar showing your unread notifications.
 *
 * `GITHUB_NOTIFICATIONS_PROVIDER` (agents.yaml `env:`) picks the provider:
 * `github` (default), `sandbox` for `opperator sandbox start` (whose demo API
 * answers the same calls under /github), or a sandbox's issuer URL.
 */
import { Agent, escapeMarkup, type UseOAuthHandle } from '@opperator/sdk';

const PROVIDER = process.env.GITHUB_NOTIFICATIONS_PROVIDER ?? 'github';
const SANDBOX_ISSUER = 'http://127.0.0.1:9440';
const CHECK_EVERY_MS = Number(process.env.GITHUB_NOTIFICATIONS_INTERVAL_SECONDS ?? 300) * 1000;
const API = PROVIDER === 'github' ? 'https://api.github.com' : `${PROVIDER === 'sandbox' ? SANDBOX_ISSUER : new URL(PROVIDER).origin}/github`;
const SCOPES = PROVIDER === 'github' ? ['notifications', 'read:user'] : ['openid', 'email', 'offline_access', 'notifications'];

/** The fields of GitHub's notification thread this agent shows. */
interface NotificationThread {
  id: string;
  reason: string;
  subject: { title: string; type: string };
  repository: { full_name: string };
}

export default class GitHubNotifications extends Agent {
  private github!: UseOAuthHandle;

  async initialize() {
    // GitHub's device flow needs only the client id: no secret to keep.
    this.github = this.useOAuth({ name: 'github', provider: PROVIDER, scopes: SCOPES, clientIdSecret: 'github_notifications_client_id', title: 'GitHub Authentication' });
    // Replaces the browser-first authorize_github that useOAuth registered: this agent always uses a code.
    this.registerCommand('authorize_github', (_args, ctx) => this.github.authorize({ device: true, signal: ctx.signal, onProgress: (update) => ctx.reportProgress(update) }), {
      description: 'Sign in to GitHub: shows a code to enter at the verification page',
      async: true,
      progressLabel: 'Signing in to GitHub',
    });
    this.registerSection('notifications', 'GitHub Notifications', '<i>Not checked yet</i>');
    this.registerCommand('check_notifications', () => this.check(), { description: 'Fetch unread notifications now' });
    this.every(CHECK_EVERY_MS, () => this.backgroundCheck(), { name: 'notifications check', immediate: true });
  }

  private async check(): Promise<{ unread: number; titles: string[] }> {
    // fetch() adds a fresh bearer token and retries once with a new one on a 401.
    const response = await this.github.fetch(`${API}/notifications`, { headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' } });
    if (!response.ok) throw new Error(`GitHub answered ${response.status} ${response.statusText} for /notifications`);
    const threads = (await response.json()) as NotificationThread[];
    const lines = threads.slice(0, 5).map((t) => `• ${escapeMarkup(t.repository.full_name)}: ${escapeMarkup(t.subject.title)} <i>(${escapeMarkup(t.reason)})</i>`);
    this.updateSection('notifications', [`<b>${threads.length}</b> unread`, ...lines].join('\n'));
    this.logInfo('notifications checked', { unread: threads.length });
    return { unread: threads.length, titles: threads.map((t) => t.subject.title) };
  }

  private async backgroundCheck(): Promise<void> {
    if (!(await this.github.status()).authenticated) return; // the auth section already says what to do
    try {
      await this.check();
    } catch (err) {
      this.logError(`notifications check failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
