import { Point } from '@influxdata/influxdb-client';
import fc from 'fast-check';
import { LineProtocolError, TAG_KEYS, toLine, toLines } from './line-protocol.js';
import type { FieldValue, PointTags, TelemetryPoint } from './telemetry.store.js';

const base: TelemetryPoint = {
  measurement: 'vitals',
  tags: { deviceId: 'bed-000123', deviceType: 'care-bed' },
  ts: 1_700_000_000_000,
  fields: { heartRate: 72 },
};
const makePoint = (overrides: Partial<TelemetryPoint> = {}): TelemetryPoint => ({ ...base, ...overrides });

/** The reference: the same point through the client's `Point`. */
function viaClientPoint(point: TelemetryPoint): string | undefined {
  const p = new Point(point.measurement).timestamp(String(point.ts));
  for (const key of TAG_KEYS) {
    const value = point.tags[key];
    if (value !== undefined) p.tag(key, value);
  }
  for (const [key, value] of Object.entries(point.fields)) {
    if (typeof value === 'number') p.floatField(key, value);
    else if (typeof value === 'boolean') p.booleanField(key, value);
    else p.stringField(key, value);
  }
  return p.toLineProtocol();
}

describe('toLine', () => {
  it.each<[string, Partial<TelemetryPoint>, string]>([
    ['a float field', {}, 'vitals,deviceId=bed-000123,deviceType=care-bed heartRate=72 1700000000000'],
    ['fields sorted, booleans as T/F, strings quoted', { fields: { z: 'ok', a: true, m: 36.6 } }, 'vitals,deviceId=bed-000123,deviceType=care-bed a=T,m=36.6,z="ok" 1700000000000'],
    ['tags in sorted key order', { tags: { streetCode: 's1', residentId: 'r1', event: 'fall', districtCode: 'd1', deviceType: 't', deviceId: 'x' } }, 'vitals,deviceId=x,deviceType=t,districtCode=d1,event=fall,residentId=r1,streetCode=s1 heartRate=72 1700000000000'],
    ['an empty tag omitted', { tags: { deviceId: 'x', deviceType: 't', residentId: '' } }, 'vitals,deviceId=x,deviceType=t heartRate=72 1700000000000'],
    ['space, comma and = escaped in tags', { tags: { deviceId: 'a b,c=d', deviceType: 't' } }, 'vitals,deviceId=a\\ b\\,c\\=d,deviceType=t heartRate=72 1700000000000'],
    ['quotes and Chinese kept in tags', { tags: { deviceId: '"张三"', deviceType: 't' } }, 'vitals,deviceId="张三",deviceType=t heartRate=72 1700000000000'],
    ['quote and backslash escaped in strings', { fields: { note: 'say "hi" \\ 你好' } }, 'vitals,deviceId=bed-000123,deviceType=care-bed note="say \\"hi\\" \\\\ 你好" 1700000000000'],
    ['integers written as floats (no i suffix)', { fields: { steps: 1200, neg: -0 } }, 'vitals,deviceId=bed-000123,deviceType=care-bed neg=0,steps=1200 1700000000000'],
  ])('writes %s', (_name, overrides, line) => {
    expect(toLine(makePoint(overrides))).toBe(line);
  });

  it('drops a point without fields (line protocol requires one)', () => {
    expect(toLine(makePoint({ fields: {} }))).toBeUndefined();
    expect(toLines([makePoint({ fields: {} }), makePoint()])).toBe(toLine(makePoint()));
  });

  it.each<[string, Partial<TelemetryPoint>]>([
    ['NaN', { fields: { x: Number.NaN } }],
    ['Infinity', { fields: { x: Number.POSITIVE_INFINITY } }],
    ['a tag value ending in a backslash', { tags: { deviceId: 'x\\', deviceType: 't' } }],
    ['a backslash before a separator', { tags: { deviceId: 'x\\,y', deviceType: 't' } }],
    ['a fractional timestamp', { ts: 1.5 }],
  ])('refuses %s with a LineProtocolError', (_name, overrides) => {
    expect(() => toLine(makePoint(overrides))).toThrow(LineProtocolError);
  });

  it('writes exactly what the client library Point writes, for any point it can carry', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\\'));
    const tags: fc.Arbitrary<PointTags> = fc.record(
      { deviceId: text, deviceType: text, residentId: text, districtCode: text, streetCode: text, event: text },
      { requiredKeys: ['deviceId', 'deviceType'] },
    );
    const value: fc.Arbitrary<FieldValue> = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.string({ unit: 'grapheme' }));
    const point: fc.Arbitrary<TelemetryPoint> = fc.record({
      measurement: fc.constantFrom('vitals', 'activity', 'environment', 'device_health', 'events'),
      tags,
      ts: fc.integer({ min: 0, max: 9_999_999_999_999 }),
      // Field names come from the catalogue's schemas (identifiers), never `__proto__`,
      // which Point's plain-object field map cannot hold as a key.
      fields: fc.dictionary(text.filter((k) => k !== '__proto__'), value, { maxKeys: 5 }),
    });
    fc.assert(fc.property(point, (p) => expect(toLine(p)).toBe(viaClientPoint(p))), { numRuns: 2000 });
  });
});
