/**
 * Issue 11, acceptance 2: one alert per episode. A demo resident's motion
 * sensor (real MQTT, mosquitto_pub) flaps: the inactivity condition clears
 * on a blip of movement and returns, five times within an hour. Each return
 * falls within the episode merge window (15 min by default), so it re-opens
 * the same alert: one alert, count 5, four flaps, and one work order.
 * The platform runs on a clock the test moves (its only clock: rules, SLA
 * timers and device supervision all read it); the care plan sets 5 minutes
 * of inactivity without rest periods so an hour of flapping fits.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, mosquittoPub, residentWithDemoProvider } from './dispatch.fixtures.js';

jest.setTimeout(120_000);

const MIN = 60_000;

describe('a flapping inactivity condition', () => {
  let platform: TestPlatform;
  let resident: Resident;
  let clock = Date.now();
  let pir: { deviceId: string; secret: string };
  let seq = 1;

  const moved = async (): Promise<void> => {
    const body = JSON.stringify({ seq: seq++, ts: clock, motionCount: 3 });
    expect(await mosquittoPub(platform.mqttPort, ['-i', pir.deviceId, '-u', pir.deviceId, '-P', pir.secret, '-t', `anxin/v1/${pir.deviceId}/telemetry`, '-m', body])).toBe(0);
  };
  const inactivity = async (): Promise<Alert[]> => {
    const res = await platform.api(`/api/alerts?residentId=${resident.id}&kind=prolonged_inactivity`);
    return ((await res.json()) as { items: Alert[] }).items;
  };
  const until = (probe: (a: Alert | undefined) => boolean): Promise<Alert | undefined> =>
    eventually(async () => {
      const [a] = await inactivity();
      return probe(a) ? (a ?? null) : undefined;
    }, 10_000).then((a) => a ?? undefined);

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG, now: () => clock });
    resident = await residentWithDemoProvider(platform, 'prolonged_inactivity');
    const plan = await platform.api(`/api/residents/${resident.id}/care-plan`, { method: 'PATCH', body: JSON.stringify({ inactivityAfterMs: 5 * MIN, restPeriods: [] }) });
    expect(plan.status).toBe(200);
    pir = await provisionOverApi(platform, { type: 'pir-motion', residentId: resident.id, label: '客厅人体红外' });
  });

  afterAll(async () => {
    await platform?.dispose();
  });

  it('is one alert, count 5, with one work order', async () => {
    await moved();
    for (let episode = 1; episode <= 5; episode++) {
      // Five minutes without movement: raised (or re-opened)…
      clock += 5 * MIN;
      const raised = await until((a) => a?.count === episode && a.conditionEndedAt === null);
      expect(raised?.state).toBe('active');
      // …and two minutes later a blip of movement ends it again.
      clock += 2 * MIN;
      await moved();
      await until((a) => a?.conditionEndedAt !== null && a?.count === episode);
    }
    // Then the resident is up and about: no return within the merge window, so it clears, at its end.
    const lastEnd = clock;
    for (let i = 0; i < 4; i++) {
      clock += 4 * MIN;
      await moved();
    }
    const cleared = await until((a) => a?.state === 'cleared');
    const all = await inactivity();
    expect(all).toHaveLength(1);
    expect(cleared).toMatchObject({ count: 5, flaps: 4, clearedBy: 'system', clearedAt: lastEnd });
    expect(await platform.get(WorkOrderRepository).byAlert(cleared!.id)).toHaveLength(1);
  });
});
