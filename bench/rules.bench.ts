/**
 * Rule-evaluation throughput (issue 3, acceptance 5), in samples per second,
 * for a realistic household mix over N residents:
 *   care-bed telemetry every 10 s, fall radar every 10 s, wearable every 60 s,
 *   PIR every 60 s, status heartbeats every 5 min per device, door events at
 *   dawn and dusk, night bed exits, and a few falls;
 * measured on the RuleEngine alone and through AlertingService (domain event
 * bus → engine → AlertChange republished → batched SQL persistence, the
 * server-time tick every simulated second).
 *
 *   npm run build && node dist/bench/rules.bench.js [residents] [minutes]
 *
 * `measureRulesThroughput` is exported so the ingest benchmark can print
 * both side by side from the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { AlertRepository } from '../src/alerting/alert.repository.js';
import { alertingDb } from '../src/alerting/alerting.tables.js';
import { noopAlertingMetrics } from '../src/alerting/alerting.metrics.js';
import { AlertingService } from '../src/alerting/alerting.service.js';
import { CarePlanRepository } from '../src/alerting/care-plan.repository.js';
import { ResidentContextCache } from '../src/alerting/resident-context.cache.js';
import { RuleEngineStateRepository } from '../src/alerting/rule-engine-state.repository.js';
import type { AlertChange } from '../src/domain/alerts/alert.schema.js';
import { DEFAULT_RULE_SETTINGS } from '../src/domain/care-plans/rule-settings.js';
import type { DeviceBinding, DeviceEventReceived, DeviceStatusReported, TelemetryReceived } from '../src/domain/events/domain-events.js';
import { DomainEventBus } from '../src/domain/events/event-bus.js';
import { RuleEngine, type ResidentRuleContext } from '../src/domain/rules/rule-engine.js';
import { silentLogger } from '../src/observability/logger.js';
import { openRegistryDatabase } from '../src/registry/database.js';
import { GeographyRepository } from '../src/registry/geography.repository.js';
import { ResidentRepository } from '../src/registry/resident.repository.js';

export interface RulesBenchOptions {
  /** Residents (homes), default 500. */
  readonly residents?: number;
  /** Simulated duration, default 60 minutes (starting 21:00 Asia/Shanghai, so night rules run). */
  readonly minutes?: number;
  /** Also measure through AlertingService with SQLite persistence (default true). */
  readonly withService?: boolean;
}

export interface RulesThroughput {
  readonly residents: number;
  readonly simulatedMinutes: number;
  readonly samples: number;
  /** Engine alone. */
  readonly samplesPerSecond: number;
  readonly engine: { readonly seconds: number; readonly samplesPerSecond: number; readonly alertChanges: number };
  /** Through the bus, the adapter and SQL (undefined when `withService: false`). */
  readonly service?: { readonly seconds: number; readonly samplesPerSecond: number; readonly alertChanges: number; readonly persistedAlerts: number };
}

type Input =
  | { readonly kind: 'telemetry'; readonly e: TelemetryReceived }
  | { readonly kind: 'event'; readonly e: DeviceEventReceived }
  | { readonly kind: 'status'; readonly e: DeviceStatusReported };

const SEC = 1_000;
const MIN = 60 * SEC;
/** 2026-03-10 21:00 Asia/Shanghai. */
const START = Date.UTC(2026, 2, 10, 13, 0, 0);
const COMMUNITY = '420103001001';

