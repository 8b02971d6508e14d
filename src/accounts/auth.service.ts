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
import { AccountLoginThrottle, type AccountLoginThrottlePolicy, type LoginAttack } from '../domain/accounts/account-login-throttle.js';
import type { Principal } from '../domain/access/principal.js';
import type { OperatorAlertSink } from '../domain/operator-alerts/operator-alert.js';
import type { Logger } from '../observability/logger.js';
import type { Clock, Sleeper } from '../platform.tokens.js';
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

export interface AuthServiceDeps {
  readonly accounts: AccountRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenCodec;
  readonly clock: Clock;
  readonly metrics: AuthMetrics;
  readonly logger: Logger;
  /** Where `account_login_attack` goes (the sink logs, counts and stores it). */
  readonly alerts: OperatorAlertSink;
  /** Waits out a slowed login (tests inject one that returns at once). */
  readonly sleep: Sleeper;
  /** Defaults: DEFAULT_ACCOUNT_LOGIN_THROTTLE (the numbers and why are in its file). */
  readonly throttle?: Partial<AccountLoginThrottlePolicy>;
}

export class AuthService {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<RevokedListener>();
  private readonly throttle: AccountLoginThrottle;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: AuthServiceDeps) {
    this.throttle = new AccountLoginThrottle(deps.throttle);
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
   *
   * The throttle (AccountLoginThrottle) runs first: a locked address or
   * account+address pair is refused unchecked (LoginError `throttled`); an
   * account under attack from many addresses is checked after a bounded delay.
   */
  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const userKey = username.toLowerCase();
    const gate = this.throttle.admit(userKey, address, this.deps.clock());
    this.deps.metrics.throttle(gate.decision, gate.decision === 'allow' ? 'none' : gate.key);
    if (gate.decision === 'refuse') {
      this.deps.metrics.failure('throttled');
      // debug, not info: an attacker sends refused attempts by the thousand; the metric counts them.
      this.deps.logger.debug({ username: userKey, address, key: gate.key }, 'login throttled');
      if (gate.attack) this.raiseAttack(gate.attack);
      throw new LoginError('throttled', gate.retryAt);
    }
    if (gate.decision === 'slow') {
      try {
        await this.deps.sleep(gate.delayMs);
      } finally {
        this.throttle.release(gate);
      }
    }
    const account = await this.deps.accounts.findByUsername(userKey);
    const ok = await this.deps.hasher.verify(account?.passwordHash ?? (await this.dummy()), password);
    const failure = !account ? 'unknown_user' : !ok ? 'wrong_password' : account.disabled ? 'disabled' : undefined;
    if (failure !== undefined || !account) {
      this.deps.metrics.failure(failure ?? 'unknown_user');
      const attack = this.throttle.recordFailure(userKey, address, this.deps.clock());
      this.deps.logger.info({ username: userKey, address, reason: failure }, 'login refused');
      if (attack) this.raiseAttack(attack);
      throw new LoginError('bad_credentials');
    }
    this.throttle.recordSuccess(userKey, address);
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
    this.throttle.prune(now);
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

  private raiseAttack(attack: LoginAttack): void {
    this.deps.alerts.raise({
      kind: 'account_login_attack',
      subject: attack.account,
      raisedAt: this.deps.clock(),
      detail: { attempts: attack.attempts, windowMs: attack.windowMs, addresses: attack.addresses },
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash(randomBytes(16).toString('base64url'));
    return this.dummyHash;
  }
}

export function scopeOf(account: Pick<AccountRecord, 'districtCode' | 'providerId' | 'staffId'>): Principal['scope'] {
  return { districtCode: account.districtCode, providerId: account.providerId, staffId: account.staffId };
}
