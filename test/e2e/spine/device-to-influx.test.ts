/**
 * Acceptance (spine #2): a device provisioned through the CLI publishes with
 * mosquitto_pub; within 1 s the point is in InfluxDB (read back with the
 * `influx` CLI) and its latest value is served by the REST API.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import { distPath, mosquittoPub, run } from '../../support/processes.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../../support/test-platform.js';

let influx: InfluxServer;
let platform: TestPlatform;

beforeAll(async () => {
  influx = await startInfluxServer();
  platform = await startTestPlatform({ config: { influx: { version: 1, url: influx.url, database: 'anxin_e2e' } } });
}, 60_000);

afterAll(async () => {
  await platform?.dispose();
  await influx?.dispose();
});

async function influxCli(query: string): Promise<string> {
  const { stdout } = await run('influx', ['-host', '127.0.0.1', '-port', String(influx.port), '-database', 'anxin_e2e', '-format', 'json', '-precision', 'ms', '-execute', query]);
  return stdout;
}

it('stores a mosquitto_pub telemetry message from a CLI-provisioned device in InfluxDB within 1 s and serves its latest value', async () => {
  const { stdout } = await run('node', [distPath('src/cli/provision.cli.js'), '--type', 'care-bed', '--label', '卧室床垫', '--api', platform.httpUrl, '--admin-token', TEST_ADMIN_TOKEN]);
  const credentials = JSON.parse(stdout) as { deviceId: string; secret: string };
  expect(credentials.deviceId).toMatch(/^bed-/);

  const ts = Date.now();
  const published = Date.now();
  await mosquittoPub({
    port: platform.mqttPort,
    deviceId: credentials.deviceId,
    secret: credentials.secret,
    topic: `anxin/v1/${credentials.deviceId}/telemetry`,
    message: JSON.stringify({ seq: 1, ts, heartRate: 71, respirationRate: 15, inBed: true, movement: 2 }),
  });

  let stored: { results: { series?: { values: [number, number][] }[] }[] } | undefined;
  while (Date.now() - published < 1_000) {
    stored = JSON.parse(await influxCli(`SELECT "heartRate" FROM "vitals" WHERE "deviceId" = '${credentials.deviceId}'`)) as typeof stored;
    if (stored?.results[0]?.series) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(Date.now() - published).toBeLessThan(1_000);
  expect(stored?.results[0]?.series?.[0]?.values).toEqual([[ts, 71]]);

  const latest = (await (await platform.api(`/api/devices/${credentials.deviceId}/telemetry/latest`)).json()) as { values: { field: string; value: unknown; ts: number }[] };
  expect(latest.values).toEqual(expect.arrayContaining([{ measurement: 'vitals', field: 'heartRate', value: 71, ts }]));
}, 30_000);
