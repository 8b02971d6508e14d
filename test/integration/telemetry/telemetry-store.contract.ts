/**
 * The TelemetryStore contract, run against every implementation (like
 * aedes-persistence's abstract tests): each `*.test.ts` here calls
 * `describeTelemetryStoreContract` with a factory for a fresh, empty store.
 */
import { TelemetryStoreError } from '../../../src/telemetry/telemetry-store.error.js';
import type { Aggregate, LatestValue, RangeQuery, TelemetryPoint, TelemetryStore } from '../../../src/telemetry/telemetry.store.js';

export interface StoreUnderTest {
  readonly store: TelemetryStore;
  cleanup(): Promise<void>;
}

/** 2024-01-01T00:00:00Z: a multiple of every window used below. */
export const T0 = Date.UTC(2024, 0, 1);
const S = 1_000;
const MIN = 60 * S;

/** A vitals point from bed-000001 of resident r-1 at T0; override what the case is about. */
export function makePoint(overrides: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return {
    measurement: 'vitals',
    tags: { deviceId: 'bed-000001', deviceType: 'care-bed', residentId: 'r-1', districtCode: '310104', streetCode: '310104003' },
    ts: T0,
    fields: { heartRate: 72 },
    ...overrides,
  };
}

function makeQuery(overrides: Partial<RangeQuery> = {}): RangeQuery {
  return { measurement: 'vitals', field: 'heartRate', deviceId: 'bed-000001', from: T0, to: T0 + 10 * MIN, windowMs: MIN, aggregate: 'mean', ...overrides };
}

/** The same query selecting a resident's series instead of one device's. */
function makeResidentQuery(residentId: string, overrides: Partial<RangeQuery> = {}): RangeQuery {
  return { ...withoutSelector(makeQuery(overrides)), residentId };
}

function withoutSelector(q: RangeQuery): RangeQuery {
  return { measurement: q.measurement, field: q.field, from: q.from, to: q.to, windowMs: q.windowMs, aggregate: q.aggregate };
}

const byKey = (a: LatestValue, b: LatestValue): number => `${a.measurement}/${a.field}`.localeCompare(`${b.measurement}/${b.field}`);

