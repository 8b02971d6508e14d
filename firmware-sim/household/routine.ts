/**
 * A resident's day as a list of activity segments, planned per local day
 * from a seed so any day can be rebuilt on demand (random access, bounded
 * memory). Timings follow a typical retired Chinese elder's day: up around
 * 06:30, breakfast, a morning walk or market trip on most days, lunch at
 * 11:30, a nap after lunch, dinner at 17:30, in bed around 21:30, and 0–2
 * bathroom visits at night.
 */
import type { DeviceType } from '../../devices/device-type.js';
import { Prng } from '../util/prng.js';
import { MINUTE_MS, midnightOfDay, DAY_MS } from '../util/local-time.js';

export const ACTIVITIES = ['sleep', 'nap', 'bathroom', 'kitchen', 'living', 'still', 'out', 'fallen'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** Rooms as the fall radar names them. */
export type Zone = 'bedroom' | 'bathroom' | 'living_room' | 'kitchen' | 'hall' | 'none';

export interface Outing {
  /** Direction of the walk from home, degrees from north. */
  readonly bearingDeg: number;
  /** Farthest distance from home, metres. */
  readonly maxDistM: number;
}

export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly activity: Activity;
  /** Where a `fallen` resident lies. */
  readonly zone?: Zone;
  readonly outing?: Outing;
}

/** Something a device reports as an event at `at` (simulated time). */
export interface HomeEvent {
  readonly at: number;
  readonly device: DeviceType;
  readonly body: { readonly event: string } & Readonly<Record<string, unknown>>;
}

export interface VitalOverride {
  readonly from: number;
  readonly to: number;
  readonly heartRate?: readonly [number, number];
  readonly respirationRate?: readonly [number, number];
  readonly spo2?: readonly [number, number];
}

export interface EnvironmentOverride {
  readonly from: number;
  readonly to: number;
  readonly metric: 'smokeObscuration' | 'gasLel';
  readonly value: readonly [number, number];
}

export interface DayPlan {
  readonly day: number;
  readonly start: number;
  segments: Segment[];
  /** Events scenarios add; transition events (bed, door, motion) are derived from segments. */
  readonly extraEvents: HomeEvent[];
  readonly vitals: VitalOverride[];
  readonly environment: EnvironmentOverride[];
}

export const IN_BED: ReadonlySet<Activity> = new Set(['sleep', 'nap']);

const min = (m: number): number => m * MINUTE_MS;
const hm = (h: number, m: number): number => min(h * 60 + m);

/** Plans local day `day` (days since 1970-01-01 local) for the person with `seed`. */
export function planDay(seed: string, day: number): DayPlan {
  const rng = new Prng(`${seed}:day:${day}`);
  const start = midnightOfDay(day);
  const segments: Segment[] = [];
  let cursor = 0;
  const add = (activity: Activity, until: number, extra?: Pick<Segment, 'outing'>): void => {
    if (until <= cursor) return;
    segments.push({ from: start + cursor, to: start + until, activity, ...extra });
    cursor = until;
  };

  const wake = hm(6, 35) + min(rng.int(0, 30));
  // 0–2 night bathroom visits (nocturia is common after 65), between 00:30 and 40 min before waking.
  const visits = rng.pick([0, 0, 1, 1, 1, 2]);
  const times = Array.from({ length: visits }, () => rng.between(hm(0, 30), wake - min(40))).sort((a, b) => a - b);
  for (const t of times) {
    add('sleep', Math.round(t));
    add('bathroom', Math.round(t) + min(rng.int(3, 8)));
  }
  add('sleep', wake);
  add('bathroom', cursor + min(rng.int(10, 15)));
  add('kitchen', cursor + min(rng.int(25, 35)));
  if (rng.chance(0.55)) {
    const outStart = hm(8, 30) + min(rng.int(-20, 20));
    add('living', outStart);
    add('out', outStart + min(rng.int(60, 120)), { outing: { bearingDeg: rng.int(0, 359), maxDistM: rng.int(200, 700) } });
  }
  const midMorning = hm(10, 15) + min(rng.int(-30, 30));
  add('living', midMorning);
  add('bathroom', midMorning + min(rng.int(4, 8)));
  const lunch = hm(11, 30) + min(rng.int(-10, 10));
  add('living', lunch);
  add('kitchen', lunch + min(rng.int(35, 45)));
  const nap = hm(13, 0) + min(rng.int(0, 10));
  add('living', nap);
  // Ends before 14:30 so the nap stays inside the platform's afternoon rest period.
  add('nap', nap + min(rng.int(45, 75)));
  if (rng.chance(0.25)) {
    const walk = hm(15, 0) + min(rng.int(0, 30));
    add('living', walk);
    add('out', walk + min(rng.int(30, 60)), { outing: { bearingDeg: rng.int(0, 359), maxDistM: rng.int(150, 500) } });
  }
  const afternoon = hm(16, 15) + min(rng.int(-20, 20));
  add('living', afternoon);
  add('bathroom', afternoon + min(rng.int(4, 8)));
  const dinner = hm(17, 30) + min(rng.int(-15, 15));
  add('living', dinner);
  add('kitchen', dinner + min(rng.int(40, 50)));
  const bedtime = hm(21, 35) + min(rng.int(0, 35));
  add('living', bedtime - min(rng.int(8, 12)));
  add('bathroom', bedtime);
  add('sleep', DAY_MS);
  return { day, start, segments, extraEvents: [], vitals: [], environment: [] };
}

/**
 * Replaces whatever the plan had in [from, to) with `inserted` segments
 * (which must lie inside [from, to) and be in order). Used by scenarios.
 */
export function replaceSpan(plan: DayPlan, from: number, to: number, inserted: readonly Segment[]): void {
  const out: Segment[] = [];
  for (const seg of plan.segments) {
    if (seg.to <= from || seg.from >= to) {
      out.push(seg);
      continue;
    }
    if (seg.from < from) out.push({ ...seg, to: from });
    if (seg.to > to) out.push({ ...seg, from: to });
  }
  out.push(...inserted);
  out.sort((a, b) => a.from - b.from);
  plan.segments = out;
}

/** The segment covering `t` (binary search; segments tile the day). */
export function segmentAt(plan: DayPlan, t: number): Segment {
  const segs = plan.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid]!.from <= t) lo = mid;
    else hi = mid - 1;
  }
  return segs[lo]!;
}

/** Steps a person takes per minute in each activity (counted by the wearable). */
export const STEPS_PER_MIN: Readonly<Record<Activity, number>> = {
  sleep: 0,
  nap: 0,
  bathroom: 6,
  kitchen: 12,
  living: 4,
  still: 0,
  out: 70,
  fallen: 0,
};

/** Steps since local midnight at `t`, as the band shows them. */
export function stepsAt(plan: DayPlan, t: number): number {
  let steps = 0;
  for (const seg of plan.segments) {
    if (seg.from >= t) break;
    steps += (STEPS_PER_MIN[seg.activity] * (Math.min(seg.to, t) - seg.from)) / MINUTE_MS;
  }
  return Math.floor(steps);
}

/** Room of each activity. */
export function zoneOf(seg: Segment): Zone {
  switch (seg.activity) {
    case 'sleep':
    case 'nap':
      return 'bedroom';
    case 'bathroom':
      return 'bathroom';
    case 'kitchen':
      return 'kitchen';
    case 'living':
    case 'still':
      return 'living_room';
    case 'out':
      return 'none';
    case 'fallen':
      return seg.zone ?? 'bathroom';
  }
}
