import { LoginThrottle, type LoginThrottlePolicy } from './login-throttle.js';

const makeClock = (start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } => {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
};

const policy: Partial<LoginThrottlePolicy> = { maxFailures: 5, windowMs: 60_000, lockoutMs: 30_000, maxLockoutMs: 15 * 60_000, forgiveMs: 15 * 60_000 };

/** Steps: 'F' = failure, 'S' = success, a number = advance the clock by that many ms. */
type Step = 'F' | 'S' | number;

function run(steps: Step[], overrides: Partial<LoginThrottlePolicy> = {}): { locked: boolean; lockedForMs: number | undefined } {
  const clock = makeClock();
  const throttle = new LoginThrottle({ ...policy, ...overrides }, clock.now);
  for (const step of steps) {
    if (step === 'F') throttle.recordFailure('bed-000123@10.0.0.7');
    else if (step === 'S') throttle.recordSuccess('bed-000123@10.0.0.7');
    else clock.advance(step);
  }
  const until = throttle.lockedUntil('bed-000123@10.0.0.7');
  return { locked: throttle.isLocked('bed-000123@10.0.0.7'), lockedForMs: until === undefined ? undefined : until - clock.now() };
}

const fiveFailures: Step[] = ['F', 'F', 'F', 'F', 'F'];

describe('LoginThrottle', () => {
  it.each<[string, Step[], boolean, number | undefined]>([
    ['does not lock after four failures', ['F', 'F', 'F', 'F'], false, undefined],
    ['locks for 30 s after five failures within a minute', fiveFailures, true, 30_000],
    ['does not lock when the failures are spread over more than a minute', ['F', 'F', 'F', 'F', 61_000, 'F'], false, undefined],
    ['unlocks once the lockout has passed', [...fiveFailures, 30_000], false, undefined],
    ['stays locked one millisecond before the lockout ends', [...fiveFailures, 29_999], true, 1],
    ['ignores failures while locked (the lockout is not extended)', [...fiveFailures, 10_000, 'F', 'F'], true, 20_000],
    ['re-locks for 60 s on the first failure after a lockout', [...fiveFailures, 30_000, 'F'], true, 60_000],
    ['doubles again to 120 s', [...fiveFailures, 30_000, 'F', 60_000, 'F'], true, 120_000],
    ['caps the lockout at 15 min', [...fiveFailures, 30_000, 'F', 60_000, 'F', 120_000, 'F', 240_000, 'F', 480_000, 'F', 900_000, 'F'], true, 900_000],
    ['forgives earlier lockouts after a long quiet period', [...fiveFailures, 30_000, 15 * 60_000 + 1, 'F'], false, undefined],
    ['resets on a success', ['F', 'F', 'F', 'F', 'S', 'F'], false, undefined],
    ['resets the doubling on a success', [...fiveFailures, 30_000, 'S', ...fiveFailures], true, 30_000],
  ])('%s', (_name, steps, locked, lockedForMs) => {
    expect(run(steps)).toEqual({ locked, lockedForMs });
  });

  it('keeps keys apart', () => {
    const clock = makeClock();
    const throttle = new LoginThrottle(policy, clock.now);
    for (let i = 0; i < 5; i++) throttle.recordFailure('addr:10.0.0.1');
    expect([throttle.isLocked('addr:10.0.0.1'), throttle.isLocked('addr:10.0.0.2')]).toEqual([true, false]);
  });

  it('prunes keys without lockout or recent failure, and keeps locked ones', () => {
    const clock = makeClock();
    const throttle = new LoginThrottle(policy, clock.now);
    throttle.recordFailure('idle');
    for (let i = 0; i < 5; i++) throttle.recordFailure('locked');
    clock.advance(60_001);
    throttle.prune();
    expect([throttle.size, throttle.isLocked('locked')]).toEqual([1, false]);
  });

  it('never tracks more than maxKeys keys', () => {
    const clock = makeClock();
    const throttle = new LoginThrottle({ ...policy, maxKeys: 3 }, clock.now);
    for (let i = 0; i < 10; i++) throttle.recordFailure(`key-${i}`);
    expect(throttle.size).toBe(3);
  });
});
