/**
 * The login throttles of the broker, combined: which attempts to refuse
 * unchecked, and when a device id is under attack. Pure: time comes from the
 * injected clock.
 *
 * Device secrets are high-entropy, so guessing one is hopeless and a lockout
 * keyed by the device id alone protects nothing: it only hands anyone who
 * knows the id a way to lock the real device out. So the guard never throttles
 * a device id alone:
 *
 * - **device+address** (default 5 failures/min): one address hammering one
 *   device id. Locks that address for that id only; a success from that
 *   address resets it.
 * - **address** (default 30 failures/min): one address spraying guesses over
 *   many device ids. Looser, because the devices of a care home share one NAT
 *   address; not reset by a success (one valid login must not wipe the
 *   record of a spray), it decays with its window. Attempts refused unchecked
 *   by the device+address key do not count here, so one misprovisioned device
 *   behind the NAT locks itself, not its home.
 * - **attack** (default 20 refused logins for one device id within 10 min,
 *   from any addresses): never refuses anything, it only tells the caller to
 *   raise an operator alert, once per episode.
 *
 * So the right secret from an address that is not itself throttled always
 * connects.
 *
 * @example
 * const guard = new LoginGuard({}, () => Date.now());
 * const check = guard.check('10.0.0.7', 'sos-000001');
 * if (check.throttled) refuse('login_throttled');
 * else if (!secretOk) { const outcome = guard.recordFailure('10.0.0.7', 'sos-000001'); if (outcome.attack) alert(outcome.attack); }
 * else guard.recordSuccess('10.0.0.7', 'sos-000001');
 */
import { RepeatedEventDetector, type RepeatedEventPolicy } from '../operator-alerts/repeated-event-detector.js';
import { LoginThrottle, type LoginThrottlePolicy } from './login-throttle.js';

export const LOGIN_THROTTLE_SCOPES = ['address', 'device_address'] as const;
export type LoginThrottleScope = (typeof LOGIN_THROTTLE_SCOPES)[number];

export interface LoginGuardPolicy {
  readonly address: Partial<LoginThrottlePolicy>;
  readonly deviceAddress: Partial<LoginThrottlePolicy>;
  readonly attack: RepeatedEventPolicy;
}

export const DEFAULT_LOGIN_GUARD_POLICY: LoginGuardPolicy = {
  address: { maxFailures: 30, windowMs: 60_000 },
  deviceAddress: { maxFailures: 5, windowMs: 60_000 },
  attack: { threshold: 20, windowMs: 10 * 60_000 },
};

export type LoginGuardCheck = { readonly throttled: false } | { readonly throttled: true; readonly scope: LoginThrottleScope };

/** A device id that reached the attack threshold (first time in this episode). */
export interface LoginAttack {
  readonly deviceId: string;
  readonly refusedLogins: number;
  readonly windowMs: number;
  /** The most recent distinct addresses the refused logins came from (at most 10). */
  readonly addresses: readonly string[];
}

export interface LoginOutcome {
  /** Keys this failure locked (each is a new lockout). */
  readonly locked: readonly LoginThrottleScope[];
  readonly attack?: LoginAttack;
}

const MAX_ADDRESSES_PER_DEVICE = 10;
const NOT_THROTTLED: LoginGuardCheck = Object.freeze({ throttled: false });

export class LoginGuard {
  private readonly address: LoginThrottle;
  private readonly deviceAddress: LoginThrottle;
  private readonly attacks: RepeatedEventDetector;
  private readonly attackWindowMs: number;
  /** Recent addresses of refused logins per device id, for the alert; pruned with the detector. */
  private readonly recentAddresses = new Map<string, string[]>();

