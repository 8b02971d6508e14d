/**
 * Exponential lockout after repeated failed logins, keyed by whatever the
 * caller chooses (`LoginGuard` keeps one per remote address and one per
 * device id + address, never one per device id alone). Pure: time comes from
 * the injected clock.
 *
 * Policy: `maxFailures` failures within `windowMs` lock the key for
 * `lockoutMs`. A failure within `forgiveMs` after a lockout ends locks it again
 * at once, for twice as long, up to `maxLockoutMs`. A success resets the key.
 *
 * @example
 * const throttle = new LoginThrottle({ maxFailures: 5 }, () => Date.now());
 * if (throttle.isLocked(key)) refuse();
 * else if (!secretOk) throttle.recordFailure(key);
 * else throttle.recordSuccess(key);
 */
export interface LoginThrottlePolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
  readonly maxLockoutMs: number;
  /** How long after a lockout ends a single failure re-locks (doubled). */
  readonly forgiveMs: number;
  /** Bound on tracked keys so a flood of made-up names cannot exhaust memory. */
  readonly maxKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE_POLICY: LoginThrottlePolicy = {
  maxFailures: 5,
  windowMs: 60_000,
  lockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
  forgiveMs: 15 * 60_000,
  maxKeys: 100_000,
};

interface KeyState {
  failures: number;
  windowStart: number;
  /** Lockouts served since the last success or forgiveness. */
  strikes: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly policy: LoginThrottlePolicy;
  private readonly keys = new Map<string, KeyState>();

  constructor(
    policy: Partial<LoginThrottlePolicy>,
    private readonly now: () => number,
  ) {
    this.policy = { ...DEFAULT_LOGIN_THROTTLE_POLICY, ...policy };
  }

  isLocked(key: string): boolean {
    const state = this.keys.get(key);
    return state !== undefined && this.now() < state.lockedUntil;
  }

  /** Epoch ms when the lockout ends, or undefined when the key is not locked. */
  lockedUntil(key: string): number | undefined {
    return this.isLocked(key) ? this.keys.get(key)?.lockedUntil : undefined;
  }

  recordFailure(key: string): void {
    const now = this.now();
    const state = this.keys.get(key) ?? this.track(key, now);
    if (now < state.lockedUntil) return; // already locked: attempts are refused unchecked
    if (state.strikes > 0 && now - state.lockedUntil > this.policy.forgiveMs) {
      state.strikes = 0;
      state.failures = 0;
      state.windowStart = now;
    }
    if (state.strikes > 0) {
      this.lock(state, now);
      return;
    }
    if (now - state.windowStart > this.policy.windowMs) {
      state.windowStart = now;
      state.failures = 0;
    }
    state.failures += 1;
    if (state.failures >= this.policy.maxFailures) this.lock(state, now);
  }

  recordSuccess(key: string): void {
    this.keys.delete(key);
  }

  /** Forgets keys that carry no lockout and no recent failure. */
  prune(): void {
    const now = this.now();
    for (const [key, state] of this.keys) {
      if (this.isIdle(state, now)) this.keys.delete(key);
    }
  }

  /** Number of keys currently tracked (for tests and diagnostics). */
  get size(): number {
    return this.keys.size;
  }

  private isIdle(state: KeyState, now: number): boolean {
    if (now < state.lockedUntil) return false;
    if (state.strikes > 0) return now - state.lockedUntil > this.policy.forgiveMs;
    return now - state.windowStart > this.policy.windowMs;
  }

  private track(key: string, now: number): KeyState {
    if (this.keys.size >= this.policy.maxKeys) {
      this.prune();
      // Still full: drop the oldest entry (Map keeps insertion order).
      const oldest = this.keys.keys().next();
      if (this.keys.size >= this.policy.maxKeys && oldest.done !== true) this.keys.delete(oldest.value);
    }
    const state: KeyState = { failures: 0, windowStart: now, strikes: 0, lockedUntil: 0 };
    this.keys.set(key, state);
    return state;
  }

  private lock(state: KeyState, now: number): void {
    const duration = Math.min(this.policy.lockoutMs * 2 ** state.strikes, this.policy.maxLockoutMs);
    state.lockedUntil = now + duration;
    state.strikes += 1;
    state.failures = 0;
  }
}
