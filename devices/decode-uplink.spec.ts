import { getDeviceType } from './catalogue.js';
import { decodeUplink } from './decode-uplink.js';
import { MAX_BATCH_ITEMS, MAX_PACKET_BYTES } from './protocol.js';

const careBed = getDeviceType('care-bed');
const wearable = getDeviceType('wearable');
const T = 1_773_532_800_000;

const bedReading = (seq: number, overrides: Record<string, unknown> = {}) => ({
  seq,
  ts: T + seq * 10_000,
  heartRate: 64,
  respirationRate: 15,
  inBed: true,
  movement: 3,
  ...overrides,
});
const json = (value: unknown): string => JSON.stringify(value);
const batchOf = (items: readonly unknown[]): string => json({ items });

describe('decodeUplink on single messages', () => {
  it('turns telemetry into metrics without seq and ts', () => {
    expect(decodeUplink(careBed, 'telemetry', json(bedReading(1)))).toEqual({
      ok: true,
      buffered: false,
      messages: [{ kind: 'telemetry', seq: 1, ts: T + 10_000, metrics: { heartRate: 64, respirationRate: 15, inBed: true, movement: 3 } }],
    });
  });

  it('keeps only the metrics a wearable sent', () => {
    const result = decodeUplink(wearable, 'telemetry', json({ seq: 9, ts: T, heartRate: 72, steps: 1200 }));
    expect(result).toMatchObject({ ok: true, messages: [{ metrics: { heartRate: 72, steps: 1200 } }] });
  });

  it('turns an event into its name and details without seq, ts and event', () => {
    expect(decodeUplink(careBed, 'event', json({ seq: 7, ts: T, event: 'apnea', durationS: 24 }))).toEqual({
      ok: true,
      buffered: false,
      messages: [{ kind: 'event', seq: 7, ts: T, event: 'apnea', details: { durationS: 24 } }],
    });
  });

  it('gives an event without details an empty details object', () => {
    expect(decodeUplink(careBed, 'event', json({ seq: 8, ts: T, event: 'bed_exit' }))).toMatchObject({
      ok: true,
      messages: [{ kind: 'event', event: 'bed_exit', details: {} }],
    });
  });

  it('decodes a status message, dropping fields it does not know (status stays open to additions)', () => {
    const status = { seq: 3, ts: T, state: 'online', firmware: 'cb-2.4.1', rssi: -67, heartbeatS: 60 };
    expect(decodeUplink(careBed, 'status', json({ ...status, wifiChannel: 6 }))).toEqual({
      ok: true,
      buffered: false,
      messages: [{ kind: 'status', seq: 3, ts: T, status }],
    });
  });

  it('decodes a command reply', () => {
    const reply = { seq: 12, ts: T, cmdId: 'c-20260315-0001', ok: true, result: { telemetryS: 30 } };
    expect(decodeUplink(careBed, 'cmd/reply', json(reply))).toEqual({
      ok: true,
      buffered: false,
      messages: [{ kind: 'command_reply', seq: 12, ts: T, reply }],
    });
  });

  it('rejects a command reply without its cmdId', () => {
    expect(decodeUplink(careBed, 'cmd/reply', json({ seq: 12, ts: T, ok: false, error: 'busy' }))).toEqual({
      ok: false,
      reason: 'schema',
      detail: 'cmdId: missing (expected string)',
    });
  });

  it('decodes bytes exactly as it decodes the same text', () => {
    const text = json(bedReading(2));
    expect(decodeUplink(careBed, 'telemetry', new TextEncoder().encode(text))).toEqual(decodeUplink(careBed, 'telemetry', text));
  });

  it.each([
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'payload is not valid UTF-8'],
    ['an empty payload', new Uint8Array(0), expect.stringContaining('payload is not JSON') as unknown],
    ['a vendor text format', 'HR:64,RR:15', expect.stringContaining('payload is not JSON') as unknown],
  ])('rejects %s as not_json', (_case, payload, detail) => {
    expect(decodeUplink(careBed, 'telemetry', payload)).toEqual({ ok: false, reason: 'not_json', detail });
  });
});

