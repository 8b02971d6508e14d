/**
 * Issue 11, acceptance 1 (simulator): a home catches up on a buffered day at
 * 600×. The platform runs on a wall clock (one that reads 07:00 local time
 * as the test starts, so the day's timings do not depend on when CI runs);
 * the simulator replays yesterday, midnight to midnight, in about 2.5 real
 * minutes, so every reading arrives hours after its device time. The
 * resident sits still three times: 08:00–12:45 and 13:00–17:45 (ended
 * inside the backlog) and from 19:00 to the end of the day (still open at
 * the newest reading). The care plan sets 4 h without rest periods.
 * Expected: two history alerts (cleared, never dispatched), and the open one
 * raised once at its device-time start and answered by one work order once
 * the upload has ended. Before the platform told a catching-up home from a
 * live one, the server clock passed every deadline of the backlog at once:
 * dozens of alerts and P1 orders for this one resident.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ScenarioDefinition } from '../../../firmware-sim/scenarios/scenario.js';
import { assignHomes, runScenario, type ScenarioRun } from '../../../firmware-sim/scenarios/run-scenario.js';
import { DAY_MS, localMidnight } from '../../../firmware-sim/util/local-time.js';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { DurableInbox } from '../../../src/ingest/durable-inbox.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { fetchDemoManifest, startDemoPlatform, waitFor } from './simulation.fixtures.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const RESIDENTS = 20;

const BUFFERED_DAY: ScenarioDefinition = {
  name: 'buffered-day-inactivity',
  title: 'Sits still 08:00–12:45, 13:00–17:45 and from 19:00 on',
  requires: ['pir-motion'],
  steps: [
    { do: 'activity', from: '08:00', to: '12:45', activity: 'still' },
    { do: 'activity', from: '13:00', to: '17:45', activity: 'still' },
    { do: 'activity', from: '19:00', to: '24:00', activity: 'still' },
  ],
  expect: [],
  forbid: [],
  tolerate: [],
};

describe('a home catching up on a buffered day at 600× (simulator)', () => {
  let platform: TestPlatform;
  let run: ScenarioRun;
  let residentId = '';
  /** Local midnight starting the replayed day. */
  let day = 0;
  const at = (hm: string): number => {
    const [h, m] = hm.split(':').map(Number);
    return day + (h ?? 0) * HOUR + (m ?? 0) * MIN;
  };
  const inactivity = async (): Promise<Alert[]> => {
    const res = await platform.api(`/api/alerts?residentId=${residentId}&kind=prolonged_inactivity`);
    return ((await res.json()) as { items: Alert[] }).items.sort((a, b) => a.firstRaisedAt - b.firstRaisedAt);
  };

  beforeAll(async () => {
    const offset = Date.now() - (localMidnight(Date.now()) + 7 * HOUR);
    const clock = (): number => Date.now() - offset;
    day = localMidnight(clock()) - DAY_MS;
    platform = await startDemoPlatform(RESIDENTS, {}, clock);
    const all = await fetchDemoManifest(platform, RESIDENTS);
    const [homeId] = [...assignHomes(all, [BUFFERED_DAY]).keys()];
    const manifest = { homes: all.homes.filter((h) => h.homeId === homeId) };
    residentId = manifest.homes[0]!.residentId;
    const plan = await platform.api(`/api/residents/${residentId}/care-plan`, { method: 'PATCH', body: JSON.stringify({ inactivityAfterMs: 4 * HOUR, restPeriods: [] }) });
    expect(plan.status).toBe(200);

    run = await runScenario({ brokerUrl: platform.mqttUrl, manifest, scenario: BUFFERED_DAY, speed: 600, seed: 'buffered-day', now: clock, wallNow: Date.now });
    expect(run.startAt).toBe(day);
    await run.fleet.done;
    const inbox = platform.get(DurableInbox);
    await waitFor(() => inbox.backlog() === 0, 60_000, () => `inbox backlog ${inbox.backlog()}`);
    // The upload has ended: a minute later, server time takes over beyond the newest reading.
    await waitFor(async () => (await inactivity()).some((a) => a.state === 'active' && !a.heldForCatchUp), 120_000, 'the open episode released');
  }, 600_000);

  afterAll(async () => {
    await run?.fleet.stop();
    await platform?.dispose();
  }, 30_000);

  it('keeps the two stillnesses that ended inside the backlog as history, never dispatched', async () => {
    const [first, second] = (await inactivity()).filter((a) => a.state === 'cleared');
    // Raised 4 h after the last movement before each still spell (the PIR reports once a minute).
    expect(first!.firstRaisedAt).toBeGreaterThanOrEqual(at('11:50'));
    expect(first!.firstRaisedAt).toBeLessThanOrEqual(at('12:01'));
    expect(first!.clearedAt).toBeGreaterThanOrEqual(at('12:44'));
    expect(first!.clearedAt).toBeLessThanOrEqual(at('12:48'));
    expect(second!.firstRaisedAt).toBeGreaterThanOrEqual(at('16:40'));
    expect(second!.firstRaisedAt).toBeLessThanOrEqual(at('17:01'));
    expect(second!.clearedAt).toBeGreaterThanOrEqual(at('17:44'));
    expect(second!.clearedAt).toBeLessThanOrEqual(at('17:48'));
    for (const a of [first!, second!]) {
      expect(a.clearNote).toBe('已检测到活动（补传数据中已结束，未派单）');
      expect(await platform.get(WorkOrderRepository).byAlert(a.id)).toEqual([]);
    }
  });

  it('raises the stillness open at the newest reading once, at its device time, with one work order', async () => {
    const alerts = await inactivity();
    expect(alerts).toHaveLength(3);
    const open = alerts.filter((a) => a.state === 'active');
    expect(open).toHaveLength(1);
    expect(open[0]!.count).toBe(1);
    expect(open[0]!.firstRaisedAt).toBeGreaterThanOrEqual(at('22:50'));
    expect(open[0]!.firstRaisedAt).toBeLessThanOrEqual(at('23:01'));
    const repo = platform.get(WorkOrderRepository);
    await waitFor(async () => (await repo.byAlert(open[0]!.id)).length > 0, 10_000, 'a work order for the open episode');
    const orders = await repo.byAlert(open[0]!.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ reason: 'prolonged_inactivity' });
  });
});
