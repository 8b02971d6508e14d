import { LoginGuard, type LoginGuardCheck } from './login-guard.js';

const makeClock = (start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } => {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
};

const ATTACKER = '203.0.113.9';
const HOME_NAT = '198.51.100.20';
const SOS = 'sos-000001';

const makeGuard = (policy: ConstructorParameters<typeof LoginGuard>[0] = {}): { guard: LoginGuard; clock: ReturnType<typeof makeClock> } => {
  const clock = makeClock();
  return { guard: new LoginGuard(policy, clock.now), clock };
};

/** One login attempt as the broker makes it: check, then record what a wrong secret does. */
function attemptWrong(guard: LoginGuard, address: string, deviceId: string | undefined): LoginGuardCheck {
  const check = guard.check(address, deviceId);
  if (check.throttled) guard.recordThrottled(address, deviceId);
  else guard.recordFailure(address, deviceId);
  return check;
}

describe('LoginGuard', () => {
  it('never throttles a device id alone: 100 wrong secrets from one address leave the device free from any other address', () => {
    const { guard } = makeGuard();
    for (let i = 0; i < 100; i += 1) attemptWrong(guard, ATTACKER, SOS);
    expect([guard.check(HOME_NAT, SOS), guard.check(ATTACKER, SOS)]).toEqual([{ throttled: false }, { throttled: true, scope: 'device_address' }]);
  });

  it('locks one device id from one address after 5 failures within a minute, and reports the lockout once', () => {
    const { guard } = makeGuard();
    const outcomes = Array.from({ length: 5 }, () => guard.recordFailure(ATTACKER, SOS).locked);
    expect(outcomes).toEqual([[], [], [], [], ['device_address']]);
  });

  it('locks an address that sprays 30 device ids within a minute, for every device id', () => {
    const { guard } = makeGuard();
    for (let i = 0; i < 30; i += 1) guard.recordFailure(ATTACKER, `bed-${String(i).padStart(6, '0')}`);
    expect([guard.checkAddress(ATTACKER), guard.check(ATTACKER, 'bed-999999'), guard.check(HOME_NAT, 'bed-999999')]).toEqual([
      { throttled: true, scope: 'address' },
      { throttled: true, scope: 'address' },
      { throttled: false },
    ]);
  });

  it('counts unknown device ids on the address only (made-up ids do not fill the device tables)', () => {
    const { guard } = makeGuard();
    for (let i = 0; i < 50; i += 1) guard.recordFailure(ATTACKER, undefined);
    expect([guard.checkAddress(ATTACKER).throttled, guard.size.deviceAddress, guard.size.attack]).toEqual([true, 0, 0]);
  });

  it('does not lock a care home behind one NAT address when one of its devices keeps failing: the device locks itself, attempts refused unchecked do not count on the address', () => {
    const { guard, clock } = makeGuard();
    // A misprovisioned device retrying every second for ten minutes.
    for (let s = 0; s < 600; s += 1) {
      attemptWrong(guard, HOME_NAT, 'bed-000001');
      clock.advance(1_000);
    }
    expect([guard.check(HOME_NAT, 'sos-000002'), guard.check(HOME_NAT, 'bed-000001').throttled]).toEqual([{ throttled: false }, true]);
  });

  it('a success resets the device+address key but not the address key', () => {
    const { guard } = makeGuard({ address: { maxFailures: 6 } });
    for (let i = 0; i < 4; i += 1) guard.recordFailure(HOME_NAT, 'bed-000001');
    guard.recordSuccess(HOME_NAT, 'bed-000001');
    const afterSuccess = [guard.recordFailure(HOME_NAT, 'bed-000001').locked, guard.recordFailure(HOME_NAT, 'bed-000002').locked];
    expect(afterSuccess).toEqual([[], ['address']]);
  });

  it.each<[string, number, boolean]>([
    ['raises an attack after 20 refused logins for one device id within 10 minutes, from any addresses', 20, true],
    ['does not raise one for 19', 19, false],
  ])('%s', (_name, attempts, raised) => {
    const { guard, clock } = makeGuard();
    const attacks = [];
    for (let i = 0; i < attempts; i += 1) {
      const address = `203.0.113.${i % 7}`;
      const check = guard.check(address, SOS);
      const attack = check.throttled ? guard.recordThrottled(address, SOS) : guard.recordFailure(address, SOS).attack;
      if (attack !== undefined) attacks.push(attack);
      clock.advance(20_000);
    }
    expect(attacks.length).toBe(raised ? 1 : 0);
  });

  it('raises the attack once per episode, with the addresses it came from', () => {
    const { guard } = makeGuard({ attack: { threshold: 3, windowMs: 60_000 } });
    const attacks = [ATTACKER, HOME_NAT, ATTACKER, ATTACKER, ATTACKER].map((address) => guard.recordFailure(address, SOS).attack);
    expect(attacks).toEqual([undefined, undefined, { deviceId: SOS, refusedLogins: 3, windowMs: 60_000, addresses: [ATTACKER, HOME_NAT] }, undefined, undefined]);
  });

  it('prunes what has decayed', () => {
    const { guard, clock } = makeGuard();
    guard.recordFailure(ATTACKER, SOS);
    clock.advance(10 * 60_000 + 1);
    guard.prune();
    expect(guard.size).toEqual({ address: 0, deviceAddress: 0, attack: 0 });
  });
});