/** Deterministic PRNG (mulberry32) so every run replays the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function residentId(i: number): string {
  return `r-bench-${String(i).padStart(5, '0')}`;
}

function homeOf(i: number): { lat: number; lon: number } {
  return { lat: 30.57 + (i % 100) * 0.0005, lon: 114.28 + Math.floor(i / 100) * 0.0005 };
}

/** Builds the time-ordered input stream. */
export function generateRulesWorkload(residents: number, minutes: number, seed = 42): Input[] {
  const rnd = prng(seed);
  const out: Input[] = [];
  const end = START + minutes * MIN;
  for (let r = 0; r < residents; r++) {
    const rid = residentId(r);
    const homeId = `h-bench-${r}`;
    const bind = (type: DeviceBinding['deviceType'], suffix: string): DeviceBinding => ({
      deviceId: `${suffix}-${String(r).padStart(10, '0')}`.slice(0, 20),
      deviceType: type,
      residentId: rid,
      homeId,
      districtCode: '420103',
      streetCode: '420103001',
    });
    const bed = bind('care-bed', 'bed');
    const radar = bind('fall-radar', 'radar');
    const wear = bind('wearable', 'wear');
    const pir = bind('pir-motion', 'pir');
    const door = bind('door-contact', 'door');
    const home = homeOf(r);
    const offset = Math.floor(rnd() * 10) * SEC;
    let seq = 0;
    const exitAt = rnd() < 0.2 ? START + Math.floor(rnd() * minutes) * MIN : -1;
    const fallAt = r % 100 === 7 ? START + Math.floor(rnd() * minutes) * MIN : -1;
    for (let t = START + offset; t < end; t += 10 * SEC) {
      const away = exitAt >= 0 && t >= exitAt && t < exitAt + 40 * MIN;
      const tele = (b: DeviceBinding, metrics: TelemetryReceived['metrics']): void => {
        out.push({ kind: 'telemetry', e: { ...b, ts: t, receivedAt: t + 150, seq: ++seq, metrics, buffered: false } });
      };
      tele(bed, away ? { heartRate: 0, respirationRate: 0, inBed: false, movement: 0 } : { heartRate: 58 + Math.round(rnd() * 12), respirationRate: 13 + Math.round(rnd() * 4), inBed: true, movement: rnd() < 0.1 ? 2 : 0 });
      tele(radar, { presence: true, posture: away ? 'standing' : 'lying', zone: away ? 'living_room' : 'bedroom', movement: away ? 3 : 0 });
      if ((t - START - offset) % MIN === 0) {
        tele(wear, { heartRate: 60 + Math.round(rnd() * 15), spo2: 95 + Math.round(rnd() * 3), skinTemp: 33 + Math.round(rnd() * 10) / 10, steps: 0, lat: home.lat, lon: home.lon, accuracyM: 10 });
        tele(pir, { motionCount: away ? 3 : 0 });
      }
      if ((t - START - offset) % (5 * MIN) === 0) {
        for (const b of [bed, radar, wear, pir, door]) out.push({ kind: 'status', e: { ...b, ts: t, receivedAt: t + 150, battery: 60 + Math.round(rnd() * 40), rssi: -70 } });
      }
      const ev = (b: DeviceBinding, event: string, details: Record<string, unknown> = {}): void => {
        out.push({ kind: 'event', e: { ...b, ts: t, receivedAt: t + 150, seq: ++seq, event, details, buffered: false } });
      };
      if (t === exitAt + offset) ev(bed, 'bed_exit');
      if (exitAt >= 0 && t === exitAt + offset + 40 * MIN) ev(bed, 'bed_enter');
      if (r % 10 === 3 && (t - START - offset) % (30 * MIN) === 0) {
        ev(door, 'door_open');
        out.push({ kind: 'event', e: { ...door, ts: t + 20 * SEC, receivedAt: t + 20 * SEC + 150, seq: ++seq, event: 'door_close', details: {}, buffered: false } });
      }
      if (fallAt >= 0 && t === fallAt + offset) ev(radar, 'fall', { confidence: 0.9, zone: 'bathroom' });
    }
  }
  return out.sort((a, b) => a.e.ts - b.e.ts);
}

function contextFor(i: number): ResidentRuleContext {
  return { residentId: residentId(i), timeZone: 'Asia/Shanghai', capabilityLevel: (i % 5), home: { ...homeOf(i), radiusM: 80 }, carePlan: undefined };
}

function runEngine(inputs: readonly Input[], residents: number): { seconds: number; changes: number } {
  let now = START;
  const contexts = new Map(Array.from({ length: residents }, (_, i) => [residentId(i), contextFor(i)] as const));
  let n = 0;
  const engine = new RuleEngine({ clock: { now: () => now }, ids: () => `a-${++n}`, residentContext: (id) => contexts.get(id), settings: DEFAULT_RULE_SETTINGS });
  let changes = 0;
  let nextTick = START + SEC;
  const started = performance.now();
  for (const input of inputs) {
    now = input.e.receivedAt;
    while (nextTick <= now) {
      changes += engine.advanceTo(nextTick).length;
      nextTick += SEC;
    }
    changes += dispatch(engine, input).length;
  }
  return { seconds: (performance.now() - started) / 1000, changes };
}

function dispatch(engine: RuleEngine, input: Input): AlertChange[] {
  switch (input.kind) {
    case 'telemetry':
      return engine.onTelemetry(input.e);
    case 'event':
      return engine.onDeviceEvent(input.e);
    case 'status':
      return engine.onStatus(input.e);
  }
}

