// The scopes Google knows: the OpenID shorthands, those it accepts, the device flow's allow-list, Gmail's, and their consent wording.
// Sources, cited next to each behaviour below:
// [native] https://developers.google.com/identity/protocols/oauth2/native-app (OAuth 2.0 for Mobile & Desktop Apps)
// [devices] https://developers.google.com/identity/protocols/oauth2/limited-input-device (TV and Limited-Input Devices)
// [oidc] https://developers.google.com/identity/openid-connect/openid-connect (discovery, ID token, userinfo)
// [gmail] https://developers.google.com/gmail/api/reference/rest/v1/users (getProfile, messages.list, messages.get)

/** [native]/[oidc] the OpenID shorthands and the scope Google echoes for them ("scope": "openid https://www.googleapis.com/auth/userinfo.email ..."). */
export const SHORTHANDS: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/** Scopes the emulator knows; others are refused at authorization with invalid_scope like Google refuses unknown ones (capture kootenpv/yagmail#78). */
export const KNOWN_SCOPES = new Set([
  'openid',
  SHORTHANDS.email as string,
  SHORTHANDS.profile as string,
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://www.googleapis.com/auth/gmail.metadata',
  'https://www.googleapis.com/auth/gmail.compose',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.labels',
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/drive.appdata',
  'https://www.googleapis.com/auth/youtube',
  'https://www.googleapis.com/auth/youtube.readonly',
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.readonly',
]);

/**
 * [devices] "Allowed scopes": the device flow is supported only for these. Captures show the refusal for others (Gmail in
 * brockamer/findajob#115, googleapis/oauth2client#88; Gerrit in hickford/git-credential-oauth#38).
 */
export const DEVICE_ALLOWED_SCOPES = new Set([
  'openid',
  SHORTHANDS.email as string,
  SHORTHANDS.profile as string,
  'https://www.googleapis.com/auth/drive.appdata',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/youtube',
  'https://www.googleapis.com/auth/youtube.readonly',
]);

/** [gmail] Authorization scopes of users.getProfile / messages.list / messages.get (any one of them). */
export const GMAIL_READ_SCOPES = ['https://mail.google.com/', 'https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.metadata'];

/** What the consent page says each scope allows. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you\u2019ve made publicly available',
  [SHORTHANDS.email as string]: 'See your primary Google Account email address',
  [SHORTHANDS.profile as string]: 'See your personal info, including any personal info you\u2019ve made publicly available',
  'https://mail.google.com/': 'Read, compose, send, and permanently delete all your email from Gmail',
  'https://www.googleapis.com/auth/gmail.readonly': 'View your email messages and settings',
  'https://www.googleapis.com/auth/gmail.modify': 'Read, compose, and send emails from your Gmail account',
  'https://www.googleapis.com/auth/gmail.metadata': 'View your email message metadata such as labels and headers, but not the email body',
};

/**
 * `email`/`profile` to their full scope URLs, others as given; duplicates dropped.
 *
 * @example
 * ```ts
 * expandScopes('openid email'); // ['openid', 'https://www.googleapis.com/auth/userinfo.email']
 * ```
 */
export function expandScopes(value: string): string[] {
  return [...new Set(value.split(/\s+/).filter(Boolean).map((s) => SHORTHANDS[s] ?? s))];
}
