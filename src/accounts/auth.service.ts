/**
 * Logins, token verification and revocation.
 *
 * Revocation is checked on every use from an in-memory deny list (jti →
 * expiry) loaded from SQL at start and updated on every revoke, so a verify
 * costs one HMAC and one map lookup. Listeners registered with `onRevoked`
 * hear every revocation (the socket gateway disconnects those sockets).
 *
 * @example
 * const principal = await auth.verify(socket.handshake.auth.token); // throws TokenError
 * const off = auth.onRevoked(({ jti }) => disconnectSocketsOf(jti));
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_LOGIN_THROTTLE_POLICY, LoginThrottle, type LoginThrottlePolicy } from '../domain/broker-acl/login-throttle.js';
import type { Principal } from '../domain/access/principal.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../platform.tokens.js';
import { toAccountView, type AccountRecord, type AccountRepository, type RevokeReason } from './account.repository.js';
import type { AccountView } from './account.schema.js';
import { LoginError, TokenRevokedError, TokenError } from './auth.errors.js';
import type { AuthMetrics } from './auth.metrics.js';
import type { PasswordHasher } from './password-hasher.js';
import type { TokenCodec } from './token.codec.js';

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: number;
  readonly account: AccountView;
}

export interface TokenRevoked {
  readonly jti: string;
  readonly accountId: string;
  readonly reason: RevokeReason;
  readonly at: number;
}

export type RevokedListener = (event: TokenRevoked) => void;

export interface LoginThrottlePolicies {
  /** Per username: guessing one account's password. */
  readonly perUsername: Partial<LoginThrottlePolicy>;
  /** Per client address: spraying many usernames from one place. Looser, since a care home's staff share one NAT address. */
  readonly perAddress: Partial<LoginThrottlePolicy>;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicies = {
  perUsername: DEFAULT_LOGIN_THROTTLE_POLICY,
  perAddress: { ...DEFAULT_LOGIN_THROTTLE_POLICY, maxFailures: 20 },
};

export interface AuthServiceDeps {
  readonly accounts: AccountRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenCodec;
  readonly clock: Clock;
  readonly metrics: AuthMetrics;
  readonly logger: Logger;
  readonly throttle?: LoginThrottlePolicies;
}

export class AuthService {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<RevokedListener>();
  private readonly byUsername: LoginThrottle;
  private readonly byAddress: LoginThrottle;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: AuthServiceDeps) {
    const throttle = deps.throttle ?? DEFAULT_LOGIN_THROTTLE;
    this.byUsername = new LoginThrottle(throttle.perUsername, deps.clock);
    this.byAddress = new LoginThrottle(throttle.perAddress, deps.clock);
  }

  /** Loads the deny list (revoked, unexpired tokens) and drops expired token rows. */
  async start(): Promise<void> {
    const now = this.deps.clock();
    await this.deps.accounts.pruneExpired(now);
    this.revoked.clear();
    for (const t of await this.deps.accounts.liveRevokedTokens(now)) this.revoked.set(t.jti, t.expiresAt);
  }

  /**
   * Checks a username and password and issues a token. Unknown users,
   * wrong passwords and disabled accounts fail alike (same error, and a hash
   * is verified either way so timing does not tell them apart).
   */
  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const userKey = username.toLowerCase();
    const lockedUntil = Math.max(this.byUsername.lockedUntil(userKey) ?? 0, this.byAddress.lockedUntil(address) ?? 0);
    if (lockedUntil > 0) {
      this.deps.metrics.failure('throttled');
      throw new LoginError('throttled', lockedUntil);
    }
    const account = await this.deps.accounts.findByUsername(userKey);
    const ok = await this.deps.hasher.verify(account?.passwordHash ?? (await this.dummy()), password);
    const failure = !account ? 'unknown_user' : !ok ? 'wrong_password' : account.disabled ? 'disabled' : undefined;
    if (failure !== undefined || !account) {
      this.deps.metrics.failure(failure ?? 'unknown_user');
      this.byUsername.recordFailure(userKey);
      this.byAddress.recordFailure(address);
      this.deps.logger.info({ username: userKey, address, reason: failure }, 'login refused');
      throw new LoginError('bad_credentials');
    }
    this.byUsername.recordSuccess(userKey);
    const issued = await this.deps.tokens.issue({ id: account.id, username: account.username, role: account.role, scope: scopeOf(account) });
    await this.deps.accounts.insertToken({ jti: issued.jti, accountId: account.id, issuedAt: issued.issuedAt, expiresAt: issued.expiresAt });
    return { token: issued.token, expiresAt: issued.expiresAt, account: toAccountView(account) };
  }

  /**
   * The principal of an account token. Throws TokenExpiredError,
   * TokenRevokedError or TokenInvalidError (all `TokenError`, with `code`).
   */
  async verify(token: string): Promise<Principal> {
    try {
      const principal = await this.deps.tokens.decode(token);
      if (this.isRevoked(principal.via.jti)) throw new TokenRevokedError();
      return principal;
    } catch (error) {
      if (error instanceof TokenError) this.deps.metrics.failure(error.code);
      throw error;
    }
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  /** Revokes the token the principal presented (logout). No-op for the admin token. */
  async logout(principal: Principal): Promise<void> {
    if (principal.via.kind !== 'account_token') return;
    await this.revokeOne(principal.via.jti, 'logout');
  }

  async revokeOne(jti: string, reason: RevokeReason): Promise<boolean> {
    const at = this.deps.clock();
    const token = await this.deps.accounts.revokeToken(jti, at, reason);
    if (token === undefined) return false;
    this.markRevoked({ jti, accountId: token.accountId, reason, at }, token.expiresAt);
    return true;
  }

  /** Revokes every live token of an account; returns how many. */
  async revokeAllFor(accountId: string, reason: RevokeReason): Promise<number> {
    const at = this.deps.clock();
    const tokens = await this.deps.accounts.revokeAllFor(accountId, at, reason);
    for (const t of tokens) this.markRevoked({ jti: t.jti, accountId, reason, at }, t.expiresAt);
    return tokens.length;
  }

  /**
   * Calls `listener` for every token revoked from now on (logout, admin
   * revoke, account disabled). Returns an unsubscribe function. Listeners
   * run synchronously; an error in one is logged and does not stop the others.
   */
  onRevoked(listener: RevokedListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Forgets revoked jtis of tokens that have expired anyway, and idle throttle keys. */
  prune(): void {
    const now = this.deps.clock();
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(jti);
    this.byUsername.prune();
    this.byAddress.prune();
  }

  private markRevoked(event: TokenRevoked, expiresAt: number): void {
    this.revoked.set(event.jti, expiresAt);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.deps.logger.error({ err: String(error), jti: event.jti }, 'token revocation listener failed');
      }
    }
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash(randomBytes(16).toString('base64url'));
    return this.dummyHash;
  }
}

export function scopeOf(account: Pick<AccountRecord, 'districtCode' | 'providerId' | 'staffId'>): Principal['scope'] {
  return { districtCode: account.districtCode, providerId: account.providerId, staffId: account.staffId };
}
