/**
 * The login throttle for human accounts (REST and console logins), after
 * OWASP's Authentication Cheat Sheet ("Login Throttling", "Account Lockout"):
 *
 * - Per **address**: password spraying from one place. Loose, because a care
 *   home's staff share one NAT address: 50 failures in 10 minutes lock the
 *   address for 1 minute, doubling per further lockout up to 15 minutes.
 * - Per **account+address**: guessing one account's password from one place.
 *   5 failures in 15 minutes lock that pair for 30 seconds, doubling per
 *   further failure after a lockout up to 15 minutes. The real user on another
 *   address is untouched, so an attacker cannot lock them out (the cheat
 *   sheet's warning that lockout must not become a denial of service).
 * - Per **account**, across all addresses: the cheat sheet keeps the failure
 *   counter on the account so that many addresses do not multiply the
 *   guesses. We slow instead of locking: from the 10th failure of an episode
 *   (failures less than 15 minutes apart) every attempt on the account waits
 *   500 ms, doubling per failure, capped at 5 s. The right password from a
 *   clean address is slowed, never refused. Waiting holds a request open, so
 *   at most 10 attempts per account may wait at once; beyond that an address
 *   that already failed on the account is refused rather than queued.
 *
 * Attempts refused by a lockout are not checked, so they are not failures:
 * one address cannot push the account into slowing. They still count towards
 * the attack alert: 20 failed or refused attempts on one account within 10
 * minutes is an attack an operator should see, reported once per episode.
 *
 * Pure: times are passed in; memory is bounded by `maxKeys` per table.
 *
 * @example
 * const gate = throttle.admit('qiaokou.officer', '10.0.0.7', now);
 * if (gate.decision === 'refuse') throw new LoginError('throttled', gate.retryAt);
 * if (gate.decision === 'slow') { await sleep(gate.delayMs); throttle.release(gate); }
 * const attack = ok ? throttle.recordSuccess(user, address) : throttle.recordFailure(user, address, now);
 */
import { RepeatedEventDetector } from '../operator-alerts/repeated-event-detector.js';

export interface LockoutPolicy {
  /** Failures within `windowMs` (counted from the first) that lock the key. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** The first lockout; each further one doubles, up to `maxLockoutMs`. */
  readonly lockoutMs: number;
  readonly maxLockoutMs: number;
  /** After a lockout ends, this many failures lock again (doubled). */
  readonly relockFailures: number;
  /** Quiet time after a lockout ends that forgives the key (back to the first lockout). */
  readonly forgiveMs: number;
}

export interface SlowdownPolicy {
  /** Failures of one episode after which every attempt on the account waits. */
  readonly slowAfter: number;
  /** An episode ends after this long without a failure on the account. */
  readonly quietMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts on one account that may wait at once. */
  readonly maxWaiting: number;
}

export interface AccountLoginThrottlePolicy {
  readonly perAddress: LockoutPolicy;
  readonly perAccountAddress: LockoutPolicy;
  readonly perAccount: SlowdownPolicy;
  readonly attackAlert: { readonly threshold: number; readonly windowMs: number };
  /** Bound on each table so a flood of made-up names or addresses cannot exhaust memory. */
  readonly maxKeys: number;
}

const MIN = 60_000;

export const DEFAULT_ACCOUNT_LOGIN_THROTTLE: AccountLoginThrottlePolicy = {
  perAddress: { maxFailures: 50, windowMs: 10 * MIN, lockoutMs: MIN, maxLockoutMs: 15 * MIN, relockFailures: 10, forgiveMs: 15 * MIN },
  perAccountAddress: { maxFailures: 5, windowMs: 15 * MIN, lockoutMs: 30_000, maxLockoutMs: 15 * MIN, relockFailures: 1, forgiveMs: 15 * MIN },
  perAccount: { slowAfter: 10, quietMs: 15 * MIN, baseDelayMs: 500, maxDelayMs: 5_000, maxWaiting: 10 },
  attackAlert: { threshold: 20, windowMs: 10 * MIN },
  maxKeys: 100_000,
};

/** Which key a decision was taken on, for metrics and logs. */
export type ThrottleKey = 'address' | 'account_address' | 'account';

export type LoginGate =
  | { readonly decision: 'allow' }
  /** Check the password after `delayMs`, then `release(gate)`. */
  | { readonly decision: 'slow'; readonly key: 'account'; readonly delayMs: number; readonly account: string }
  /** Refuse unchecked; another attempt is allowed at `retryAt`. `attack` is set when this refusal completes an attack episode. */
  | { readonly decision: 'refuse'; readonly key: ThrottleKey; readonly retryAt: number; readonly attack?: LoginAttack };

