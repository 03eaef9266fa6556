/**
 * invoice-monitor: the guide's agent. It signs in to Gmail (read-only), checks
 * the inbox for unread messages every 5 minutes in the background, and shows
 * the sign-in state and the last check in the sidebar.
 *
 * Everything the guide writes by hand (client_secret.json, the loopback
 * server, token.json, refresh, the auth-status section, re-authorization when
 * the refresh token dies) is `this.useOAuth()`.
 *
 * Where Gmail lives is chosen by `INVOICE_MONITOR_PROVIDER` (agents.yaml `env:`):
 * `google` (default) is the real Gmail, or its emulator when the agent's env
 * sets `OPPERATOR_EMULATE` (`opperator sandbox start --emulate google`);
 * `sandbox` is `opperator sandbox start`, whose Gmail-shaped demo API answers
 * the same calls; a URL is a sandbox on another port.
 */
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { Agent, type UseOAuthHandle } from '@opperator/sdk';

const PROVIDER = process.env.INVOICE_MONITOR_PROVIDER ?? 'google';
const SANDBOX_ISSUER = 'http://127.0.0.1:9440';
const CHECK_EVERY_MS = Number(process.env.INVOICE_MONITOR_INTERVAL_SECONDS ?? 300) * 1000;
const UNREAD_QUERY = 'is:unread';

/** The Gmail scope for Google; the sandbox's demo mailbox is read with `email` (it cannot grant Gmail scopes). */
const SCOPES = PROVIDER === 'google' ? ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'] : ['openid', 'email', 'offline_access'];

/** What the last check found, for the Inbox section and the command's result. */
interface InboxCheck {
  unread: number;
  messageIds: string[];
  checkedAt: string;
}

export default class InvoiceMonitor extends Agent {
  private mail!: UseOAuthHandle;
  private api!: gmail_v1.Gmail;

  async initialize() {
    this.mail = this.useOAuth({
      name: 'gmail',
      provider: PROVIDER,
      scopes: SCOPES,
      clientIdSecret: 'invoice_monitor_gmail_client_id',
      clientSecretSecret: 'invoice_monitor_gmail_client_secret',
      title: 'Gmail Authentication',
    });
    // Every Gmail request goes through the handle's fetch: a fresh bearer token,
    // one refresh and retry on a 401, and the emulator when OPPERATOR_EMULATE is
    // set. The sandbox serves the same paths at its own origin.
    const rootUrl = PROVIDER === 'google' ? undefined : `${PROVIDER === 'sandbox' ? SANDBOX_ISSUER : new URL(PROVIDER).origin}/`;
    this.api = gmail({ version: 'v1', ...(rootUrl ? { rootUrl } : {}), fetchImplementation: (input, init) => this.mail.fetch(input, init) });

    this.registerSection('inbox', 'Inbox', "<i>Not checked yet</i>");
    this.registerCommand('check_invoices', () => this.checkInbox(), { description: 'Check the inbox for unread messages now' });
    this.every(CHECK_EVERY_MS, () => this.backgroundCheck(), { name: 'inbox check', immediate: true });
  }

  /** One Gmail call; the handle's fetch brings a valid access token (refreshed when due). */
  private async checkInbox(): Promise<InboxCheck> {
    const response = await this.api.users.messages.list({ userId: 'me', q: UNREAD_QUERY });
    const messageIds = (response.data.messages ?? []).flatMap((message) => (message.id ? [message.id] : []));
    const check = { unread: response.data.resultSizeEstimate ?? messageIds.length, messageIds, checkedAt: new Date().toISOString() };
    this.updateSection('inbox', `<b>${check.unread}</b> unread message${check.unread === 1 ? '' : 's'}\n<i>Last checked ${check.checkedAt}</i>`);
    this.logInfo('inbox checked', { unread: check.unread });
    return check;
  }

  /** The background loop: skips quietly until signed in, and never crashes the agent. */
  private async backgroundCheck(): Promise<void> {
    const status = await this.mail.status();
    if (!status.authenticated) {
      this.logInfo('not signed in to Gmail; skipping the inbox check', { state: status.state });
      return;
    }
    try {
      await this.checkInbox();
    } catch (err) {
      this.logError(`inbox check failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
