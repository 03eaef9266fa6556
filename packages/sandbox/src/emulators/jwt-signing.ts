import { createHash, createPublicKey, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/** An RS256 key that signs ID tokens (and Entra's JWT access tokens) and is published as a JWK. */
export class SigningKey {
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #publicJwk: Record<string, unknown>;

  private constructor(kid: string, privateKey: KeyObject) {
    this.kid = kid;
    this.#privateKey = privateKey;
    this.#publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  }

  /**
   * A fresh 2048-bit key.
   *
   * @example
   * ```ts
   * const key = SigningKey.generate();
   * ```
   */
  static generate(): SigningKey {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new SigningKey(randomBytes(20).toString('hex'), privateKey);
  }

  /** The public key as published in a JWKS (`kty`, `n`, `e`, `kid`, `alg`, `use`, plus `extra`). */
  jwk(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { kty: 'RSA', use: 'sig', kid: this.kid, n: this.#publicJwk.n, e: this.#publicJwk.e, alg: 'RS256', ...extra };
  }

  /** A compact RS256 JWS of `payload`. */
  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const input = `${encode({ alg: 'RS256', kid: this.kid, typ: 'JWT', ...header })}.${encode(payload)}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.#privateKey).toString('base64url');
    return `${input}.${signature}`;
  }
}

/**
 * OpenID Connect `at_hash`: the left half of the access token's SHA-256, base64url.
 *
 * @example
 * ```ts
 * claims.at_hash = atHash(accessToken);
 * ```
 */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}