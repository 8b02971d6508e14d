/**
 * Acceptance (spine #2, point 5a): InfluxDB stopped for 2 minutes while
 * devices publish, then restarted: every message that got a PUBACK is in
 * InfluxDB exactly once. ANXIN_TEST_OUTAGE_S shortens the outage for local
 * iterations; CI runs the full 120 s.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DurableInbox } from '../../../src/ingest/durable-inbox.js';
import { startDeviceLoad } from '../../support/device-load.js';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { expectStoredExactlyOnce } from './stored-exactly-once.js';

const OUTAGE_S = Number(process.env.ANXIN_TEST_OUTAGE_S ?? 120);
const DEVICES = 20;
const RATE = 10; // messages per second per device

let influx: InfluxServer;
let platform: TestPlatform;

beforeAll(async () => {
  influx = await startInfluxServer();
  platform = await startTestPlatform({ config: { influx: { version: 1, url: influx.url, database: 'anxin_outage' } } });
}, 60_000);

afterAll(async () => {
  await platform?.dispose();
  await influx?.dispose();
});

it(`keeps every acknowledged message through a ${OUTAGE_S} s InfluxDB outage and stores each exactly once`, async () => {
  const devices = [];
  for (let i = 0; i < DEVICES; i++) devices.push(await provisionOverApi(platform, { type: 'pir-motion' }));
  const load = startDeviceLoad(platform.mqttUrl, devices, RATE);
  try {
  await new Promise((r) => setTimeout(r, 3_000));
  await influx.stop();
  const inbox = platform.get(DurableInbox);
  await new Promise((r) => setTimeout(r, OUTAGE_S * 1_000));
  // Devices kept being acknowledged during the outage: the inbox holds them.
  const duringOutage = load.totals();
  expect(inbox.backlog()).toBeGreaterThan(DEVICES * RATE * OUTAGE_S * 0.5);
  await influx.restart();
  await new Promise((r) => setTimeout(r, 3_000));
  await load.stop();
  const deadline = Date.now() + 60_000;
  while (inbox.backlog() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  expect(inbox.backlog()).toBe(0);
  expect(load.totals().acked).toBeGreaterThan(duringOutage.acked);
  await expectStoredExactlyOnce(influx, 'anxin_outage', load);
  } finally {
    await load.stop(0);
  }
}, (OUTAGE_S + 150) * 1_000);