/** An account under sustained attack: what the operator alert reports. */
export interface LoginAttack {
  readonly account: string;
  readonly attempts: number;
  readonly windowMs: number;
  /** Distinct addresses seen in the episode (at most 10, the latest). */
  readonly addresses: readonly string[];
}

interface LockoutState {
  failures: number;
  windowStart: number;
  strikes: number;
  lockedUntil: number;
}

interface AccountState {
  failures: number;
  lastFailureAt: number;
  waiting: number;
  addresses: string[];
}

const MAX_ADDRESSES_REPORTED = 10;

/** A key-to-state map that drops its oldest entry when full. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly maxKeys: number) {
    super();
  }

  getOrAdd(key: string, make: () => V, isIdle: (v: V) => boolean): V {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    if (this.size >= this.maxKeys) {
      for (const [k, v] of this) if (isIdle(v)) this.delete(k);
      const oldest = this.keys().next();
      if (this.size >= this.maxKeys && oldest.done !== true) this.delete(oldest.value);
    }
    const value = make();
    this.set(key, value);
    return value;
  }
}

class Lockout {
  private readonly keys: BoundedMap<LockoutState>;

  constructor(
    private readonly policy: LockoutPolicy,
    maxKeys: number,
  ) {
    this.keys = new BoundedMap(maxKeys);
  }

  lockedUntil(key: string, at: number): number | undefined {
    const state = this.keys.get(key);
    return state !== undefined && at < state.lockedUntil ? state.lockedUntil : undefined;
  }

  hasFailures(key: string, at: number): boolean {
    const state = this.keys.get(key);
    return state !== undefined && !this.isIdle(state, at);
  }

  recordFailure(key: string, at: number): void {
    const state = this.keys.getOrAdd(key, () => ({ failures: 0, windowStart: at, strikes: 0, lockedUntil: 0 }), (s) => this.isIdle(s, at));
    if (at < state.lockedUntil) return;
    if (state.strikes > 0 && at - state.lockedUntil > this.policy.forgiveMs) {
      state.strikes = 0;
      state.failures = 0;
      state.windowStart = at;
    }
    if (state.strikes === 0 && at - state.windowStart > this.policy.windowMs) {
      state.failures = 0;
      state.windowStart = at;
    }
    state.failures += 1;
    if (state.failures >= (state.strikes > 0 ? this.policy.relockFailures : this.policy.maxFailures)) {
      state.lockedUntil = at + Math.min(this.policy.lockoutMs * 2 ** state.strikes, this.policy.maxLockoutMs);
      state.strikes += 1;
      state.failures = 0;
    }
  }

  forget(key: string): void {
    this.keys.delete(key);
  }

  prune(at: number): void {
    for (const [key, state] of this.keys) if (this.isIdle(state, at)) this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }

  private isIdle(state: LockoutState, at: number): boolean {
    if (at < state.lockedUntil) return false;
    if (state.strikes > 0) return at - state.lockedUntil > this.policy.forgiveMs;
    return at - state.windowStart > this.policy.windowMs;
  }
}

export class AccountLoginThrottle {
  private readonly policy: AccountLoginThrottlePolicy;
  private readonly byAddress: Lockout;
  private readonly byAccountAddress: Lockout;
  private readonly byAccount: BoundedMap<AccountState>;
  private readonly attacks: RepeatedEventDetector;

  constructor(policy: Partial<AccountLoginThrottlePolicy> = {}) {
    this.policy = { ...DEFAULT_ACCOUNT_LOGIN_THROTTLE, ...policy };
    this.byAddress = new Lockout(this.policy.perAddress, this.policy.maxKeys);
    this.byAccountAddress = new Lockout(this.policy.perAccountAddress, this.policy.maxKeys);
    this.byAccount = new BoundedMap(this.policy.maxKeys);
    this.attacks = new RepeatedEventDetector({ ...this.policy.attackAlert, maxKeys: this.policy.maxKeys });
  }

  /** Decides whether an attempt for `account` from `address` is checked now, checked after a delay, or refused. */
  admit(account: string, address: string, at: number): LoginGate {
    const pair = pairKey(account, address);
    const pairUntil = this.byAccountAddress.lockedUntil(pair, at);
    const addressUntil = this.byAddress.lockedUntil(address, at);
    if (pairUntil !== undefined || addressUntil !== undefined) {
      const key: ThrottleKey = pairUntil !== undefined ? 'account_address' : 'address';
      return this.refuse(key, Math.max(pairUntil ?? 0, addressUntil ?? 0), account, address, at);
    }
    const state = this.accountState(account, at);
    if (state === undefined || state.failures < this.policy.perAccount.slowAfter) return { decision: 'allow' };
    const { baseDelayMs, maxDelayMs, maxWaiting, slowAfter } = this.policy.perAccount;
    // A clean address (no recent failure on this account) is always let through to the
    // password check, however many attempts wait: that is how the real user gets in.
    if (state.waiting >= maxWaiting && this.byAccountAddress.hasFailures(pair, at)) return this.refuse('account', at + maxDelayMs, account, address, at);
    state.waiting += 1;
    return { decision: 'slow', key: 'account', delayMs: Math.min(baseDelayMs * 2 ** Math.min(state.failures - slowAfter, 30), maxDelayMs), account };
  }

  /** Ends the wait of a slowed attempt (call it whatever the outcome). */
  release(gate: Extract<LoginGate, { decision: 'slow' }>): void {
    const state = this.byAccount.get(gate.account);
    if (state !== undefined && state.waiting > 0) state.waiting -= 1;
  }

  /** A checked attempt failed (unknown user, wrong password or disabled account alike). Returns the attack when it completes an episode. */
  recordFailure(account: string, address: string, at: number): LoginAttack | undefined {
    this.byAddress.recordFailure(address, at);
    this.byAccountAddress.recordFailure(pairKey(account, address), at);
    const state = this.byAccount.getOrAdd(account, () => ({ failures: 0, lastFailureAt: at, waiting: 0, addresses: [] }), (s) => s.waiting === 0 && this.isQuiet(s, at));
    this.restartIfQuiet(state, at);
    state.failures += 1;
    state.lastFailureAt = at;
    return this.noteAttempt(account, address, at, state);
  }

  /** The right password: forgets that pair's failures. The account's and the address's counts stay, so a success cannot end an attack on either. */
  recordSuccess(account: string, address: string): void {
    this.byAccountAddress.forget(pairKey(account, address));
  }

  /** Forgets keys with nothing left to remember. */
  prune(at: number): void {
    this.byAddress.prune(at);
    this.byAccountAddress.prune(at);
    for (const [key, state] of this.byAccount) if (state.waiting === 0 && this.isQuiet(state, at)) this.byAccount.delete(key);
    this.attacks.prune(at);
  }

  /** Tracked keys per table (tests and diagnostics). */
  get sizes(): { address: number; accountAddress: number; account: number } {
    return { address: this.byAddress.size, accountAddress: this.byAccountAddress.size, account: this.byAccount.size };
  }

  private refuse(key: ThrottleKey, retryAt: number, account: string, address: string, at: number): LoginGate {
    const attack = this.noteAttempt(account, address, at, this.accountState(account, at));
    return attack === undefined ? { decision: 'refuse', key, retryAt } : { decision: 'refuse', key, retryAt, attack };
  }

  private noteAttempt(account: string, address: string, at: number, state: AccountState | undefined): LoginAttack | undefined {
    if (state !== undefined && !state.addresses.includes(address)) {
      state.addresses.push(address);
      if (state.addresses.length > MAX_ADDRESSES_REPORTED) state.addresses.shift();
    }
    if (!this.attacks.record(account, at)) return undefined;
    const { threshold, windowMs } = this.policy.attackAlert;
    return { account, attempts: threshold, windowMs, addresses: [...(state?.addresses ?? [address])] };
  }

  /** The account's state, its episode restarted when it has been quiet long enough. */
  private accountState(account: string, at: number): AccountState | undefined {
    const state = this.byAccount.get(account);
    if (state !== undefined) this.restartIfQuiet(state, at);
    return state;
  }

  private restartIfQuiet(state: AccountState, at: number): void {
    if (!this.isQuiet(state, at)) return;
    state.failures = 0;
    state.addresses = [];
  }

  private isQuiet(state: AccountState, at: number): boolean {
    return at - state.lastFailureAt > this.policy.perAccount.quietMs;
  }
}

/** An address never contains a newline, so the last one splits the key unambiguously. */
function pairKey(account: string, address: string): string {
  return `${account}\n${address}`;
}