  constructor(
    policy: Partial<{ readonly address: Partial<LoginThrottlePolicy>; readonly deviceAddress: Partial<LoginThrottlePolicy>; readonly attack: Partial<RepeatedEventPolicy> }>,
    private readonly now: () => number,
  ) {
    this.address = new LoginThrottle({ ...DEFAULT_LOGIN_GUARD_POLICY.address, ...policy.address }, now);
    this.deviceAddress = new LoginThrottle({ ...DEFAULT_LOGIN_GUARD_POLICY.deviceAddress, ...policy.deviceAddress }, now);
    const attack = { ...DEFAULT_LOGIN_GUARD_POLICY.attack, ...policy.attack };
    this.attacks = new RepeatedEventDetector(attack);
    this.attackWindowMs = attack.windowMs;
  }

  /** The cheap gate, before CONNECT is looked at: is the address itself throttled? */
  checkAddress(address: string): LoginGuardCheck {
    return this.address.isLocked(address) ? { throttled: true, scope: 'address' } : NOT_THROTTLED;
  }

  /** Address first, then this device id from this address. Never the device id alone. */
  check(address: string, deviceId: string | undefined): LoginGuardCheck {
    const byAddress = this.checkAddress(address);
    if (byAddress.throttled || deviceId === undefined) return byAddress;
    return this.deviceAddress.isLocked(deviceAddressKey(deviceId, address)) ? { throttled: true, scope: 'device_address' } : NOT_THROTTLED;
  }

  /**
   * A checked login failed. `deviceId` is the registered device it named
   * (undefined for an unknown id: only the address counts it, so made-up ids
   * cannot fill the tables).
   */
  recordFailure(address: string, deviceId: string | undefined): LoginOutcome {
    const locked: LoginThrottleScope[] = [];
    if (lockedBy(this.address, address)) locked.push('address');
    if (deviceId === undefined) return { locked };
    if (lockedBy(this.deviceAddress, deviceAddressKey(deviceId, address))) locked.push('device_address');
    const attack = this.recordRefused(address, deviceId);
    return attack === undefined ? { locked } : { locked, attack };
  }

  /** An attempt for a registered device refused unchecked because a key was locked: it still counts towards an attack. */
  recordThrottled(address: string, deviceId: string | undefined): LoginAttack | undefined {
    return deviceId === undefined ? undefined : this.recordRefused(address, deviceId);
  }

  /** Resets this device id from this address only; the address key decays with its window. */
  recordSuccess(address: string, deviceId: string): void {
    this.deviceAddress.recordSuccess(deviceAddressKey(deviceId, address));
  }

  prune(): void {
    const at = this.now();
    this.address.prune();
    this.deviceAddress.prune();
    this.attacks.prune(at);
    for (const deviceId of this.recentAddresses.keys()) if (this.attacks.countIn(deviceId, at) === 0) this.recentAddresses.delete(deviceId);
  }

  /** Keys tracked by each part (for tests and diagnostics). */
  get size(): { address: number; deviceAddress: number; attack: number } {
    return { address: this.address.size, deviceAddress: this.deviceAddress.size, attack: this.attacks.size };
  }

  private recordRefused(address: string, deviceId: string): LoginAttack | undefined {
    const at = this.now();
    let addresses = this.recentAddresses.get(deviceId);
    if (addresses === undefined) {
      // Bounded like the detector: drop the oldest device first.
      if (this.recentAddresses.size >= 10_000) {
        const oldest = this.recentAddresses.keys().next();
        if (oldest.done !== true) this.recentAddresses.delete(oldest.value);
      }
      addresses = [];
      this.recentAddresses.set(deviceId, addresses);
    }
    if (!addresses.includes(address)) {
      addresses.push(address);
      if (addresses.length > MAX_ADDRESSES_PER_DEVICE) addresses.shift();
    }
    if (!this.attacks.record(deviceId, at)) return undefined;
    return { deviceId, refusedLogins: this.attacks.countIn(deviceId, at), windowMs: this.attackWindowMs, addresses: [...addresses] };
  }
}

function deviceAddressKey(deviceId: string, address: string): string {
  return `${deviceId}@${address}`;
}

/** Records a failure; true when it started a lockout. */
function lockedBy(throttle: LoginThrottle, key: string): boolean {
  const before = throttle.isLocked(key);
  throttle.recordFailure(key);
  return !before && throttle.isLocked(key);
}
