/**
 * Vital signs that follow from what the resident is doing. Values are a
 * stateless function of (person, time), so two devices sampling the same
 * second agree and the order of sampling never changes a run.
 *
 * Normal ranges are kept inside the platform's NEWS2 "score 0" bands with
 * margin (pulse 51–90, respiration 12–20, SpO2 ≥ 96), so a normal day raises
 * no vitals alert; scenarios push them out on purpose.
 */
import { hashNormal, hashString, hashUniform } from '../util/prng.js';
import { HOUR_MS, localMsOfDay } from '../util/local-time.js';
import type { Activity, VitalOverride } from './routine.js';

export interface PhysiologyProfile {
  /** Resting heart rate, bpm (62–72 for a healthy elder). */
  readonly restingHr: number;
  /** Resting respiration rate, /min. */
  readonly restingRr: number;
  readonly baseSpo2: number;
  readonly baseSkinTemp: number;
  /** Stable numeric key for noise. */
  readonly key: number;
}

export function makeProfile(seed: string): PhysiologyProfile {
  const key = hashString(seed);
  return {
    restingHr: 64 + Math.floor(hashUniform(key, 1) * 9),
    restingRr: 14 + Math.floor(hashUniform(key, 2) * 3),
    baseSpo2: 97 + Math.floor(hashUniform(key, 3) * 2),
    baseSkinTemp: 33.2 + hashUniform(key, 4) * 0.6,
    key,
  };
}

const HR_DELTA: Readonly<Record<Activity, number>> = {
  sleep: -5,
  nap: -3,
  bathroom: 4,
  kitchen: 6,
  living: 1,
  still: 0,
  out: 10,
  fallen: 12,
};

/** −3…+3 bpm: lowest around 04:00, highest around 16:00 (circadian rhythm of resting pulse). */
function circadian(t: number): number {
  const hours = localMsOfDay(t) / HOUR_MS;
  return -3 * Math.cos((2 * Math.PI * (hours - 4)) / 24);
}

function overrideValue(range: readonly [number, number], key: number, t: number, salt: number): number {
  return range[0] + hashUniform(key, Math.floor(t / 1000), salt) * (range[1] - range[0]);
}

function activeOverride(overrides: readonly VitalOverride[], t: number): VitalOverride | undefined {
  for (const o of overrides) if (t >= o.from && t < o.to) return o;
  return undefined;
}

export interface Vitals {
  readonly heartRate: number;
  readonly respirationRate: number;
  readonly spo2: number;
  readonly skinTemp: number;
}

export function vitalsAt(p: PhysiologyProfile, activity: Activity, t: number, overrides: readonly VitalOverride[]): Vitals {
  const s = Math.floor(t / 1000);
  const o = activeOverride(overrides, t);
  const hr = o?.heartRate
    ? overrideValue(o.heartRate, p.key, t, 11)
    : p.restingHr + circadian(t) + HR_DELTA[activity] + 2 * hashNormal(p.key, s, 12);
  const rrDelta = activity === 'sleep' || activity === 'nap' ? -1 : activity === 'out' ? 3 : 0;
  const rr = o?.respirationRate
    ? overrideValue(o.respirationRate, p.key, t, 13)
    : p.restingRr + rrDelta + 0.8 * hashNormal(p.key, s, 14);
  const spo2 = o?.spo2 ? overrideValue(o.spo2, p.key, t, 15) : p.baseSpo2 + 0.7 * hashNormal(p.key, s, 16);
  const tempDelta = activity === 'sleep' || activity === 'nap' ? 0.6 : activity === 'out' ? -0.8 : 0;
  const skin = p.baseSkinTemp + tempDelta + 0.2 * hashNormal(p.key, s, 17);
  return {
    heartRate: clamp(Math.round(hr), 25, 220),
    respirationRate: clamp(Math.round(rr), o?.respirationRate ? 4 : 12, o?.respirationRate ? 40 : 20),
    spo2: clamp(Math.round(spo2), o?.spo2 ? 70 : 96, 99),
    skinTemp: clamp(Math.round(skin * 10) / 10, 32, 35),
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
