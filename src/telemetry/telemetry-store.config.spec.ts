import { EmbeddedTelemetryStore } from './embedded-telemetry.store.js';
import { InfluxTelemetryStore } from './influx-telemetry.store.js';
import { telemetryStoreConfigSchema } from './telemetry-store.config.js';
import { createTelemetryStore } from './telemetry-store.factory.js';

describe('telemetryStoreConfigSchema', () => {
  it.each<[string, unknown]>([
    ['embedded', { kind: 'embedded', path: ':memory:' }],
    ['embedded with retention', { kind: 'embedded', path: 'var/telemetry.db', retentionDays: 90 }],
    ['InfluxDB 1.x', { kind: 'influx', url: 'http://localhost:8086', version: 1, database: 'anxin' }],
    ['InfluxDB 2.x', { kind: 'influx', url: 'https://influx.example:8086', version: 2, org: 'anxin', bucket: 'anxin', token: 't' }],
  ])('accepts %s', (_name, config) => {
    expect(telemetryStoreConfigSchema.safeParse(config).success).toBe(true);
  });

  it.each<[string, unknown]>([
    ['2.x without a token', { kind: 'influx', url: 'http://localhost:8086', version: 2, org: 'anxin', bucket: 'anxin' }],
    ['version 3', { kind: 'influx', url: 'http://localhost:8086', version: 3 }],
    ['a URL that is not http(s)', { kind: 'influx', url: 'ftp://localhost', version: 1 }],
    ['an unknown kind', { kind: 'csv', path: 'x' }],
    ['embedded without a path', { kind: 'embedded' }],
  ])('rejects %s', (_name, config) => {
    expect(telemetryStoreConfigSchema.safeParse(config).success).toBe(false);
  });
});

describe('createTelemetryStore', () => {
  it('builds the embedded store and says so', async () => {
    const logged: string[] = [];
    const store = createTelemetryStore({ kind: 'embedded', path: ':memory:' }, { log: (m) => logged.push(m), warn: (m) => logged.push(m) });

    expect(store).toBeInstanceOf(EmbeddedTelemetryStore);
    expect(logged).toEqual(['telemetry: embedded SQLite at :memory:']);
    await store.close();
  });

  it('builds the InfluxDB store and warns, without failing, when the server is not there yet', async () => {
    const warned: string[] = [];
    const store = createTelemetryStore({ kind: 'influx', url: 'http://127.0.0.1:9', version: 1, timeoutMs: 500 }, { log: () => {}, warn: (m) => warned.push(m) });

    expect(store).toBeInstanceOf(InfluxTelemetryStore);
    await expect((store as InfluxTelemetryStore).ensureDatabase()).rejects.toMatchObject({ retryable: true });
    expect(warned).toEqual([expect.stringMatching(/^telemetry: InfluxDB not ready yet .*will retry on write$/)]);
    await store.close();
  });
});
