import { InfluxTelemetryStore } from '../../../src/telemetry/influx-telemetry.store.js';
import { TelemetryStoreError } from '../../../src/telemetry/telemetry-store.error.js';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import { describeTelemetryStoreContract, makePoint, T0 } from './telemetry-store.contract.js';

const START_TIMEOUT = 30_000;

/**
 * The shared cases run on `ANXIN_INFLUX_URL` (an InfluxDB 1.x, or a 2.x
 * answering the 1.x API without auth) when set, otherwise on an influxd of
 * our own. Each case gets a database of its own.
 */
let shared: { url: string; query(q: string): Promise<unknown>; dispose(): Promise<void> } | undefined;
let databases = 0;

beforeAll(async () => {
  const external = process.env.ANXIN_INFLUX_URL;
  if (external) {
    shared = {
      url: external,
      query: async (q) => (await fetch(`${external}/query`, { method: 'POST', body: new URLSearchParams({ q }) })).json(),
      dispose: () => Promise.resolve(),
    };
  } else {
    const server = await startInfluxServer();
    shared = { url: server.url, query: (q) => server.query(q), dispose: () => server.dispose() };
  }
}, START_TIMEOUT);

afterAll(async () => {
  await shared?.dispose();
});

describeTelemetryStoreContract('InfluxDB 1.x', () => {
  if (!shared) throw new Error('no InfluxDB');
  const { url, query } = shared;
  const database = `anxin_contract_${process.pid}_${++databases}`;
  return Promise.resolve({
    store: new InfluxTelemetryStore({ url, version: 1, database }),
    cleanup: async () => {
      await query(`DROP DATABASE "${database}"`);
    },
  });
});

describe('InfluxTelemetryStore against a server that goes away', () => {
  let influx: InfluxServer;
  let store: InfluxTelemetryStore;

  beforeEach(async () => {
    influx = await startInfluxServer();
    store = new InfluxTelemetryStore({ url: influx.url, version: 1, database: 'anxin', timeoutMs: 2_000 });
  }, START_TIMEOUT);

  afterEach(async () => {
    await store.close();
    await influx.dispose();
  });

  it('fails a write with a retryable error while influxd is stopped, and the same write succeeds after restart', async () => {
    await store.write([makePoint({ ts: T0 })]);
    await influx.stop();

    const batch = [makePoint({ ts: T0 + 1_000, fields: { heartRate: 80 } })];
    const failed = store.write(batch);
    await expect(failed).rejects.toThrow(TelemetryStoreError);
    await expect(failed).rejects.toMatchObject({ retryable: true, status: undefined });
    expect(await store.ping()).toBe(false);

    await influx.restart();
    await store.write(batch);

    expect(await store.ping()).toBe(true);
    expect(await store.latest('bed-000001')).toEqual([{ measurement: 'vitals', field: 'heartRate', value: 80, ts: T0 + 1_000 }]);
  }, START_TIMEOUT);

  it('fails with a non-retryable HTTP 400 when the server refuses the line (a field changing type)', async () => {
    await store.write([makePoint({ ts: T0, fields: { heartRate: 72 } })]);

    const refused = store.write([makePoint({ ts: T0 + 1_000, fields: { heartRate: 'high' } })]);

    await expect(refused).rejects.toMatchObject({ name: 'TelemetryStoreError', retryable: false, status: 400 });
    await expect(refused).rejects.toThrow(/field type conflict/);
  });

  it('creates the database again when it was dropped behind its back (404, retryable)', async () => {
    await store.write([makePoint({ ts: T0 })]);
    await influx.query('DROP DATABASE "anxin"');

    const failed = store.write([makePoint({ ts: T0 + 1_000 })]);
    await expect(failed).rejects.toMatchObject({ retryable: true, status: 404 });

    await store.write([makePoint({ ts: T0 + 2_000 })]);
    expect(await store.latest('bed-000001')).toEqual([{ measurement: 'vitals', field: 'heartRate', value: 72, ts: T0 + 2_000 }]);
  });

  it('stores tag values unescaped, as other InfluxDB clients (Grafana) will read them', async () => {
    await store.write([makePoint({ tags: { deviceId: 'bed 1,a=b"c"', deviceType: 'care-bed', residentId: '王秀英' } })]);

    const response = await influx.query('SHOW TAG VALUES FROM "vitals" WITH KEY IN ("deviceId", "residentId")', 'anxin');

    expect(response.results[0]?.series?.[0]?.values).toEqual([
      ['deviceId', 'bed 1,a=b"c"'],
      ['residentId', '王秀英'],
    ]);
  });
});