describe('decodeUplink drops readings of nobody', () => {
  it.each([
    ['the sensor floor', { heartRate: 20, respirationRate: 0 }],
    ['noise outside the ranges', { heartRate: 0, respirationRate: 95 }],
    ['no vital signs at all', { heartRate: undefined, respirationRate: undefined }],
  ])('keeps an empty bed\'s inBed and movement and drops its vital signs (%s)', (_case, vitals) => {
    const decoded = decodeUplink(careBed, 'telemetry', json(bedReading(1, { inBed: false, movement: 0, ...vitals })));
    expect(decoded).toEqual({ ok: true, buffered: false, messages: [{ kind: 'telemetry', seq: 1, ts: T + 10_000, metrics: { inBed: false, movement: 0 } }] });
  });

  it('still requires the vital signs of someone in bed', () => {
    expect(decodeUplink(careBed, 'telemetry', json(bedReading(1, { heartRate: undefined })))).toMatchObject({ ok: false, reason: 'schema', detail: expect.stringContaining('heartRate is required while inBed is true') as unknown });
  });

  it('drops a band\'s vital signs while it is off the wrist, keeps its steps and position', () => {
    const decoded = decodeUplink(wearable, 'telemetry', json({ seq: 7, ts: T, heartRate: 0, spo2: 12, skinTemp: 24, steps: 412, lat: 30.58, lon: 114.29, worn: false }));
    expect(decoded).toMatchObject({ ok: true, messages: [{ metrics: { steps: 412, lat: 30.58, lon: 114.29, worn: false } }] });
    expect(decoded.ok && decoded.messages[0]?.kind === 'telemetry' ? Object.keys(decoded.messages[0].metrics).sort() : []).toEqual(['lat', 'lon', 'steps', 'worn']);
  });

  it('keeps the vital signs of a band that is worn or cannot tell', () => {
    for (const worn of [true, undefined]) {
      expect(decodeUplink(wearable, 'telemetry', json({ seq: 7, ts: T, heartRate: 71, spo2: 96, worn }))).toMatchObject({ ok: true, messages: [{ metrics: { heartRate: 71, spo2: 96 } }] });
    }
  });
});

describe('decodeUplink checks in order: size, JSON, schema, range', () => {
  it.each([
    ['an oversized payload that is not JSON either', 'x'.repeat(MAX_PACKET_BYTES + 1), 'too_large'],
    ['a payload that is not JSON and has a wrong type', '{"heartRate": "64", ', 'not_json'],
    ['a wrong type next to an implausible value', json(bedReading(1, { heartRate: '64', respirationRate: 99 })), 'schema'],
    ['an unknown field next to an implausible value', json(bedReading(1, { bedTemp: 28, heartRate: 400 })), 'schema'],
    ['only an implausible value', json(bedReading(1, { heartRate: 400 })), 'out_of_range'],
  ])('reports %s as %s', (_case, payload, reason) => {
    expect(decodeUplink(careBed, 'telemetry', payload)).toMatchObject({ ok: false, reason });
  });

  it('names the metric, its value, unit and range when out of range', () => {
    expect(decodeUplink(careBed, 'telemetry', json(bedReading(1, { heartRate: 400 })))).toEqual({
      ok: false,
      reason: 'out_of_range',
      detail: 'heartRate 400 bpm outside 20–250',
    });
  });

  it('names the field, the expected and the received type on a schema rejection', () => {
    expect(decodeUplink(careBed, 'telemetry', json(bedReading(1, { heartRate: '64' })))).toEqual({
      ok: false,
      reason: 'schema',
      detail: 'heartRate: expected number, received string',
    });
  });

  it('lists at most three problems in a detail and counts the rest', () => {
    const payload = json({ seq: 'a', ts: 'b', heartRate: 'c', respirationRate: 'd', inBed: 'e', movement: 'f' });
    const result = decodeUplink(careBed, 'telemetry', payload);
    expect(result).toMatchObject({ ok: false, reason: 'schema' });
    expect(result.ok ? '' : result.detail).toBe(
      'seq: expected number, received string; ts: expected number, received string; heartRate: expected number, received string; and 3 more',
    );
  });

  it.each([
    ['at the limit', 200, true],
    ['one byte over the limit', 201, false],
  ])('counts UTF-8 bytes, not characters, of a text payload %s', (_case, bytes, ok) => {
    // Each of 存储已满 ("storage full") is one character but three UTF-8 bytes.
    const reply = json({ seq: 1, ts: T, cmdId: 'c-1', ok: false, error: '存储已满' });
    const padded = `${reply.slice(0, -1)}${' '.repeat(bytes - new TextEncoder().encode(reply).byteLength)}}`;
    expect(padded.length).toBeLessThan(200);
    const result = decodeUplink(careBed, 'cmd/reply', padded, { maxBytes: 200 });
    expect(result.ok || result.reason).toBe(ok ? true : 'too_large');
  });

  it('honours a smaller maxBytes from the caller', () => {
    const payload = json(bedReading(1));
    expect(decodeUplink(careBed, 'telemetry', payload, { maxBytes: payload.length })).toMatchObject({ ok: true });
    expect(decodeUplink(careBed, 'telemetry', payload, { maxBytes: payload.length - 1 })).toMatchObject({ ok: false, reason: 'too_large' });
  });
});

