/**
 * Decode throughput on one core: `npm run build && node dist/devices/decode-uplink.bench.js`.
 * The ingest hot path needs tens of thousands of messages per second; this
 * shows how much of a core the decoder takes of that.
 */
import { getDeviceType } from './catalogue.js';
import { decodeUplink } from './decode-uplink.js';
import type { UplinkChannel } from './protocol.js';

const T = 1_773_532_800_000;
const encoder = new TextEncoder();
const bytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
const bedReading = (seq: number) => ({ seq, ts: T + seq * 10_000, heartRate: 64, respirationRate: 15, inBed: true, movement: 3 });

const cases: readonly { name: string; type: string; channel: UplinkChannel; payload: Uint8Array; messages: number }[] = [
  { name: 'care-bed telemetry', type: 'care-bed', channel: 'telemetry', payload: bytes(bedReading(1)), messages: 1 },
  { name: 'wearable telemetry (all 7 metrics)', type: 'wearable', channel: 'telemetry', payload: bytes({ seq: 1, ts: T, heartRate: 76, spo2: 97, skinTemp: 33.4, steps: 412, lat: 31.2304, lon: 121.4737, accuracyM: 8 }), messages: 1 },
  { name: 'fall-radar event', type: 'fall-radar', channel: 'event', payload: bytes({ seq: 1, ts: T, event: 'fall', confidence: 0.93, zone: 'bathroom' }), messages: 1 },
  { name: 'status heartbeat', type: 'wearable', channel: 'status', payload: bytes({ seq: 1, ts: T, state: 'heartbeat', battery: 78, rssi: -82, uptimeS: 3600 }), messages: 1 },
  { name: 'rejected: schema (string heartRate)', type: 'care-bed', channel: 'telemetry', payload: bytes({ ...bedReading(1), heartRate: '64' }), messages: 1 },
  { name: 'rejected: out_of_range', type: 'care-bed', channel: 'telemetry', payload: bytes({ ...bedReading(1), heartRate: 400 }), messages: 1 },
  { name: 'batch of 500 care-bed items', type: 'care-bed', channel: 'batch', payload: bytes({ items: Array.from({ length: 500 }, (_, i) => ({ channel: 'telemetry', ...bedReading(i) })) }), messages: 500 },
];

for (const c of cases) {
  const type = getDeviceType(c.type);
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) decodeUplink(type, c.channel, c.payload);
  };
  run(2_000); // warm up the JIT and zod's compiled object parsers
  const iterations = Math.max(20, Math.round(200_000 / c.messages));
  const started = performance.now();
  run(iterations);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = Math.round((iterations * c.messages) / seconds);
  process.stdout.write(`${c.name.padEnd(40)} ${perSecond.toLocaleString('en-US').padStart(12)} messages/s  (${c.payload.byteLength} B)\n`);
}
