/**
 * Restart safety (issue 3, acceptance 3): a night bed exit opens a 30-minute
 * no-return window; the backend restarts in the middle of it; the new
 * process restores the rule engine's snapshot and raises the alert exactly
 * at the deadline — not before — on server time (the home is silent).
 *
 * Time is an injected clock moved by the test, so 30 minutes take seconds.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ResidentContextCache } from '../../../src/alerting/resident-context.cache.js';
import type { AlertRaised } from '../../../src/domain/alerts/alert.schema.js';
import type { DeviceEventReceived } from '../../../src/domain/events/domain-events.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { eventually, HOME, seedResident } from '../../e2e/alerting/alerting.fixtures.js';

const MIN = 60_000;
/** 2026-01-15 23:00 in Asia/Shanghai (15:00 UTC): inside the default night window 21:30–06:30. */
const T0 = Date.UTC(2026, 0, 15, 15, 0, 0);

function bedExit(ts: number): DeviceEventReceived {
  return { deviceId: 'bed-restart01', deviceType: 'care-bed', residentId: 'r-alert-1', homeId: HOME.id, districtCode: '420103', streetCode: '420103001', ts, receivedAt: ts, seq: 1, event: 'bed_exit', details: {}, buffered: false };
}

async function bedExitAlerts(platform: TestPlatform): Promise<{ id: string; severity: string; state: string; firstRaisedAt: number; conditionEndedAt: number | null }[]> {
  const res = await platform.api('/api/alerts?residentId=r-alert-1&kind=bed_exit_no_return');
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string; severity: string; state: string; firstRaisedAt: number; conditionEndedAt: number | null }[] }).items;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('rule state across a restart', () => {
  let now = T0;
  const clock = (): number => now;
  const started: TestPlatform[] = [];

  afterAll(async () => {
    for (const p of started) await p.close();
    await started[0]?.dispose();
  });

  it('raises the night bed-exit alert at its 30-minute deadline although the backend restarted at minute 12', async () => {
    const first = await startTestPlatform({ now: clock });
    started.push(first);
    await seedResident(first);
    await first.get(ResidentContextCache).refresh('r-alert-1');

    first.get(DomainEventBus).publish('DeviceEventReceived', bedExit(T0));
    now = T0 + 12 * MIN;
    await sleep(1_200); // at least one tick on the first process: nothing is due
    expect(await bedExitAlerts(first)).toEqual([]);
    await first.close(); // graceful: the engine snapshot is written on shutdown

    now = T0 + 20 * MIN;
    const second = await startTestPlatform({ now: clock, dataDir: first.dataDir });
    started.push(second);
    const raised: AlertRaised[] = [];
    second.get(DomainEventBus).subscribe('AlertRaised', (c) => raised.push(c));

    now = T0 + 30 * MIN - 1_000;
    await sleep(1_200);
    expect(await bedExitAlerts(second)).toEqual([]);
    expect(raised).toEqual([]);

    now = T0 + 30 * MIN;
    const [alert] = await eventually(async () => {
      const items = await bedExitAlerts(second);
      return items.length > 0 ? items : undefined;
    });
    expect(alert).toMatchObject({ severity: 'major', state: 'active', firstRaisedAt: T0 + 30 * MIN });
    expect(raised.map((c) => [c.alert.kind, c.alert.firstRaisedAt])).toEqual([['bed_exit_no_return', T0 + 30 * MIN]]);
  }, 30_000);

  it('keeps an alert raised before the restart as the same alert (no duplicate after restore)', async () => {
    const second = started[1];
    if (!second) throw new Error('previous test did not start the second platform');
    const [before] = await bedExitAlerts(second);
    await second.close();
    now = T0 + 31 * MIN;
    const third = await startTestPlatform({ now: clock, dataDir: second.dataDir });
    started.push(third);
    await third.get(ResidentContextCache).refresh('r-alert-1');
    // The resident is back in bed: the alert raised before the restart is the one that ends, not a duplicate.
    // (It clears once the episode merge window has passed without a return.)
    third.get(DomainEventBus).publish('DeviceEventReceived', { ...bedExit(T0 + 31 * MIN), seq: 2, event: 'bed_enter' });
    const [after] = await eventually(async () => {
      const items = await bedExitAlerts(third);
      return items.length === 1 && items[0]?.conditionEndedAt === T0 + 31 * MIN ? items : undefined;
    });
    expect(after?.id).toBe(before?.id);
  }, 30_000);
});