describe('decodeUplink on a batch', () => {
  it('returns every item in order, as buffered messages of their own kinds', () => {
    const result = decodeUplink(careBed, 'batch', batchOf([
      { channel: 'telemetry', ...bedReading(1) },
      { channel: 'event', seq: 2, ts: T + 14_800, event: 'bed_exit' },
      { channel: 'status', seq: 3, ts: T + 25_000, state: 'heartbeat', rssi: -71 },
    ]));
    expect(result).toEqual({
      ok: true,
      buffered: true,
      messages: [
        { kind: 'telemetry', seq: 1, ts: T + 10_000, metrics: { heartRate: 64, respirationRate: 15, inBed: true, movement: 3 } },
        { kind: 'event', seq: 2, ts: T + 14_800, event: 'bed_exit', details: {} },
        { kind: 'status', seq: 3, ts: T + 25_000, status: { seq: 3, ts: T + 25_000, state: 'heartbeat', rssi: -71 } },
      ],
    });
  });

  it.each([
    ['a wrong type', { heartRate: '66' }, 'schema', 'items[2].heartRate: expected number, received string'],
    ['an implausible value', { heartRate: 400 }, 'out_of_range', 'items[2].heartRate 400 bpm outside 20–250'],
    ['an unknown field', { bedTemp: 28 }, 'schema', 'items[2]: unknown field "bedTemp"'],
    ['no seq', { seq: undefined }, 'schema', 'items[2].seq: missing (expected number)'],
  ])('rejects the whole batch when one item has %s, naming the item', (_case, overrides, reason, detail) => {
    const items = [1, 2, 3, 4].map((seq) => ({ channel: 'telemetry', ...bedReading(seq, seq === 3 ? overrides : {}) }));
    expect(decodeUplink(careBed, 'batch', batchOf(items))).toEqual({ ok: false, reason, detail });
  });

  it('names the item of a device type that sends no telemetry', () => {
    const items = [{ channel: 'event', seq: 1, ts: T, event: 'sos' }, { channel: 'telemetry', seq: 2, ts: T }];
    expect(decodeUplink(getDeviceType('sos-button'), 'batch', batchOf(items))).toEqual({
      ok: false,
      reason: 'schema',
      detail: 'items[1]: sos-button devices send no telemetry, only events and status',
    });
  });

  it.each([
    ['the default limit', MAX_BATCH_ITEMS, undefined],
    ['a limit from the caller', 20, { maxBatchItems: 20 }],
  ])('accepts as many items as %s allows and refuses one more as too_large', (_case, max, limits) => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ channel: 'telemetry', ...bedReading(i) }));
    expect(decodeUplink(careBed, 'batch', batchOf(items(max)), limits)).toMatchObject({ ok: true });
    expect(decodeUplink(careBed, 'batch', batchOf(items(max + 1)), limits)).toEqual({
      ok: false,
      reason: 'too_large',
      detail: `batch has ${max + 1} items, at most ${max}`,
    });
  });

  it('refuses too many items before looking at them', () => {
    const items = Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({ channel: 'telemetry', heartRate: 'not checked' }));
    expect(decodeUplink(careBed, 'batch', batchOf(items))).toMatchObject({ ok: false, reason: 'too_large' });
  });
});
