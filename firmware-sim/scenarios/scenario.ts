/**
 * Scenarios as data: what happens to a home on the scenario day (local
 * Asia/Shanghai clock times) and which alerts the platform must and must not
 * raise. `compileScenario` turns the data into day modifiers for the
 * household, device faults for the engine and a resolved expectation.
 */
import type { AlertKind } from '../../src/domain/alerts/alert.schema.js';
import type { DeviceType } from '../../devices/device-type.js';
import type { DayModifier } from '../household/household.js';
import { replaceSpan, type Activity, type HomeEvent, type Outing, type Zone } from '../household/routine.js';
import type { DeviceEffect } from '../fleet/sim-engine.js';
import type { ManifestHome } from '../manifest/fleet-manifest.js';
import { localDayIndex, parseClock } from '../util/local-time.js';
import { Prng } from '../util/prng.js';
import type { ExpectedAlert, ForbiddenAlert, ScenarioExpectation, Severity, ToleratedAlert } from './check-scenario.js';

/**
 * The largest clock error of a simulated device (device-firmware.ts draws
 * each device's skew from ±2 s). A device-stamped alert carries the device's
 * time, so a bed exit at 02:00:00 by the wall clock may be reported at
 * 01:59:58; every window allows for it on both sides.
 */
export const MAX_DEVICE_SKEW_MS = 2_000;

/** "HH:MM" or "HH:MM:SS" local time on the scenario day; hours ≥ 24 reach into the next day. */
export type LocalClock = string;
type Range = readonly [number, number];

export type ScenarioStep =
  | { readonly do: 'activity'; readonly from: LocalClock; readonly to: LocalClock; readonly activity: Activity; readonly zone?: Zone; readonly outing?: Outing }
  | { readonly do: 'event'; readonly at: LocalClock; readonly device: DeviceType; readonly body: HomeEvent['body'] }
  | { readonly do: 'vitals'; readonly from: LocalClock; readonly to: LocalClock; readonly heartRate?: Range; readonly respirationRate?: Range; readonly spo2?: Range }
  | { readonly do: 'environment'; readonly from: LocalClock; readonly to: LocalClock; readonly metric: 'smokeObscuration' | 'gasLel'; readonly value: Range }
  /** `count` apnea events spread over [from, to] (AASM: a pause of ≥ 10 s). */
  | { readonly do: 'apnea'; readonly from: LocalClock; readonly to: LocalClock; readonly count: number; readonly durationS: Range }
  | { readonly do: 'battery'; readonly device: DeviceType; readonly from: LocalClock; readonly to: LocalClock; readonly level: Range }
  | { readonly do: 'power_off'; readonly device: DeviceType; readonly at: LocalClock }
  | { readonly do: 'flapping'; readonly device: DeviceType; readonly from: LocalClock; readonly to: LocalClock; readonly upS: Range; readonly downS: Range };

export interface ExpectationSpec {
  readonly kind: AlertKind;
  readonly from: LocalClock;
  readonly to: LocalClock;
  readonly severity?: Severity;
  readonly repeats?: boolean;
  /**
   * `server`: the platform stamps this alert with its own clock (a last will
   * carries no device time), so in an accelerated run the window also covers
   * the real time at which the simulation passed it.
   */
  readonly timeBase?: 'device' | 'server';
  readonly note: string;
}

export interface ScenarioDefinition {
  readonly name: string;
  readonly title: string;
  /** Device types the scenario home must have. */
  readonly requires: readonly DeviceType[];
  readonly steps: readonly ScenarioStep[];
  readonly expect: readonly ExpectationSpec[];
  readonly forbid: readonly { readonly kind: AlertKind; readonly severities?: readonly Severity[]; readonly note: string }[];
  readonly tolerate: readonly AlertKind[];
}

export interface CompiledScenario {
  readonly modifiers: DayModifier[];
  readonly effects: DeviceEffect[];
  readonly expected: ExpectedAlert[];
  readonly forbidden: ForbiddenAlert[];
  readonly tolerated: ToleratedAlert[];
}

/**
 * Compiles a scenario for one home whose scenario day starts at local
 * midnight `dayStart`. `realAt` maps simulated to real time (for
 * server-stamped expectations).
 */
