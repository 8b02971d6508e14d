import { z } from 'zod';
import { deviceCatalogue, getDeviceType, isDeviceType } from './catalogue.js';
import { decodeUplink } from './decode-uplink.js';
import { encodeFixturePayload } from './device-fixtures.js';
import { DEVICE_TYPES, type DeviceTypeDescriptor, type MetricDescriptor } from './device-type.js';
import { MAX_BATCH_ITEMS } from './protocol.js';

const descriptors = DEVICE_TYPES.map((type) => deviceCatalogue[type]);

const fixtureCases = (pick: (d: DeviceTypeDescriptor) => readonly { name: string; channel: string }[]) =>
  descriptors.flatMap((d) => pick(d).map((f) => [d.type, f.channel, f.name] as const));

function fixtureOf(list: 'valid' | 'edge' | 'invalid', type: string, name: string) {
  const fixture = getDeviceType(type).fixtures[list].find((f) => f.name === name);
  if (fixture === undefined) throw new Error(`no ${list} fixture "${name}" for ${type}`);
  return fixture;
}

describe('the device catalogue', () => {
  it('has one descriptor per device type, filed under its own name', () => {
    expect(Object.keys(deviceCatalogue).sort()).toEqual([...DEVICE_TYPES].sort());
    for (const type of DEVICE_TYPES) expect(deviceCatalogue[type].type).toBe(type);
  });

  it.each(descriptors.map((d) => [d.type, d] as const))('%s keeps the heartbeat interval of its power source', (_type, d) => {
    // Battery devices sleep between radio bursts: 5 min heartbeats; mains devices: 1 min.
    expect(d.heartbeatIntervalS).toBe(d.batteryPowered ? 300 : 60);
  });

  it.each(descriptors.map((d) => [d.type, d] as const))('%s bounds the heartbeat a device may announce: above its own, and minutes for life-safety types', (_type, d) => {
    expect(d.maxHeartbeatIntervalS).toBeGreaterThanOrEqual(d.heartbeatIntervalS);
    const lifeSafety = ['sos-button', 'smoke-detector', 'gas-detector', 'water-leak', 'fall-radar', 'wearable', 'care-bed'];
    if (lifeSafety.includes(d.type)) expect(d.maxHeartbeatIntervalS).toBeLessThanOrEqual(30 * 60);
  });

  it('tells device types from other strings', () => {
    expect(isDeviceType('care-bed')).toBe(true);
    expect(isDeviceType('toaster')).toBe(false);
    expect(isDeviceType(42)).toBe(false);
    expect(() => getDeviceType('toaster')).toThrow('unknown device type "toaster"');
  });
});

describe('metric descriptors and telemetry schemas describe the same fields', () => {
  const kindOf = (schema: z.ZodType): string => {
    const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
    if (inner instanceof z.ZodNumber) return 'number';
    if (inner instanceof z.ZodBoolean) return 'boolean';
    if (inner instanceof z.ZodString || inner instanceof z.ZodEnum) return 'string';
    return `unsupported ${inner.constructor.name}`;
  };

  it.each(descriptors.map((d) => [d.type, d] as const))('%s', (_type, d) => {
    expect(d.telemetry).toBeInstanceOf(z.ZodObject);
    const shape = (d.telemetry as z.ZodObject).shape as Record<string, z.ZodType>;
    const schemaFields = Object.entries(shape)
      .filter(([key]) => key !== 'seq' && key !== 'ts')
      .map(([key, schema]) => [key, kindOf(schema)]);
    expect(schemaFields.sort()).toEqual(d.metrics.map((m) => [m.key, m.kind]).sort());
    // Unknown metric keys are a `schema` rejection, so the object must be strict.
    expect(d.telemetry.safeParse({ seq: 1, ts: 1_773_532_800_000, notAMetric: 1 }).success).toBe(false);
  });

  it.each(descriptors.flatMap((d) => d.metrics.map((m) => [d.type, m.key, m] as const)))(
    '%s.%s: a number has a range and a unit, a boolean or string has neither',
    (_type, _key, m: MetricDescriptor) => {
      if (m.kind === 'number') {
        expect(m.range).toBeDefined();
        expect(m.range![0]).toBeLessThan(m.range![1]);
        expect(m.unit).not.toBe('');
      } else {
        expect(m.range).toBeUndefined();
        expect(m.unit).toBe('');
      }
    },
  );
});

describe('fixtures', () => {
  it.each(fixtureCases((d) => d.fixtures.valid))('%s %s accepts valid: %s', (type, _channel, name) => {
    const fixture = fixtureOf('valid', type, name);
    const result = decodeUplink(getDeviceType(type), fixture.channel, encodeFixturePayload(fixture));
    expect(result).toMatchObject({ ok: true, buffered: fixture.channel === 'batch' });
  });

  it.each(fixtureCases((d) => d.fixtures.edge))('%s %s accepts edge: %s', (type, _channel, name) => {
    const fixture = fixtureOf('edge', type, name);
    const result = decodeUplink(getDeviceType(type), fixture.channel, encodeFixturePayload(fixture));
    expect(result).toMatchObject({ ok: true });
  });

  it.each(fixtureCases((d) => d.fixtures.invalid))('%s %s rejects invalid: %s', (type, _channel, name) => {
    const fixture = getDeviceType(type).fixtures.invalid.find((f) => f.name === name)!;
    const result = decodeUplink(getDeviceType(type), fixture.channel, encodeFixturePayload(fixture));
    expect(result).toEqual({ ok: false, reason: fixture.reason, detail: expect.stringMatching(/\S/) as unknown });
  });

  it.each(descriptors.map((d) => [d.type, d] as const))('%s covers every channel it uses and every rejection a device can cause', (_type, d) => {
    const channels = new Set(d.fixtures.valid.map((f) => f.channel));
    expect(channels).toEqual(new Set([d.telemetryIntervalS === null ? 'event' : 'telemetry', 'event', 'status', 'batch']));
    const reasons = new Set(d.fixtures.invalid.map((f) => f.reason));
    expect([...reasons].sort()).toEqual(['not_json', 'out_of_range', 'schema', 'too_large']);
    const events = (d.event as z.ZodDiscriminatedUnion).options.map((o) => ((o as z.ZodObject).shape['event'] as z.ZodLiteral).value);
    const validEvents = d.fixtures.valid.flatMap((f) => (f.channel === 'event' ? [(f.payload as { event: string }).event] : []));
    expect(new Set(validEvents)).toEqual(new Set(events));
  });

  it.each(descriptors.map((d) => [d.type, d] as const))('%s has a full batch among its edge fixtures', (_type, d) => {
    const full = d.fixtures.edge.find((f) => f.channel === 'batch' && (f.payload as { items: unknown[] }).items.length === MAX_BATCH_ITEMS);
    expect(full).toBeDefined();
  });
});
