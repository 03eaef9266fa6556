import { sendJson } from '../access-token-check.js';
import { bearerToken } from './emulator-http.js';
import { stableNumber } from './emulator-ids.js';
import type { EmulatedCall, EmulatorContext } from './emulator-types.js';
import { googleEmail } from './google-openid.js';
import { GMAIL_READ_SCOPES } from './google-scopes.js';
import type { Grant } from './grant-book.js';

// The Gmail API calls agents use, on a demo mailbox, and Google's API error shapes.
// Sources, cited next to each behaviour below:
// [gmail] https://developers.google.com/gmail/api/reference/rest/v1/users (getProfile, messages.list, messages.get)
// [errors] https://cloud.google.com/apis/design/errors (the {"error":{code,message,status}} shape of Google APIs)

/** A demo message of the emulated mailbox. */
interface Mail {
  id: string;
  threadId: string;
  unread: boolean;
  from: string;
  subject: string;
  date: Date;
  body: string;
}

/** The Gmail API (gmail.googleapis.com, and www.googleapis.com where it also answers) on a demo mailbox per user. */
export class GmailApi {
  readonly #context: EmulatorContext;

  constructor(context: EmulatorContext) {
    this.#context = context;
  }

  /** `GET /gmail/v1/users/{userId}/profile` (users.getProfile). */
  profile(call: EmulatedCall, userId: string): void {
    const auth = this.#auth(call, userId, 'GetProfile');
    if (!auth) return;
    const mails = mailbox(auth.grant.account);
    // [gmail] users.getProfile: emailAddress, messagesTotal, threadsTotal, historyId.
    sendJson(call.res, 200, { emailAddress: googleEmail(auth.grant.account), messagesTotal: mails.length, threadsTotal: new Set(mails.map((m) => m.threadId)).size, historyId: '4242' });
  }

  /** `GET /gmail/v1/users/{userId}/messages` (users.messages.list). */
  list(call: EmulatedCall, userId: string): void {
    const auth = this.#auth(call, userId, 'ListMessages');
    if (!auth) return;
    const q = call.url.searchParams;
    let mails = mailbox(auth.grant.account);
    // Gmail search: only the operators agents use here (is:unread, is:read) are understood; others match everything.
    const query = q.get('q') ?? '';
    if (/\bis:unread\b/i.test(query)) mails = mails.filter((m) => m.unread);
    if (/\bis:read\b/i.test(query)) mails = mails.filter((m) => !m.unread);
    for (const label of q.getAll('labelIds')) mails = mails.filter((m) => labelsOf(m).includes(label));
    // [gmail] messages.list maxResults: "default value for this field is 100. The maximum allowed value for this field is 500."
    const max = Math.min(Math.max(Number(q.get('maxResults') ?? 100) || 100, 1), 500);
    const offset = Number(q.get('pageToken') ?? 0) || 0;
    const page = mails.slice(offset, offset + max);
    const next = offset + max < mails.length ? String(offset + max) : undefined;
    // [gmail] response: messages[], nextPageToken, resultSizeEstimate. Empty lists are left out of Google's JSON (proto3 JSON
    // mapping omits empty repeated fields), so an empty mailbox answers {"resultSizeEstimate": 0}.
    sendJson(call.res, 200, {
      ...(page.length ? { messages: page.map(({ id, threadId }) => ({ id, threadId })) } : {}),
      ...(next ? { nextPageToken: next } : {}),
      resultSizeEstimate: mails.length,
    });
  }