async function runService(inputs: readonly Input[], residents: number): Promise<{ seconds: number; changes: number; persisted: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-rules-bench-'));
  const db = await openRegistryDatabase({ filename: join(dir, 'registry.sqlite') });
  try {
    await new GeographyRepository(db).insertAll({
      districts: [{ code: '420103', name: '江汉区', adcode: '420103' }],
      streets: [{ code: '420103001', districtCode: '420103', name: '民族街道', lat: 30.577, lon: 114.288 }],
      communities: [{ code: COMMUNITY, streetCode: '420103001', name: '长春社区', lat: 30.578, lon: 114.287 }],
      homes: Array.from({ length: residents }, (_, i) => ({ id: `h-bench-${i}`, communityCode: COMMUNITY, address: `${i}号`, ...homeOf(i), homeRadiusM: 80 })),
    });
    await new ResidentRepository(db).insertMany(
      Array.from({ length: residents }, (_, i) => ({
        id: residentId(i),
        displayName: '测试',
        phoneLast4: null,
        birthYear: 1940,
        gender: 'female' as const,
        capabilityLevel: (i % 5) as 0 | 1 | 2 | 3 | 4,
        livingSituation: 'alone' as const,
        conditions: [],
        emergencyContacts: [],
        communityCode: COMMUNITY,
        homeId: `h-bench-${i}`,
        createdAt: START,
      })),
    );
    const adb = alertingDb(db);
    const bus = new DomainEventBus();
    let now = START;
    const alerts = new AlertRepository(adb);
    const service = new AlertingService(
      {
        bus,
        clock: () => now,
        alerts,
        engineState: new RuleEngineStateRepository(adb),
        contexts: new ResidentContextCache(adb, new CarePlanRepository(adb), 'Asia/Shanghai', silentLogger),
        metrics: noopAlertingMetrics,
        logger: silentLogger,
        settings: DEFAULT_RULE_SETTINGS,
      },
      // Real-time timers off: the bench drives the tick on simulated time; snapshots as in production (every 5 s real time).
      { tickMs: 3_600_000, snapshotMs: 5_000, contextReloadMs: 3_600_000, maxPending: 1_000_000 },
    );
    await service.start();
    let changes = 0;
    for (const name of ['AlertRaised', 'AlertUpdated', 'AlertCleared', 'AlertDowngraded'] as const) bus.subscribe(name, () => changes++);
    let nextTick = START + SEC;
    const started = performance.now();
    let i = 0;
    for (const input of inputs) {
      now = input.e.receivedAt;
      while (nextTick <= now) {
        service.tick(nextTick);
        nextTick += SEC;
      }
      switch (input.kind) {
        case 'telemetry':
          bus.publish('TelemetryReceived', input.e);
          break;
        case 'event':
          bus.publish('DeviceEventReceived', input.e);
          break;
        case 'status':
          bus.publish('DeviceStatusReported', input.e);
          break;
      }
      // Yield like ingest does between MQTT packets, so batched persistence runs as in production.
      if (++i % 2_000 === 0) await new Promise((r) => setImmediate(r));
    }
    await service.flush();
    const seconds = (performance.now() - started) / 1000;
    await service.stop();
    const persisted = (await alerts.list({ limit: 1_000_000 })).length;
    return { seconds, changes, persisted };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureRulesThroughput(opts: RulesBenchOptions = {}): Promise<RulesThroughput> {
  const residents = opts.residents ?? 500;
  const minutes = opts.minutes ?? 60;
  const inputs = generateRulesWorkload(residents, minutes);
  // One full unmeasured run warms up the JIT (and zod's compiled parsers) for both measured paths.
  runEngine(inputs, residents);
  const engine = runEngine(inputs, residents);
  const result: RulesThroughput = {
    residents,
    simulatedMinutes: minutes,
    samples: inputs.length,
    samplesPerSecond: inputs.length / engine.seconds,
    engine: { seconds: engine.seconds, samplesPerSecond: inputs.length / engine.seconds, alertChanges: engine.changes },
  };
  if (opts.withService === false) return result;
  const service = await runService(inputs, residents);
  return { ...result, service: { seconds: service.seconds, samplesPerSecond: inputs.length / service.seconds, alertChanges: service.changes, persistedAlerts: service.persisted } };
}

/** One row per path, aligned for a terminal. */
export function formatRulesThroughput(r: RulesThroughput): string {
  const rows: string[][] = [['path', 'samples', 'seconds', 'samples/s', 'alert changes', 'alerts in SQL']];
  rows.push(['RuleEngine alone', String(r.samples), r.engine.seconds.toFixed(2), Math.round(r.engine.samplesPerSecond).toLocaleString('en-US'), String(r.engine.alertChanges), '-']);
  if (r.service) {
    rows.push(['bus → AlertingService → SQLite', String(r.samples), r.service.seconds.toFixed(2), Math.round(r.service.samplesPerSecond).toLocaleString('en-US'), String(r.service.alertChanges), String(r.service.persistedAlerts)]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  const line = (row: string[]): string => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  const liveRate = (r.samples / (r.simulatedMinutes * 60)).toFixed(0);
  return [
    `Rule evaluation: ${r.residents} residents, ${r.simulatedMinutes} simulated minutes (${liveRate} samples/s in real time), mix: bed+radar 10 s, wearable+PIR 60 s, status 5 min, doors, bed exits, falls`,
    line(rows[0] ?? []),
    ...rows.slice(1).map(line),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const residents = Number(process.argv[2] ?? 500);
  const minutes = Number(process.argv[3] ?? 60);
  const result = await measureRulesThroughput({ residents, minutes });
  process.stdout.write(`${formatRulesThroughput(result)}\n\n`);
  // The spine benchmark in the same run, so the two rates are comparable on this machine today.
  const { measureIngest, formatIngestThroughput } = await import('./ingest.bench.js');
  const ingest = await measureIngest({ devices: 50, window: 20, seconds: 10 });
  process.stdout.write(`Ingest (spine benchmark, same run):\n${formatIngestThroughput(ingest)}\n\n`);
  const slowest = Math.min(result.engine.samplesPerSecond, result.service?.samplesPerSecond ?? Infinity);
  process.stdout.write(`rules headroom over ingest: ${(slowest / ingest.platform).toFixed(1)}× (rules must never be the bottleneck: > 1)\n`);
}
