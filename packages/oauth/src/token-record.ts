import { z } from 'zod';
import type { StoredTokens } from './token-set.js';

/**
 * The one serialised form of a sign-in's tokens, shared by every store (the
 * token file, Redis, Postgres): JSON with a schema `version`, times as ISO
 * 8601 strings. A store keeps the text as it is and decodes it with
 * {@link decodeTokenRecord}, so a record moves between stores unchanged.
 */

/** Schema version written by this release. */
export const TOKEN_RECORD_VERSION = 1;

const isoTime = z.iso.datetime({ offset: true });

const tokenRecordSchema = z.object({
  version: z.literal(TOKEN_RECORD_VERSION),
  issuer: z.string().min(1),
  clientId: z.string().min(1),
  tokenType: z.string().min(1),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().min(1).optional(),
  scopes: z.array(z.string()),
  obtainedAt: isoTime,
  expiresAt: isoTime.optional(),
  refreshTokenExpiresAt: isoTime.optional(),
  refreshTokenIssuedAt: isoTime.optional(),
  signedInAt: isoTime.optional(),
  account: z.string().optional(),
  reauthorizationRequired: z.object({ reason: z.string(), at: isoTime }).optional(),
});

type TokenRecord = z.infer<typeof tokenRecordSchema>;

/** What {@link decodeTokenRecord} makes of a stored text. */
export type DecodedTokenRecord =
  | { ok: true; tokens: StoredTokens }
  /** `corrupt`: not JSON, or not the schema; `unsupported-version`: written by a newer release. `detail` names fields, never values. */
  | { ok: false; problem: 'corrupt' | 'unsupported-version'; detail: string; cause?: unknown };

/**
 * The record's text for `tokens`.
 *
 * @example
 * ```ts
 * await redis.set(key, encodeTokenRecord(tokens));
 * ```
 */
export function encodeTokenRecord(tokens: StoredTokens, options: { pretty?: boolean } = {}): string {
  return JSON.stringify(toTokenRecord(tokens), null, options.pretty ? 2 : undefined);
}

/**
 * Reads a stored record's text. Never throws: an unusable record is a
 * problem the store reports in its own terms (the file store moves the file
 * aside). The detail is safe to show: field paths only, no values.
 *
 * @example
 * ```ts
 * const decoded = decodeTokenRecord(text);
 * if (!decoded.ok) throw new OAuthError('OAUTH_STORE_CORRUPT', `The record ${key} ${decoded.detail}.`);
 * ```
 */
export function decodeTokenRecord(text: string): DecodedTokenRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return { ok: false, problem: 'corrupt', detail: 'is not valid JSON', cause };
  }
  const version = typeof json === 'object' && json !== null && 'version' in json ? json.version : undefined;
  if (version !== TOKEN_RECORD_VERSION) {
    if (typeof version === 'number' && version > TOKEN_RECORD_VERSION) {
      return { ok: false, problem: 'unsupported-version', detail: `has schema version ${version}, newer than this release understands (${TOKEN_RECORD_VERSION})` };
    }
    return { ok: false, problem: 'corrupt', detail: `has no valid schema version (expected ${TOKEN_RECORD_VERSION})` };
  }
  const parsed = tokenRecordSchema.safeParse(json);
  if (!parsed.success) {
    // Only field paths go into the detail: the values may be tokens.
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
    return { ok: false, problem: 'corrupt', detail: `does not match the token record schema (fields: ${fields})`, cause: parsed.error };
  }
  return { ok: true, tokens: fromTokenRecord(parsed.data) };
}

function toTokenRecord(tokens: StoredTokens): TokenRecord {
  const iso = (ms: number) => new Date(ms).toISOString();
  const { obtainedAt, expiresAt, refreshTokenExpiresAt, refreshTokenIssuedAt, signedInAt, reauthorizationRequired, ...rest } = tokens;
  return {
    version: TOKEN_RECORD_VERSION,
    ...rest,
    obtainedAt: iso(obtainedAt),
    ...(expiresAt === undefined ? {} : { expiresAt: iso(expiresAt) }),
    ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: iso(refreshTokenExpiresAt) }),
    ...(refreshTokenIssuedAt === undefined ? {} : { refreshTokenIssuedAt: iso(refreshTokenIssuedAt) }),
    ...(signedInAt === undefined ? {} : { signedInAt: iso(signedInAt) }),
    ...(reauthorizationRequired === undefined ? {} : { reauthorizationRequired: { reason: reauthorizationRequired.reason, at: iso(reauthorizationRequired.at) } }),
  };
}

function fromTokenRecord(file: TokenRecord): StoredTokens {
  const { version: _version, obtainedAt, expiresAt, refreshTokenExpiresAt, refreshTokenIssuedAt, signedInAt, reauthorizationRequired, ...rest } = file;
  return {
    ...rest,
    obtainedAt: Date.parse(obtainedAt),
    ...(expiresAt === undefined ? {} : { expiresAt: Date.parse(expiresAt) }),
    ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: Date.parse(refreshTokenExpiresAt) }),
    ...(refreshTokenIssuedAt === undefined ? {} : { refreshTokenIssuedAt: Date.parse(refreshTokenIssuedAt) }),
    ...(signedInAt === undefined ? {} : { signedInAt: Date.parse(signedInAt) }),
    ...(reauthorizationRequired === undefined ? {} : { reauthorizationRequired: { reason: reauthorizationRequired.reason, at: Date.parse(reauthorizationRequired.at) } }),
  };
}
