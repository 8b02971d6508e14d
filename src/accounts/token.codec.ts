/**
 * Account tokens: compact JWS (RFC 7515) JWTs (RFC 7519) signed with HS256
 * through `jose`. Claims: `sub` (account id), `jti` (revocation handle),
 * `iat`/`exp`, `iss`/`aud` = `anxin`, and ours: `usr` (username), `role`
 * and `scope`. Self-contained, so the socket handshake verifies a token
 * without SQL; revocation is the in-memory deny list in AuthService.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { roleSchema, scopeSchema, type Principal, type Role, type Scope } from '../domain/access/principal.js';
import type { Clock } from '../platform.tokens.js';
import { TokenExpiredError, TokenInvalidError } from './auth.errors.js';

const ISSUER = 'anxin';
const AUDIENCE = 'anxin';

const claimsSchema = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number().int(),
  iat: z.number().int(),
  usr: z.string().min(1),
  role: roleSchema,
  scope: scopeSchema,
});

export interface IssuedToken {
  readonly token: string;
  readonly jti: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export class TokenCodec {
  constructor(
    private readonly key: Uint8Array,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {
    if (key.byteLength < 32) throw new RangeError('the token key must be at least 256 bits (RFC 7518 §3.2)');
  }

  async issue(account: { readonly id: string; readonly username: string; readonly role: Role; readonly scope: Scope }): Promise<IssuedToken> {
    const issuedAt = this.clock();
    // JWT times are whole seconds (NumericDate); expiresAt is reported at that precision.
    const iat = Math.floor(issuedAt / 1000);
    const exp = iat + Math.ceil(this.ttlMs / 1000);
    const jti = randomUUID();
    const token = await new SignJWT({ usr: account.username, role: account.role, scope: account.scope })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(account.id)
      .setJti(jti)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, jti, issuedAt: iat * 1000, expiresAt: exp * 1000 };
  }

  /** The principal a token names; throws TokenExpiredError or TokenInvalidError. Revocation is not checked here. */
  async decode(token: string): Promise<Principal & { readonly via: { kind: 'account_token' } }> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.clock()),
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new TokenExpiredError();
      throw new TokenInvalidError(error instanceof errors.JOSEError ? `token invalid (${error.code})` : 'token invalid');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new TokenInvalidError('token invalid (claims)');
    const c = claims.data;
    return { accountId: c.sub, username: c.usr, role: c.role, scope: c.scope, via: { kind: 'account_token', jti: c.jti, expiresAt: c.exp * 1000 } };
  }
}
