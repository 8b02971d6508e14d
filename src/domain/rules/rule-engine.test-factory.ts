/**
 * Test factories for the rule engine (STYLE.md §15): overridable defaults,
 * district local time written as 'YYYY-MM-DD HH:MM[:SS]' in Asia/Shanghai.
 * Used by specs only.
 */
import type { AlertChange } from '../alerts/alert.schema.js';
import type { CarePlan, CapabilityLevel } from '../care-plans/care-plan.schema.js';
import { DEFAULT_RULE_SETTINGS, type RuleSettings } from '../care-plans/rule-settings.js';
import type { DeviceType } from '../../../devices/device-type.js';
import type {
  DeviceEventReceived,
  DeviceStatusReported,
  DeviceWentOffline,
  DeviceWentOnline,
  TelemetryReceived,
} from '../events/domain-events.js';
import { RuleEngine, type ResidentRuleContext } from './rule-engine.js';

export const ZONE = 'Asia/Shanghai';
export const RESIDENT = 'r-1';
export const HOME = { lat: 31.2304, lon: 121.4737, radiusM: 300 };

/** Asia/Shanghai wall time → epoch ms. The fixture states the offset; the code under test does not. */
export function sh(local: string): number {
  const [date, time = '00:00'] = local.split(' ');
  const full = time.length === 5 ? `${time}:00` : time;
  return Date.parse(`${date}T${full}+08:00`);
}

const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
export function hms(ts: number): string {
  return fmt.format(ts);
}

export class FakeClock {
  constructor(public t = 0) {}
  now(): number {
    return this.t;
  }
}

export function makeContext(overrides: Partial<ResidentRuleContext> = {}): ResidentRuleContext {
  return { residentId: RESIDENT, timeZone: ZONE, capabilityLevel: 0, home: HOME, carePlan: undefined, ...overrides };
}

export function makeEngine(
  opts: { carePlan?: Omit<CarePlan, 'residentId' | 'version'>; capabilityLevel?: CapabilityLevel; settings?: RuleSettings; clock?: FakeClock } = {},
): { engine: RuleEngine; clock: FakeClock } {
  const clock = opts.clock ?? new FakeClock();
  let n = 0;
  const ctx = makeContext({
    capabilityLevel: opts.capabilityLevel ?? 0,
    carePlan: opts.carePlan ? { residentId: RESIDENT, version: 1, ...opts.carePlan } : undefined,
  });
  const engine = new RuleEngine({
    clock,
    ids: () => `a-${++n}`,
    residentContext: (id) => (id === RESIDENT ? ctx : undefined),
    // The rule specs state where each rule ends its condition; the lifecycle's
    // episode merge (which holds a machine clear for a while) has its own specs
    // and is switched on there by passing settings.
    settings: opts.settings ?? { ...DEFAULT_RULE_SETTINGS, episodeMergeMs: 0 },
  });
  return { engine, clock };
}

const DEVICE_OF: Record<DeviceType, string> = {
  'care-bed': 'bed-1',
  wearable: 'watch-1',
  'fall-radar': 'radar-1',
  'sos-button': 'sos-1',
  'smoke-detector': 'smoke-1',
  'gas-detector': 'gas-1',
  'water-leak': 'leak-1',
  'door-contact': 'door-1',
  'pir-motion': 'pir-1',
};

function binding(deviceType: DeviceType, deviceId?: string) {
  return {
    deviceId: deviceId ?? DEVICE_OF[deviceType],
    deviceType,
    residentId: RESIDENT,
    homeId: 'h-1',
    districtCode: '310101',
    streetCode: '310101001',
  };
}

/** One input to the engine, with its event time (or server time for offline/online/advance). */
export type Step =
  | { readonly op: 'telemetry'; readonly e: TelemetryReceived }
  | { readonly op: 'event'; readonly e: DeviceEventReceived }
  | { readonly op: 'status'; readonly e: DeviceStatusReported }
  | { readonly op: 'offline'; readonly e: DeviceWentOffline }
  | { readonly op: 'online'; readonly e: DeviceWentOnline }
  | { readonly op: 'advance'; readonly now: number };