  /** `GET /gmail/v1/users/{userId}/messages/{id}` (users.messages.get). */
  get(call: EmulatedCall, userId: string, id: string): void {
    const auth = this.#auth(call, userId, 'GetMessage');
    if (!auth) return;
    const mail = mailbox(auth.grant.account).find((m) => m.id === id);
    // [errors] NOT_FOUND, with Gmail's "Requested entity was not found." and reason notFound.
    if (!mail) return sendJson(call.res, 404, apiError(404, 'Requested entity was not found.', 'NOT_FOUND', [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }]));
    const format = (call.url.searchParams.get('format') ?? 'full').toLowerCase();
    const metadataOnly = !auth.scopes.some((s) => s !== 'https://www.googleapis.com/auth/gmail.metadata' && GMAIL_READ_SCOPES.includes(s));
    // [gmail] messages.get format: "full ... cannot be used when accessing the api using the gmail.metadata scope".
    if (metadataOnly && (format === 'full' || format === 'raw')) {
      return sendJson(call.res, 403, apiError(403, `Metadata scope doesn't allow format ${format.toUpperCase()}`, 'PERMISSION_DENIED', [{ message: `Metadata scope doesn't allow format ${format.toUpperCase()}`, domain: 'global', reason: 'forbidden' }]));
    }
    const email = googleEmail(auth.grant.account);
    const headers = [
      { name: 'From', value: mail.from },
      { name: 'To', value: email },
      { name: 'Subject', value: mail.subject },
      { name: 'Date', value: mail.date.toUTCString().replace('GMT', '+0000') },
      { name: 'Message-ID', value: `<${mail.id}@sandbox.test>` },
    ];
    const wanted = call.url.searchParams.getAll('metadataHeaders').map((h) => h.toLowerCase());
    const body = Buffer.from(mail.body).toString('base64url');
    // [gmail] users.messages resource: id, threadId, labelIds, snippet, payload (MessagePart), sizeEstimate, historyId, internalDate.
    const base = { id: mail.id, threadId: mail.threadId, labelIds: labelsOf(mail), snippet: mail.body.slice(0, 100), sizeEstimate: 900 + mail.body.length, historyId: '4242', internalDate: String(mail.date.getTime()) };
    if (format === 'minimal') return sendJson(call.res, 200, base);
    if (format === 'raw') {
      const raw = `${headers.map((h) => `${h.name}: ${h.value}`).join('\r\n')}\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\n${mail.body}\r\n`;
      return sendJson(call.res, 200, { ...base, raw: Buffer.from(raw).toString('base64url') });
    }
    const partHeaders = format === 'metadata' && wanted.length ? headers.filter((h) => wanted.includes(h.name.toLowerCase())) : headers;
    const payload =
      format === 'metadata'
        ? { mimeType: 'text/plain', headers: partHeaders }
        : { partId: '', mimeType: 'text/plain', filename: '', headers: [...partHeaders, { name: 'Content-Type', value: 'text/plain; charset="UTF-8"' }], body: { size: mail.body.length, data: body } };
    sendJson(call.res, 200, { ...base, payload });
  }

  /** The Gmail API's checks of [gmail]: a token, one of the method's scopes, and `userId` being "me" or the user's address. */
  #auth(call: EmulatedCall, userId: string, method: string): { grant: Grant; scopes: string[] } | undefined {
    const metadata = { service: 'gmail.googleapis.com', method: `caribou.api.proto.MailboxService.${method}` };
    if (!call.req.headers.authorization) {
      // Capture (reactmore/morelab#17) of a Google API called without credentials: this message, reason "required",
      // CREDENTIALS_MISSING.
      sendJson(
        call.res,
        401,
        apiError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'UNAUTHENTICATED', [{ message: 'Login Required.', domain: 'global', reason: 'required', location: 'Authorization', locationType: 'header' }], [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CREDENTIALS_MISSING', domain: 'googleapis.com', metadata }]),
        { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' },
      );
      return undefined;
    }
    const presented = bearerToken(call.req);
    const found = presented ? this.#context.grants.usableAccess(presented) : undefined;
    if (!found) {
      // Captures (dacastro4/laravel-gmail#273, googleapis/google-api-nodejs-client#2665): 401 with this message, "Invalid
      // Credentials", reason authError, status UNAUTHENTICATED.
      sendJson(
        call.res,
        401,
        apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'UNAUTHENTICATED', [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }]),
        { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
      return undefined;
    }
    if (!found.token.scopes.some((s) => GMAIL_READ_SCOPES.includes(s))) {
      // Captures (googleworkspace/cli#282 "403 insufficientPermissions: Request had insufficient authentication scopes.",
      // kwent/react-google-contacts#6 with the WWW-Authenticate header naming the scopes that would do).
      sendJson(
        call.res,
        403,
        apiError(403, 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED', [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }], [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata }]),
        { 'WWW-Authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${GMAIL_READ_SCOPES.join(' ')}"` },
      );
      return undefined;
    }
    // [gmail] userId: "The user's email address. The special value me can be used to indicate the authenticated user."
    if (userId !== 'me' && userId !== googleEmail(found.grant.account)) {
      sendJson(call.res, 403, apiError(403, `Delegation denied for ${googleEmail(found.grant.account)}`, 'PERMISSION_DENIED', [{ message: `Delegation denied for ${googleEmail(found.grant.account)}`, domain: 'global', reason: 'forbidden' }]));
      return undefined;
    }
    return { grant: found.grant, scopes: found.token.scopes };
  }
}

/** [errors] The error shape of Google APIs: {"error": {"code", "message", "errors", "status", "details"}}. */
function apiError(code: number, message: string, status: string, errors: unknown[], details?: unknown[]): unknown {
  return { error: { code, message, errors, status, ...(details ? { details } : {}) } };
}

function labelsOf(mail: Mail): string[] {
  return mail.unread ? ['UNREAD', 'INBOX'] : ['INBOX'];
}

/** The same five messages per user on every run (three unread), as the sandbox's Gmail-shaped demo API has. */
function mailbox(account: string): Mail[] {
  const seed = stableNumber(`gmail:${account}`, 0xffffffff).toString(16).padStart(8, '0');
  const id = (n: number) => `18c${seed}${n.toString(16).padStart(5, '0')}`;
  const day = (d: number, h: number) => new Date(Date.UTC(2025, 0, d, h, 0, 0));
  return [
    { id: id(1), threadId: id(1), unread: true, from: 'Billing <billing@vendor.test>', subject: 'Invoice INV-1042 is due', date: day(6, 9), body: 'Your invoice INV-1042 for 120.00 EUR is due on 2025-01-20.' },
    { id: id(2), threadId: id(1), unread: true, from: 'Billing <billing@vendor.test>', subject: 'Re: Invoice INV-1042 is due', date: day(6, 11), body: 'A reminder: invoice INV-1042 is still open.' },
    { id: id(3), threadId: id(3), unread: true, from: 'Team <team@example.test>', subject: 'Standup notes', date: day(5, 17), body: 'Notes from today: the device flow works.' },
    { id: id(4), threadId: id(4), unread: false, from: 'News <news@example.test>', subject: 'Weekly digest', date: day(4, 8), body: 'This week: three new releases.' },
    { id: id(5), threadId: id(5), unread: false, from: 'Alerts <alerts@example.test>', subject: 'Sign-in from a new device', date: day(3, 7), body: 'A new sign-in to your sandbox account.' },
  ];
}

