/**
 * Typed authentication errors. The HTTP layer maps them to 401/429; the
 * socket gateway maps them to a handshake refusal (`next(new Error(code))`).
 */

/** Why a presented token was refused. */
export type TokenErrorCode = 'expired' | 'revoked' | 'invalid';

export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(readonly code: TokenErrorCode, message?: string) {
    super(message ?? `token ${code}`);
  }
}

export class TokenExpiredError extends TokenError {
  constructor() {
    super('expired', 'token expired');
  }
}

export class TokenRevokedError extends TokenError {
  constructor() {
    super('revoked', 'token revoked');
  }
}

export class TokenInvalidError extends TokenError {
  constructor(detail = 'token invalid') {
    super('invalid', detail);
  }
}

/** Login refused. `bad_credentials` covers unknown user, wrong password and disabled account alike (no account enumeration). */
export class LoginError extends Error {
  override readonly name = 'LoginError';
  constructor(
    readonly code: 'bad_credentials' | 'throttled',
    /** For `throttled`: epoch ms when another attempt is allowed. */
    readonly retryAt?: number,
  ) {
    super(code === 'throttled' ? 'too many failed logins; try again later' : 'wrong username or password');
  }
}

/** An account command that cannot be carried out (400/404/409). */
export class AccountError extends Error {
  override readonly name = 'AccountError';
  constructor(
    readonly code: 'invalid_scope' | 'not_found' | 'username_taken',
    message: string,
  ) {
    super(message);
  }
}
