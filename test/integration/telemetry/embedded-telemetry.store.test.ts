import { EmbeddedTelemetryStore } from '../../../src/telemetry/embedded-telemetry.store.js';
import { describeTelemetryStoreContract, makePoint, T0 } from './telemetry-store.contract.js';

describeTelemetryStoreContract('SQLite (better-sqlite3, in memory)', () =>
  Promise.resolve({
    store: new EmbeddedTelemetryStore({ path: ':memory:' }),
    cleanup: () => Promise.resolve(),
  }),
);

describe('EmbeddedTelemetryStore retention', () => {
  const DAY = 86_400_000;

  it('prune(olderThan) deletes points and latest values older than the cut-off and keeps the rest', async () => {
    const store = new EmbeddedTelemetryStore({ path: ':memory:' });
    await store.write([
      makePoint({ ts: T0 - 40 * DAY, fields: { heartRate: 60, posture: 'supine' } }),
      makePoint({ ts: T0 - DAY, fields: { heartRate: 70 } }),
    ]);

    expect(await store.prune(T0 - 30 * DAY)).toBe(2);

    expect(await store.latest('bed-000001')).toEqual([{ measurement: 'vitals', field: 'heartRate', value: 70, ts: T0 - DAY }]);
    await store.close();
  });

  it.each<[string, number | undefined, number]>([
    ['30 days keeps a 29-day-old point', 30, 0],
    ['7 days drops it', 7, 1],
    ['no retention configured keeps everything', undefined, 0],
  ])('pruneExpired(now) with %s', async (_name, retentionDays, deleted) => {
    const store = new EmbeddedTelemetryStore(retentionDays === undefined ? { path: ':memory:' } : { path: ':memory:', retentionDays });
    await store.write([makePoint({ ts: T0 - 29 * DAY })]);

    expect(await store.pruneExpired(T0)).toBe(deleted);
    await store.close();
  });
});
