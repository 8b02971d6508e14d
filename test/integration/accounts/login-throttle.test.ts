/**
 * Acceptance (security issue, REST login throttle) over real HTTP, each
 * attacker and user on its own loopback address: wrong passwords from one
 * address never keep the real user out; an account attacked from many
 * addresses is slowed (a bounded delay, through the injected sleeper), never
 * refused to the right password from a clean address, and raises one
 * `account_login_attack` operator alert per episode. Every throttle decision
 * is counted in `anxin_auth_login_throttle_total{decision,key}`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Registry } from 'prom-client';
import type { OperatorAlertSink } from '../../../src/domain/operator-alerts/operator-alert.js';
import { OPERATOR_ALERTS, PROM_REGISTRY } from '../../../src/platform.tokens.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { loginFrom, startDemoPlatform, T0 } from './access.fixtures.js';

async function decisions(platform: TestPlatform, decision: string, key: string): Promise<number> {
  const metric = await platform.app.get<symbol, Registry>(PROM_REGISTRY).getSingleMetric('anxin_auth_login_throttle_total')?.get();
  return metric?.values.find((v) => v.labels.decision === decision && v.labels.key === key)?.value ?? 0;
}

describe('accounts: the login throttle under attack', () => {
  let platform: TestPlatform;
  /** Every delay the platform asked for; the sleeper returns at once. */
  const slept: number[] = [];
  let raise: jest.SpiedFunction<OperatorAlertSink['raise']>;

  beforeAll(async () => {
    platform = await startDemoPlatform({ now: () => T0, sleep: (ms) => (slept.push(ms), Promise.resolve()) });
    // Spy on whatever sink the platform wires: the throttle calls it through the instance.
    raise = jest.spyOn(platform.app.get<symbol, OperatorAlertSink>(OPERATOR_ALERTS), 'raise');
  });

  beforeEach(() => {
    slept.length = 0;
    raise.mockClear();
  });

  afterAll(async () => {
    raise.mockRestore();
    await platform.dispose();
  });

  it('lets the real user in at once, every time, from another address while an attacker sends 100 wrong passwords; the attacker is throttled and counted', async () => {
    const refusedBefore = await decisions(platform, 'refuse', 'account_address');
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      const res = await loginFrom(platform, '127.0.0.2', 'qiaokou.officer', `guess-${i}`);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      if (i % 10 === 9) expect((await loginFrom(platform, '127.0.0.3', 'qiaokou.officer')).status).toBe(200);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(95);
    expect(slept).toEqual([]); // "at once": no login was slowed
    expect(await decisions(platform, 'refuse', 'account_address')).toBe(refusedBefore + 95);
    expect(await decisions(platform, 'allow', 'none')).toBeGreaterThanOrEqual(15);
  });

  it('slows an account attacked from many addresses (500 ms doubling, capped at 5 s), never refuses the right password from a clean address, and alerts once per episode', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 30; i += 1) statuses.push((await loginFrom(platform, `127.0.1.${i}`, 'hanyang.officer', `guess-${i}`)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect(slept).toEqual([500, 1_000, 2_000, 4_000, ...Array<number>(16).fill(5_000)]);
    expect(raise).toHaveBeenCalledTimes(1);
    expect(raise).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'account_login_attack', subject: 'hanyang.officer', raisedAt: T0, detail: expect.objectContaining({ attempts: 20 }) as unknown }),
    );

    slept.length = 0;
    const user = await loginFrom(platform, '127.0.2.1', 'hanyang.officer');
    expect(user.status).toBe(200);
    expect(slept).toEqual([5_000]);
    // The attack goes on: slowed and counted, but no second alert in the same episode.
    for (let i = 31; i <= 40; i += 1) expect((await loginFrom(platform, `127.0.1.${i}`, 'hanyang.officer', `guess-${i}`)).status).toBe(401);
    expect(raise).toHaveBeenCalledTimes(1);
    expect(await decisions(platform, 'slow', 'account')).toBe(20 + 1 + 10);
    // The operator sees it: stored once, with the addresses it came from.
    await platform.app.get<symbol, { flush(): Promise<void> }>(OPERATOR_ALERTS).flush();
    const listed = (await (await platform.api('/api/operator-alerts?kind=account_login_attack&subject=hanyang.officer')).json()) as { items: { detail: { addresses: string[] } }[] };
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]?.detail.addresses).toContain('127.0.1.20');
  });
});
