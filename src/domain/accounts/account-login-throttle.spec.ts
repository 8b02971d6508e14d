import { AccountLoginThrottle, DEFAULT_ACCOUNT_LOGIN_THROTTLE, type LoginAttack, type LoginGate } from './account-login-throttle.js';

const MIN = 60_000;
const USER = 'qiaokou.officer';

/** `n` wrong passwords for `account` from `address` at `at`, each admitted first as the service does. */
function fail(t: AccountLoginThrottle, account: string, address: string, at: number, n = 1): { gates: LoginGate[]; attacks: LoginAttack[] } {
  const gates: LoginGate[] = [];
  const attacks: LoginAttack[] = [];
  for (let i = 0; i < n; i += 1) {
    const gate = t.admit(account, address, at);
    gates.push(gate);
    if (gate.decision === 'refuse') {
      if (gate.attack) attacks.push(gate.attack);
      continue;
    }
    if (gate.decision === 'slow') t.release(gate);
    const attack = t.recordFailure(account, address, at);
    if (attack) attacks.push(attack);
  }
  return { gates, attacks };
}

describe('AccountLoginThrottle', () => {
  it('locks an account+address pair after 5 failures, for 30 s, and leaves the account open from another address', () => {
    const t = new AccountLoginThrottle();
    const { gates } = fail(t, USER, '10.0.0.66', 0, 5);
    expect(gates.map((g) => g.decision)).toEqual(['allow', 'allow', 'allow', 'allow', 'allow']);
    expect(t.admit(USER, '10.0.0.66', 1_000)).toEqual({ decision: 'refuse', key: 'account_address', retryAt: 30_000 });
    expect(t.admit(USER, '10.0.0.7', 1_000)).toEqual({ decision: 'allow' });
    expect(t.admit('hanyang.officer', '10.0.0.66', 1_000)).toEqual({ decision: 'allow' });
  });

  it('doubles the pair lockout for each failure right after one, up to 15 minutes', () => {
    const t = new AccountLoginThrottle();
    let at = 0;
    fail(t, USER, '10.0.0.66', at, 5);
    const lockouts: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const gate = t.admit(USER, '10.0.0.66', at);
      if (gate.decision !== 'refuse') throw new Error('expected a lockout');
      lockouts.push(gate.retryAt - at);
      at = gate.retryAt;
      fail(t, USER, '10.0.0.66', at);
    }
    expect(lockouts).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000]);
  });

  it('forgives a pair after the right password from it', () => {
    const t = new AccountLoginThrottle();
    fail(t, USER, '10.0.0.7', 0, 4);
    t.recordSuccess(USER, '10.0.0.7');
    fail(t, USER, '10.0.0.7', 0, 4);
    expect(t.admit(USER, '10.0.0.7', 0).decision).toBe('allow');
  });

  it('locks an address after 50 failures in 10 minutes across usernames (spraying), not after 49 (a care home behind one NAT)', () => {
    const t = new AccountLoginThrottle();
    for (let i = 0; i < 49; i += 1) fail(t, `spray-${i}`, '10.0.0.66', i * 10_000);
    expect(t.admit('hanyang.officer', '10.0.0.66', 490_000).decision).toBe('allow');
    fail(t, 'spray-49', '10.0.0.66', 500_000);
    expect(t.admit('hanyang.officer', '10.0.0.66', 500_000)).toEqual({ decision: 'refuse', key: 'address', retryAt: 560_000 });
    expect(t.admit('hanyang.officer', '10.0.0.67', 500_000).decision).toBe('allow');
  });

  it('refuses 95 of 100 wrong passwords from one address unchecked, so they never slow the account', () => {
    const t = new AccountLoginThrottle();
    const { gates } = fail(t, USER, '10.0.0.66', 0, 100);
    expect(gates.filter((g) => g.decision === 'refuse')).toHaveLength(95);
    expect(t.admit(USER, '10.0.0.7', 0)).toEqual({ decision: 'allow' });
  });

  it('slows (never refuses) an account attacked from many addresses: 500 ms from the 10th failure, doubling, capped at 5 s', () => {
    const t = new AccountLoginThrottle();
    const delays: number[] = [];
    for (let i = 0; i < 16; i += 1) {
      const gate = t.admit(USER, `10.1.0.${i}`, i * 1_000);
      if (gate.decision === 'refuse') throw new Error('refused');
      delays.push(gate.decision === 'slow' ? gate.delayMs : 0);
      if (gate.decision === 'slow') t.release(gate);
      t.recordFailure(USER, `10.1.0.${i}`, i * 1_000);
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(t.admit(USER, '10.9.9.9', 16_000)).toMatchObject({ decision: 'slow', delayMs: 5_000 });
  });

  it('ends the slowdown after 15 minutes without a failure on the account', () => {
    const t = new AccountLoginThrottle();
    for (let i = 0; i < 12; i += 1) fail(t, USER, `10.1.0.${i}`, 0);
    expect(t.admit(USER, '10.9.9.9', 15 * MIN).decision).toBe('slow');
    expect(t.admit(USER, '10.9.9.9', 15 * MIN + 1).decision).toBe('allow');
  });

  it('lets at most 10 attempts wait per account: more from an address that failed on it are refused, a clean address still waits its turn', () => {
    const t = new AccountLoginThrottle();
    for (let i = 0; i < 10; i += 1) fail(t, USER, `10.1.0.${i}`, 0);
    const waiting = Array.from({ length: 10 }, (_, i) => t.admit(USER, `10.1.0.${i}`, 0));
    expect(waiting.every((g) => g.decision === 'slow')).toBe(true);
    expect(t.admit(USER, '10.1.0.3', 0)).toMatchObject({ decision: 'refuse', key: 'account', retryAt: 5_000 });
    const clean = t.admit(USER, '10.9.9.9', 0);
    expect(clean).toMatchObject({ decision: 'slow', delayMs: 500 });
    for (const gate of [...waiting, clean]) if (gate.decision === 'slow') t.release(gate);
    expect(t.admit(USER, '10.1.0.3', 0).decision).toBe('slow');
  });

  it('reports an attack on the 20th failed or refused attempt within 10 minutes, once per episode, naming the addresses', () => {
    const t = new AccountLoginThrottle();
    const first = fail(t, USER, '10.0.0.66', 0, 3);
    const spread = Array.from({ length: 20 }, (_, i) => fail(t, USER, `10.1.0.${i}`, MIN + i * 1_000).attacks).flat();
    expect(first.attacks).toEqual([]);
    expect(spread).toEqual([{ account: USER, attempts: 20, windowMs: 10 * MIN, addresses: expect.arrayContaining(['10.1.0.16']) as unknown }]);
    expect(spread[0]?.addresses).toHaveLength(10);
    // The episode goes on: no second report; after 10 quiet minutes a new one is reported again.
    expect(fail(t, USER, '10.2.0.1', 2 * MIN, 30).attacks).toEqual([]);
    expect(fail(t, USER, '10.3.0.1', 30 * MIN, 20).attacks).toHaveLength(1);
  });

  it('counts refused attempts from one address towards the attack report', () => {
    const t = new AccountLoginThrottle();
    expect(fail(t, USER, '10.0.0.66', 0, 100).attacks).toEqual([{ account: USER, attempts: 20, windowMs: 10 * MIN, addresses: ['10.0.0.66'] }]);
  });

  it('bounds its memory and prunes idle keys', () => {
    const t = new AccountLoginThrottle({ ...DEFAULT_ACCOUNT_LOGIN_THROTTLE, maxKeys: 100 });
    for (let i = 0; i < 1_000; i += 1) fail(t, `junk-${i}`, `10.${i >> 8}.${i & 255}.1`, i);
    expect(Object.values(t.sizes).every((n) => n <= 100)).toBe(true);
    t.prune(60 * MIN);
    expect(t.sizes).toEqual({ address: 0, accountAddress: 0, account: 0 });
  });
});