export function compileScenario(
  def: ScenarioDefinition,
  home: ManifestHome,
  dayStart: number,
  realAt: (simTs: number) => number,
): CompiledScenario {
  const at = (clock: LocalClock): number => dayStart + parseClock(clock);
  const deviceOf = (type: DeviceType): string => {
    const d = home.devices.find((x) => x.type === type);
    if (!d) throw new Error(`scenario ${def.name} needs a ${type} in home ${home.homeId}`);
    return d.deviceId;
  };
  const day = localDayIndex(dayStart);
  const effects: DeviceEffect[] = [];
  const changes: ((plan: Parameters<DayModifier['apply']>[0]) => void)[] = [];
  const rng = new Prng(`scenario:${def.name}:${home.homeId}`);

  for (const step of def.steps) {
    switch (step.do) {
      case 'activity': {
        const from = at(step.from);
        const to = at(step.to);
        changes.push((plan) =>
          replaceSpan(plan, from, to, [{ from, to, activity: step.activity, ...(step.zone ? { zone: step.zone } : {}), ...(step.outing ? { outing: step.outing } : {}) }]),
        );
        break;
      }
      case 'event': {
        const t = at(step.at);
        changes.push((plan) => plan.extraEvents.push({ at: t, device: step.device, body: step.body }));
        break;
      }
      case 'vitals': {
        const o = { from: at(step.from), to: at(step.to), ...(step.heartRate ? { heartRate: step.heartRate } : {}), ...(step.respirationRate ? { respirationRate: step.respirationRate } : {}), ...(step.spo2 ? { spo2: step.spo2 } : {}) };
        changes.push((plan) => plan.vitals.push(o));
        break;
      }
      case 'environment': {
        const o = { from: at(step.from), to: at(step.to), metric: step.metric, value: step.value };
        changes.push((plan) => plan.environment.push(o));
        break;
      }
      case 'apnea': {
        const from = at(step.from);
        const span = at(step.to) - from;
        const events: HomeEvent[] = [];
        for (let i = 0; i < step.count; i++) {
          const t = from + Math.round(((i + rng.between(0.1, 0.9)) / step.count) * span);
          events.push({ at: t, device: 'care-bed', body: { event: 'apnea', durationS: rng.int(step.durationS[0], step.durationS[1]) } });
        }
        changes.push((plan) => plan.extraEvents.push(...events));
        break;
      }
      case 'battery':
        effects.push({ kind: 'battery', deviceId: deviceOf(step.device), from: at(step.from), to: at(step.to), levelFrom: step.level[0], levelTo: step.level[1] });
        break;
      case 'power_off':
        effects.push({ kind: 'stop', deviceId: deviceOf(step.device), at: at(step.at) });
        break;
      case 'flapping':
        effects.push({ kind: 'flap', deviceId: deviceOf(step.device), from: at(step.from), to: at(step.to), upS: step.upS, downS: step.downS });
        break;
    }
  }

  const modifiers: DayModifier[] = [{ day, apply: (plan) => changes.forEach((change) => change(plan)) }];
  const expected: ExpectedAlert[] = def.expect.map((e) => {
    const from = at(e.from) - MAX_DEVICE_SKEW_MS;
    const to = at(e.to) + MAX_DEVICE_SKEW_MS;
    const server = e.timeBase === 'server';
    return {
      kind: e.kind,
      residentId: home.residentId,
      from,
      to: server ? Math.max(to, realAt(to)) : to,
      ...(e.severity ? { severity: e.severity } : {}),
      ...(e.repeats ? { repeats: true } : {}),
      note: e.note,
    };
  });
  const forbidden = def.forbid.map((f) => ({ kind: f.kind, residentId: home.residentId, ...(f.severities ? { severities: f.severities } : {}), note: f.note }));
  const tolerated = def.tolerate.map((kind) => ({ kind, residentId: home.residentId }));
  return { modifiers, effects, expected, forbidden, tolerated };
}

/** Joins per-home expectations into one for the checker. */
export function mergeExpectations(
  scenario: string,
  parts: readonly (CompiledScenario & { residentId: string })[],
  from: number,
  to: number,
): ScenarioExpectation {
  return {
    scenario,
    residentIds: parts.map((p) => p.residentId),
    from,
    to,
    expected: parts.flatMap((p) => p.expected),
    forbidden: parts.flatMap((p) => p.forbidden),
    tolerated: parts.flatMap((p) => p.tolerated),
  };
}

