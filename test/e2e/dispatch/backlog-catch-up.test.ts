/**
 * Issue 11, acceptance 1 (mosquitto_pub batches): a home catches up on a
 * buffered day. A demo resident's motion sensor uploads the last 24 hours in
 * batches (PROTOCOL.md §8: at most 500 items, each batch after the previous
 * PUBACK) with Debian's mosquitto_pub, through the real platform. The day holds
 * two inactivity episodes that ended and one still open at the newest
 * reading. Expected: the two that ended are history (cleared alerts with
 * their device-time episode, no work order), the open one is a single active
 * alert stamped with its device-time start and answered by one work order,
 * once the sensor's first live reading has brought the home to the present
 * (or a minute after the upload stalls, which the rule specs show).
 * The care plan sets 4 h without rest periods, so the day can end now.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, mosquittoPub, residentWithDemoProvider } from './dispatch.fixtures.js';

jest.setTimeout(120_000);

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('a home uploading a buffered day (mosquitto_pub batches)', () => {
  let platform: TestPlatform;
  let resident: Resident;
  let now = 0;

  const alerts = async (): Promise<Alert[]> => {
    const res = await platform.api(`/api/alerts?residentId=${resident.id}&kind=prolonged_inactivity`);
    return ((await res.json()) as { items: Alert[] }).items;
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG });
    resident = await residentWithDemoProvider(platform, 'prolonged_inactivity');
    const plan = await platform.api(`/api/residents/${resident.id}/care-plan`, { method: 'PATCH', body: JSON.stringify({ inactivityAfterMs: 4 * HOUR, restPeriods: [] }) });
    expect(plan.status).toBe(200);
    const pir = await provisionOverApi(platform, { type: 'pir-motion', residentId: resident.id, label: '客厅人体红外' });

    // The day, one reading every 10 minutes, the newest 10 minutes ago. The
    // resident moves in every reading of three active spells, −24…−22 h,
    // −17…−15 h and −10…−8 h; the silences between are due 4 h after the last
    // movement: at −18 h (ended −17 h), −11 h (ended −10 h) and −4 h (still open).
    now = Date.now();
    const start = now - 24 * HOUR;
    const active = (ts: number): boolean => [[24, 22], [17, 15], [10, 8]].some(([from, to]) => ts >= now - from! * HOUR && ts <= now - to! * HOUR);
    const items: Record<string, unknown>[] = [];
    let seq = 1;
    for (let ts = start; ts <= now - MIN; ts += 10 * MIN) items.push({ channel: 'telemetry', seq: seq++, ts, motionCount: active(ts) ? 2 : 0 });
    expect(items.length).toBeGreaterThan(140);
    for (let i = 0; i < items.length; i += 25) {
      const batch = JSON.stringify({ items: items.slice(i, i + 25) });
      // mosquitto_pub -q 1 exits after the PUBACK: the next batch goes only after it.
      expect(await mosquittoPub(platform.mqttPort, ['-i', pir.deviceId, '-u', pir.deviceId, '-P', pir.secret, '-t', `anxin/v1/${pir.deviceId}/batch`, '-m', batch])).toBe(0);
      // A weak link: the platform's server-time ticks (every second) fall between the batches,
      // as they do in any real upload. They are what used to raise the storm.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
    }
    // Then the sensor is live again: its first live reading brings the home to the present.
    const live = JSON.stringify({ seq, ts: Date.now(), motionCount: 0 });
    expect(await mosquittoPub(platform.mqttPort, ['-i', pir.deviceId, '-u', pir.deviceId, '-P', pir.secret, '-t', `anxin/v1/${pir.deviceId}/telemetry`, '-m', live])).toBe(0);
  });

  afterAll(async () => {
    await platform?.dispose();
  });

  it('keeps the two episodes that ended as history, without work orders', async () => {
    const history = await eventually(async () => {
      const all = await alerts();
      const cleared = all.filter((a) => a.state === 'cleared');
      return cleared.length >= 2 ? cleared : undefined;
    }, 10_000);
    expect(history).toHaveLength(2);
    // Each episode in device time: from 4 h after the last movement to the next movement.
    const episodes = history.map((a) => [a.firstRaisedAt, a.clearedAt]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    expect(episodes).toEqual([
      [now - 18 * HOUR, now - 17 * HOUR],
      [now - 11 * HOUR, now - 10 * HOUR],
    ]);
    for (const a of history) {
      expect(a.clearNote).toBe('已检测到活动（补传数据中已结束，未派单）');
      expect(await platform.get(WorkOrderRepository).byAlert(a.id)).toEqual([]);
    }
  });

  it('raises the episode still open at the newest reading once, at its device-time start, with one work order', async () => {
    const open = await eventually(async () => (await alerts()).filter((a) => a.state === 'active' && !a.heldForCatchUp), 10_000);
    expect(open).toHaveLength(1);
    const alert = open[0]!;
    expect(alert.count).toBe(1);
    expect(alert.firstRaisedAt).toBe(now - 4 * HOUR);
    const orders = await eventually(async () => {
      const o = await platform.get(WorkOrderRepository).byAlert(alert.id);
      return o.length > 0 ? o : undefined;
    }, 10_000);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ reason: 'prolonged_inactivity', state: 'offered' });
    // Nothing else about this resident's inactivity, then or since.
    expect((await alerts()).length).toBe(3);
  });
});
