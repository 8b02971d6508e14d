/**
 * Line protocol: the client's `Point` against `toLine` on realistic points.
 * Run: `npm run build && node dist/src/telemetry/line-protocol.bench.js`.
 * The result chose `toLine`; the numbers are in line-protocol.ts.
 */
/* eslint-disable no-console -- a bench prints its numbers */
import { Point } from '@influxdata/influxdb-client';
import { performance } from 'node:perf_hooks';
import { TAG_KEYS, toLine } from './line-protocol.js';
import type { TelemetryPoint } from './telemetry.store.js';

const N = 100_000;
const points: TelemetryPoint[] = Array.from({ length: N }, (_, i) => ({
  measurement: 'vitals',
  tags: { deviceId: `bed-${String(i % 5000).padStart(6, '0')}`, deviceType: 'care-bed', residentId: `r-${i % 5000}`, districtCode: '310104', streetCode: '310104003' },
  ts: 1_700_000_000_000 + i * 1000,
  fields: { heartRate: 60 + (i % 40), respirationRate: 12 + (i % 8), inBed: i % 7 !== 0, movement: (i % 100) / 10, posture: 'supine', spo2: 97.5, hrv: 42.1, snore: false, bodyTemp: 36.6, battery: 88 },
}));

function viaPoint(p: TelemetryPoint): string | undefined {
  const point = new Point(p.measurement).timestamp(String(p.ts));
  for (const key of TAG_KEYS) {
    const value = p.tags[key];
    if (value !== undefined) point.tag(key, value);
  }
  for (const [key, value] of Object.entries(p.fields)) {
    if (typeof value === 'number') point.floatField(key, value);
    else if (typeof value === 'boolean') point.booleanField(key, value);
    else point.stringField(key, value);
  }
  return point.toLineProtocol();
}

function measure(name: string, serialize: (p: TelemetryPoint) => string | undefined): void {
  let bytes = 0;
  for (let round = 0; round < 2; round++) for (const p of points) bytes += serialize(p)?.length ?? 0; // warm-up
  const rounds = 5;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let round = 0; round < rounds; round++) for (const p of points) bytes += serialize(p)?.length ?? 0;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // CPU time is what matters on a busy machine (and what "per core" means); wall time for reference.
  console.log(`${name.padEnd(8)} ${Math.round((rounds * N) / cpuSeconds / 1000)}k lines/s per CPU-second, ${Math.round((rounds * N) / seconds / 1000)}k lines/s wall (${bytes} chars)`);
}

// Alternate the two so a load spike on the machine hits both.
for (let run = 0; run < 3; run++) {
  measure('Point', viaPoint);
  measure('toLine', toLine);
}