export function describeTelemetryStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: TelemetryStore;

    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });

    afterEach(async () => {
      await sut.store.close();
      await sut.cleanup();
    });

    describe('latest', () => {
      it('returns the newest value of every field, numbers, booleans and strings, across measurements', async () => {
        await store.write([
          makePoint({ ts: T0, fields: { heartRate: 72, inBed: true, posture: 'supine' } }),
          makePoint({ ts: T0 + 2 * S, fields: { heartRate: 75.5 } }),
          // Arrives late but is older: must not win.
          makePoint({ ts: T0 + S, fields: { heartRate: 90, inBed: false } }),
          makePoint({ measurement: 'device_health', ts: T0 + 5 * S, fields: { battery: 88, firmware: '1.2.3' } }),
          makePoint({ tags: { deviceId: 'bed-000002', deviceType: 'care-bed' }, ts: T0 + 9 * S, fields: { heartRate: 60 } }),
        ]);

        const latest = await store.latest('bed-000001');

        expect([...latest].sort(byKey)).toEqual([
          { measurement: 'device_health', field: 'battery', value: 88, ts: T0 + 5 * S },
          { measurement: 'device_health', field: 'firmware', value: '1.2.3', ts: T0 + 5 * S },
          { measurement: 'vitals', field: 'heartRate', value: 75.5, ts: T0 + 2 * S },
          { measurement: 'vitals', field: 'inBed', value: false, ts: T0 + S },
          { measurement: 'vitals', field: 'posture', value: 'supine', ts: T0 },
        ]);
      });

      it('returns nothing for a device that never reported, even with an id built to inject InfluxQL', async () => {
        await store.write([makePoint()]);
        expect(await store.latest('bed-999999')).toEqual([]);
        expect(await store.latest("x' OR \"deviceId\" = 'bed-000001")).toEqual([]);
      });

      it('returns nothing from an empty store', async () => {
        expect(await store.latest('bed-000001')).toEqual([]);
      });
    });

    describe('idempotent writes', () => {
      it('keeps one point when the same point is written again, with the last written value', async () => {
        await store.write([makePoint({ fields: { heartRate: 70 } })]);
        await store.write([makePoint({ fields: { heartRate: 71 } }), makePoint({ fields: { heartRate: 72 } })]);

        expect(await store.range(makeQuery({ aggregate: 'count' }))).toEqual([{ ts: T0, value: 1 }]);
        expect(await store.range(makeQuery({ aggregate: 'last' }))).toEqual([{ ts: T0, value: 72 }]);
        expect(await store.latest('bed-000001')).toEqual([{ measurement: 'vitals', field: 'heartRate', value: 72, ts: T0 }]);
      });

      it('keeps two points when only a tag differs (an event name is part of the identity)', async () => {
        const tags = { deviceId: 'radar-000001', deviceType: 'fall-radar', residentId: 'r-1' };
        await store.write([
          makePoint({ measurement: 'events', tags: { ...tags, event: 'fall' }, fields: { confidence: 0.9 } }),
          makePoint({ measurement: 'events', tags: { ...tags, event: 'sos' }, fields: { confidence: 1 } }),
        ]);

        expect(await store.range(makeQuery({ measurement: 'events', field: 'confidence', deviceId: 'radar-000001', aggregate: 'count' }))).toEqual([{ ts: T0, value: 2 }]);
      });
    });

    describe('range', () => {
      // Two minutes of readings every 10 s: 1..6 in the first minute, 7..12 in the second.
      const series = Array.from({ length: 12 }, (_, i) => makePoint({ ts: T0 + i * 10 * S, fields: { heartRate: i + 1 } }));

      it.each<[Aggregate, number, number]>([
        ['mean', 3.5, 9.5],
        ['min', 1, 7],
        ['max', 6, 12],
        ['count', 6, 6],
        ['last', 6, 12],
      ])('aggregates %s per 1-minute window', async (aggregate, first, second) => {
        await store.write(series);
        expect(await store.range(makeQuery({ aggregate }))).toEqual([
          { ts: T0, value: first },
          { ts: T0 + MIN, value: second },
        ]);
      });

      it.each<[string, Partial<RangeQuery>, { ts: number; value: number }[]]>([
        // `from` inside a window: the window keeps its aligned start and only counts points >= from.
        ['from inside a window', { from: T0 + 25 * S }, [{ ts: T0, value: 3 }, { ts: T0 + MIN, value: 6 }]],
        // [from, to): a point exactly at `from` counts, one exactly at `to` does not.
        ['from and to on points', { from: T0 + 10 * S, to: T0 + 50 * S, windowMs: 60 * MIN }, [{ ts: T0, value: 4 }]],
        // 7 s windows are aligned to the epoch, not to `from`: T0 is 3 s into one.
        ['7-second windows', { windowMs: 7 * S, to: T0 + 30 * S }, [{ ts: T0 - 3 * S, value: 1 }, { ts: T0 + 4 * S, value: 1 }, { ts: T0 + 18 * S, value: 1 }]],
        ['to before any point', { from: T0 - MIN, to: T0 }, []],
        ['an empty interval', { from: T0 + MIN, to: T0 + MIN }, []],
        ['a field nobody wrote', { field: 'spo2' }, []],
      ])('counts points by aligned windows: %s', async (_name, overrides, expected) => {
        await store.write(series);
        expect(await store.range(makeQuery({ aggregate: 'count', ...overrides }))).toEqual(expected);
      });

      it('selects by resident across their devices, or by one device', async () => {
        const wearable = { deviceId: 'watch-000001', deviceType: 'wearable', residentId: 'r-1' };
        const otherResident = { deviceId: 'bed-000002', deviceType: 'care-bed', residentId: 'r-2' };
        await store.write([
          makePoint({ fields: { heartRate: 70 } }),
          makePoint({ tags: wearable, ts: T0 + S, fields: { heartRate: 80 } }),
          makePoint({ tags: otherResident, fields: { heartRate: 100 } }),
        ]);

        expect(await store.range(makeResidentQuery('r-1'))).toEqual([{ ts: T0, value: 75 }]);
        expect(await store.range(makeQuery({ deviceId: 'watch-000001' }))).toEqual([{ ts: T0, value: 80 }]);
        expect(await store.range(makeResidentQuery('r-2'))).toEqual([{ ts: T0, value: 100 }]);
      });

      it('refuses a query with both or neither of deviceId and residentId', async () => {
        await expect(store.range(makeQuery({ residentId: 'r-1' }))).rejects.toThrow(TypeError);
        await expect(store.range(withoutSelector(makeQuery()))).rejects.toThrow(TypeError);
      });
    });

    describe('rangeBySource', () => {
      const wearable = { deviceId: 'watch-000001', deviceType: 'wearable', residentId: 'r-1' };

      it('answers one series per device of the resident, each with its own means, where range blends them into one', async () => {
        await store.write([
          makePoint({ ts: T0, fields: { heartRate: 70 } }),
          makePoint({ ts: T0 + 10 * S, fields: { heartRate: 74 } }),
          makePoint({ tags: wearable, ts: T0 + S, fields: { heartRate: 84 } }),
          makePoint({ tags: wearable, ts: T0 + MIN, fields: { heartRate: 90 } }),
          makePoint({ tags: { deviceId: 'bed-000002', deviceType: 'care-bed', residentId: 'r-2' }, fields: { heartRate: 100 } }),
        ]);

        expect(await store.rangeBySource(makeResidentQuery('r-1'))).toEqual([
          { deviceId: 'bed-000001', deviceType: 'care-bed', windows: [{ ts: T0, value: 72 }] },
          { deviceId: 'watch-000001', deviceType: 'wearable', windows: [{ ts: T0, value: 84 }, { ts: T0 + MIN, value: 90 }] },
        ]);
        expect(await store.range(makeResidentQuery('r-1'))).toEqual([{ ts: T0, value: 76 }, { ts: T0 + MIN, value: 90 }]);
      });

      it('leaves out a device that reported no value of the field: an empty bed whose heart rate was never stored draws no series', async () => {
        await store.write([
          makePoint({ measurement: 'activity', fields: { inBed: false, movement: 0 } }),
          makePoint({ tags: wearable, fields: { heartRate: 70 } }),
        ]);

        expect(await store.rangeBySource(makeResidentQuery('r-1'))).toEqual([{ deviceId: 'watch-000001', deviceType: 'wearable', windows: [{ ts: T0, value: 70 }] }]);
      });

      it.each<[Aggregate, number, number]>([
        ['count', 2, 1],
        ['last', 74, 84],
        ['max', 74, 84],
      ])('aggregates %s per source', async (aggregate, bed, watch) => {
        await store.write([
          makePoint({ ts: T0, fields: { heartRate: 70 } }),
          makePoint({ ts: T0 + 10 * S, fields: { heartRate: 74 } }),
          makePoint({ tags: wearable, ts: T0 + S, fields: { heartRate: 84 } }),
        ]);

        expect((await store.rangeBySource(makeResidentQuery('r-1', { aggregate }))).map((s) => [s.deviceId, s.windows])).toEqual([
          ['bed-000001', [{ ts: T0, value: bed }]],
          ['watch-000001', [{ ts: T0, value: watch }]],
        ]);
      });

      it('keeps a device one source when its other tags change (a street code corrected mid-window)', async () => {
        await store.write([makePoint({ ts: T0, fields: { heartRate: 70 } }), makePoint({ tags: { ...makePoint().tags, streetCode: '310104004' }, ts: T0 + S, fields: { heartRate: 74 } })]);

        expect(await store.rangeBySource(makeResidentQuery('r-1'))).toEqual([{ deviceId: 'bed-000001', deviceType: 'care-bed', windows: [{ ts: T0, value: 72 }] }]);
      });

      it('sorts sources by device id in code-unit order, whatever the script', async () => {
        const ids = ['床垫-1', 'a-1', 'Z-1'];
        await store.write(ids.map((deviceId) => makePoint({ tags: { deviceId, deviceType: 'care-bed', residentId: 'r-1' } })));

        expect((await store.rangeBySource(makeResidentQuery('r-1'))).map((s) => s.deviceId)).toEqual(['Z-1', 'a-1', '床垫-1']);
      });

      it('answers one device alone when selected by device, and nothing for an empty interval', async () => {
        await store.write([makePoint(), makePoint({ tags: wearable, fields: { heartRate: 80 } })]);

        expect(await store.rangeBySource(makeQuery({ deviceId: 'watch-000001' }))).toEqual([{ deviceId: 'watch-000001', deviceType: 'wearable', windows: [{ ts: T0, value: 80 }] }]);
        expect(await store.rangeBySource(makeResidentQuery('r-1', { from: T0 + MIN, to: T0 + MIN }))).toEqual([]);
      });

      it('refuses a query with both or neither of deviceId and residentId', async () => {
        await expect(store.rangeBySource(makeQuery({ residentId: 'r-1' }))).rejects.toThrow(TypeError);
        await expect(store.rangeBySource(withoutSelector(makeQuery()))).rejects.toThrow(TypeError);
      });
    });

    describe('events', () => {
      it('stores events with their event tag and finds them by device and by resident', async () => {
        const radar = { deviceId: 'radar-000001', deviceType: 'fall-radar', residentId: 'r-1' };
        await store.write([
          makePoint({ measurement: 'events', tags: { ...radar, event: 'fall' }, ts: T0 + S, fields: { confidence: 0.93, room: 'bathroom' } }),
          makePoint({ measurement: 'events', tags: { ...radar, event: 'fall' }, ts: T0 + 2 * MIN, fields: { confidence: 0.71, room: 'bedroom' } }),
        ]);

        expect([...(await store.latest('radar-000001'))].sort(byKey)).toEqual([
          { measurement: 'events', field: 'confidence', value: 0.71, ts: T0 + 2 * MIN },
          { measurement: 'events', field: 'room', value: 'bedroom', ts: T0 + 2 * MIN },
        ]);
        expect(await store.range(makeResidentQuery('r-1', { measurement: 'events', field: 'confidence', aggregate: 'count' }))).toEqual([
          { ts: T0, value: 1 },
          { ts: T0 + 2 * MIN, value: 1 },
        ]);
      });
    });

    describe('tag values from users', () => {
      it.each([
        ['spaces', 'bed 000001', 'resident one'],
        ['commas and equals signs', 'bed,000001=a', 'r=1,x'],
        ['double and single quotes', 'bed"0001"', "o'brien"],
        ['Chinese', '床垫-一号', '王秀英'],
        ['a backslash inside', 'bed\\0001', 'r\\1'],
      ])('round-trips a device id and a resident id with %s', async (_name, deviceId, residentId) => {
        await store.write([makePoint({ tags: { deviceId, deviceType: 'care-bed', residentId }, fields: { heartRate: 66, note: 'a "quoted", =spaced\\ 值' } })]);

        expect([...(await store.latest(deviceId))].sort(byKey)).toEqual([
          { measurement: 'vitals', field: 'heartRate', value: 66, ts: T0 },
          { measurement: 'vitals', field: 'note', value: 'a "quoted", =spaced\\ 值', ts: T0 },
        ]);
        expect(await store.range(makeQuery({ deviceId, aggregate: 'max' }))).toEqual([{ ts: T0, value: 66 }]);
        expect(await store.range(makeResidentQuery(residentId, { aggregate: 'max' }))).toEqual([{ ts: T0, value: 66 }]);
      });
    });

    describe('refusals', () => {
      it.each([
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
      ])('refuses a %s field with a non-retryable error and stores nothing of the batch', async (_name, value) => {
        const write = store.write([makePoint({ ts: T0 - S }), makePoint({ fields: { heartRate: value } })]);
        await expect(write).rejects.toThrow(TelemetryStoreError);
        await expect(write).rejects.toMatchObject({ retryable: false });
        expect(await store.latest('bed-000001')).toEqual([]);
      });
    });

    describe('volume', () => {
      it('stores a batch of 10,000 points', async () => {
        const points = Array.from({ length: 10_000 }, (_, i) => makePoint({ ts: T0 + i * S, fields: { heartRate: 60 + (i % 40), inBed: i % 2 === 0 } }));

        await store.write(points);

        expect(await store.range(makeQuery({ aggregate: 'count', to: T0 + 10_000 * S, windowMs: 24 * 60 * MIN }))).toEqual([{ ts: T0, value: 10_000 }]);
        expect(await store.latest('bed-000001')).toContainEqual({ measurement: 'vitals', field: 'heartRate', value: 60 + (9_999 % 40), ts: T0 + 9_999 * S });
      });
    });
  });
}