let seq = 0;
export function tel(
  deviceType: DeviceType,
  ts: number,
  metrics: Record<string, number | boolean | string>,
  opts: { deviceId?: string; receivedAt?: number; buffered?: boolean } = {},
): Step {
  return {
    op: 'telemetry',
    e: { ...binding(deviceType, opts.deviceId), ts, receivedAt: opts.receivedAt ?? ts, seq: ++seq, metrics, buffered: opts.buffered ?? false },
  };
}

export function evt(
  deviceType: DeviceType,
  ts: number,
  event: string,
  details: Record<string, unknown> = {},
  opts: { deviceId?: string; receivedAt?: number; buffered?: boolean } = {},
): Step {
  return {
    op: 'event',
    e: { ...binding(deviceType, opts.deviceId), ts, receivedAt: opts.receivedAt ?? ts, seq: ++seq, event, details, buffered: opts.buffered ?? false },
  };
}

export function status(deviceType: DeviceType, ts: number, battery: number): Step {
  return { op: 'status', e: { ...binding(deviceType), ts, receivedAt: ts, battery } };
}

export function offline(deviceType: DeviceType, at: number): Step {
  return { op: 'offline', e: { ...binding(deviceType), at, reason: 'missed_heartbeats', lastSeenAt: at - 180_000 } };
}

export function online(deviceType: DeviceType, at: number): Step {
  return { op: 'online', e: { ...binding(deviceType), at } };
}

export function advance(now: number): Step {
  return { op: 'advance', now };
}

/** Telemetry every `everyS` seconds from `from`, `count` samples. */
export function series(
  deviceType: DeviceType,
  from: number,
  everyS: number,
  count: number,
  metrics: Record<string, number | boolean | string>,
): Step[] {
  return Array.from({ length: count }, (_, i) => tel(deviceType, from + i * everyS * 1000, metrics));
}

/** Feeds steps; the clock follows event time (receivedAt) unless a step says otherwise. */
export function run(engine: RuleEngine, clock: FakeClock, steps: readonly Step[]): AlertChange[] {
  const out: AlertChange[] = [];
  for (const s of steps) {
    switch (s.op) {
      case 'telemetry':
        clock.t = Math.max(clock.t, s.e.receivedAt);
        out.push(...engine.onTelemetry(s.e));
        break;
      case 'event':
        clock.t = Math.max(clock.t, s.e.receivedAt);
        out.push(...engine.onDeviceEvent(s.e));
        break;
      case 'status':
        clock.t = Math.max(clock.t, s.e.receivedAt);
        out.push(...engine.onStatus(s.e));
        break;
      case 'offline':
        clock.t = Math.max(clock.t, s.e.at);
        out.push(...engine.onDeviceOffline(s.e));
        break;
      case 'online':
        clock.t = Math.max(clock.t, s.e.at);
        out.push(...engine.onDeviceOnline(s.e));
        break;
      case 'advance':
        clock.t = Math.max(clock.t, s.now);
        out.push(...engine.advanceTo(s.now));
        break;
    }
  }
  return out;
}

/** A change as one readable line: 'raised vitals_out_of_range/heartRate critical @10:04:00'. */
export function describe(c: AlertChange): string {
  const a = c.alert;
  const kind = a.vital ? `${a.kind}/${a.vital}` : a.kind;
  switch (c.type) {
    case 'AlertRaised':
      return `raised ${kind} ${a.severity} @${hms(a.firstRaisedAt)}`;
    case 'AlertUpdated':
      return `updated ${kind} ${c.reason} ${a.severity} x${a.count}`;
    case 'AlertCleared':
      return `cleared ${kind} @${hms(a.clearedAt ?? 0)}`;
    case 'AlertDowngraded':
      return `downgraded ${kind} ${a.severity}`;
  }
}
