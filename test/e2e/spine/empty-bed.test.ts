/**
 * Readings that are the resident's (issue 11, acceptance 4): an empty care bed
 * that still reports a heart rate of 20 and a wearable on the wrist at 70 bpm.
 * The bed's numbers are nobody's: they reach neither InfluxDB as the
 * resident's vitals nor the rules, so the vitals API answers one source, the
 * wearable, and no bradycardia alert is raised. Real MQTT (mosquitto_pub),
 * real InfluxDB. (test/e2e/apps/apps.test.ts shows the console's chart of it.)
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { residentVitalsSchema } from '../../../src/api/telemetry/telemetry.schemas.js';
import type { AlertChange } from '../../../src/domain/alerts/alert.schema.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import { mosquittoPub } from '../../support/processes.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { eventually, seedResident } from '../alerting/alerting.fixtures.js';

const MIN = 60_000;

let influx: InfluxServer;
let platform: TestPlatform;
const alerts: AlertChange[] = [];

beforeAll(async () => {
  influx = await startInfluxServer();
  platform = await startTestPlatform({ config: { influx: { version: 1, url: influx.url, database: 'anxin_empty_bed' } } });
  await seedResident(platform);
  platform.get(DomainEventBus).subscribe('AlertRaised', (change) => alerts.push(change));
}, 60_000);

afterAll(async () => {
  await platform?.dispose();
  await influx?.dispose();
});

it('keeps an empty bed\'s heart rate out of the resident\'s vitals and out of the rules', async () => {
  const bed = await provisionOverApi(platform, { type: 'care-bed', residentId: 'r-alert-1', label: '卧室床垫' });
  const band = await provisionOverApi(platform, { type: 'wearable', residentId: 'r-alert-1', label: '手环' });
  const start = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
  // Ten minutes: the bed every 30 s, empty but reading 20 bpm; the band every minute at 70 bpm.
  const bedBatch = Array.from({ length: 20 }, (_, i) => ({ channel: 'telemetry', seq: i + 1, ts: start + i * 30_000, heartRate: 20, respirationRate: 0, inBed: false, movement: 0 }));
  const bandBatch = Array.from({ length: 10 }, (_, i) => ({ channel: 'telemetry', seq: i + 1, ts: start + i * MIN, heartRate: 70, spo2: 97 }));
  await mosquittoPub({ port: platform.mqttPort, deviceId: bed.deviceId, secret: bed.secret, topic: `anxin/v1/${bed.deviceId}/batch`, message: JSON.stringify({ items: bedBatch }) });
  await mosquittoPub({ port: platform.mqttPort, deviceId: band.deviceId, secret: band.secret, topic: `anxin/v1/${band.deviceId}/batch`, message: JSON.stringify({ items: bandBatch }) });

  // The bed's messages are stored (its inBed and movement), the band's vitals too.
  await eventually(async () => {
    const res = await influx.query(`SELECT count("inBed") FROM "activity" WHERE "deviceId" = '${bed.deviceId}'`, 'anxin_empty_bed');
    return res.results[0]?.series?.[0]?.values[0]?.[1] === 20 ? true : undefined;
  }, 10_000);
  await eventually(async () => {
    const res = await influx.query(`SELECT count("heartRate") FROM "vitals" WHERE "deviceId" = '${band.deviceId}'`, 'anxin_empty_bed');
    return res.results[0]?.series?.[0]?.values[0]?.[1] === 10 ? true : undefined;
  }, 10_000);

  const bedVitals = await influx.query(`SELECT * FROM "vitals" WHERE "deviceId" = '${bed.deviceId}'`, 'anxin_empty_bed');
  expect(bedVitals.results[0]?.series).toBeUndefined();

  const res = await platform.api(`/api/residents/r-alert-1/vitals?hours=1&windowMs=${5 * MIN}`);
  expect(res.status).toBe(200);
  // The answer is what the API documents, with one series per source: the band's, and none for the bed.
  const { series } = residentVitalsSchema.parse(await res.json());
  expect(series.heartRate.map((s) => [s.deviceId, s.deviceType])).toEqual([[band.deviceId, 'wearable']]);
  const bandHeartRate = series.heartRate[0]?.windows ?? [];
  expect(bandHeartRate.length).toBeGreaterThanOrEqual(2);
  expect(new Set(bandHeartRate.map((w) => w.value))).toEqual(new Set([70]));
  expect(series.spo2.map((s) => s.deviceId)).toEqual([band.deviceId]);
  expect(series.respirationRate).toEqual([]);
  expect(alerts.filter((a) => a.alert.kind === 'vitals_out_of_range')).toEqual([]);
}, 60_000);
