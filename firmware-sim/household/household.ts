/**
 * A home and the people in it: the enrolled resident (living alone, or with
 * a spouse who is not enrolled but moves the shared sensors), their planned
 * days, and what each device type in the home reads at any instant.
 */
import type { DeviceType } from '../../devices/device-type.js';
import { hashString, hashUniform } from '../util/prng.js';
import { localDayIndex } from '../util/local-time.js';
import { makeProfile, vitalsAt, type PhysiologyProfile, type Vitals } from './physiology.js';
import {
  IN_BED,
  planDay,
  segmentAt,
  stepsAt,
  zoneOf,
  type Activity,
  type DayPlan,
  type HomeEvent,
  type Segment,
} from './routine.js';

export type Composition = 'alone' | 'couple';

/** A scenario's change to one local day of one home. */
export interface DayModifier {
  readonly day: number;
  apply(plan: DayPlan): void;
}

export interface HouseholdOptions {
  readonly homeId: string;
  readonly residentId: string;
  readonly lat: number;
  readonly lon: number;
  readonly seed: string;
  readonly composition?: Composition;
  readonly modifiers?: readonly DayModifier[];
}

export type Metrics = Record<string, number | boolean | string>;

interface PlannedDay {
  readonly plan: DayPlan;
  readonly spouse: DayPlan | undefined;
  /** Derived and scenario events, by time. */
  readonly events: readonly HomeEvent[];
}

/** Triggers the hall PIR counts per minute, by activity. */
const PIR_PER_MIN: Readonly<Record<Activity, readonly [number, number]>> = {
  sleep: [0, 0],
  nap: [0, 0],
  bathroom: [0, 2],
  kitchen: [2, 8],
  living: [1, 6],
  still: [0, 0],
  out: [0, 0],
  fallen: [0, 0],
};

const RADAR_MOVEMENT: Readonly<Record<Activity, readonly [number, number]>> = {
  sleep: [0, 5],
  nap: [0, 5],
  bathroom: [10, 25],
  kitchen: [20, 40],
  living: [8, 30],
  still: [0, 0],
  out: [0, 0],
  fallen: [0, 3],
};

const METRES_PER_DEG_LAT = 111_320;

export class Household {
  readonly homeId: string;
  readonly residentId: string;
  readonly lat: number;
  readonly lon: number;
  readonly composition: Composition;
  readonly profile: PhysiologyProfile;
  private readonly seed: string;
  private readonly key: number;
  private readonly modifiers: readonly DayModifier[];
  /** A few planned days: memory stays bounded however long the run. */
  private readonly days = new Map<number, PlannedDay>();

  constructor(options: HouseholdOptions) {
    this.homeId = options.homeId;
    this.residentId = options.residentId;
    this.lat = options.lat;
    this.lon = options.lon;
    this.seed = options.seed;
    this.key = hashString(options.seed);
    this.composition = options.composition ?? 'alone';
    this.modifiers = options.modifiers ?? [];
    this.profile = makeProfile(`${options.seed}:resident`);
  }

  /** The resident's plan for local day `day` (scenario modifiers applied). */
  plan(day: number): DayPlan {
    return this.planned(day).plan;
  }

  segmentAt(t: number): Segment {
    return segmentAt(this.plan(localDayIndex(t)), t);
  }

  vitalsAt(t: number): Vitals {
    const plan = this.plan(localDayIndex(t));
    return vitalsAt(this.profile, segmentAt(plan, t).activity, t, plan.vitals);
  }

  /** The events (all with the same, earliest time) strictly after `t`, within the next two days. */
  nextEvents(t: number): HomeEvent[] {
    const first = localDayIndex(t);
    for (let day = first; day <= first + 2; day++) {
      const events = this.planned(day).events;
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (events[mid]!.at <= t) lo = mid + 1;
        else hi = mid;
      }
      if (lo < events.length) {
        const at = events[lo]!.at;
        const out: HomeEvent[] = [];
        for (let i = lo; i < events.length && events[i]!.at === at; i++) out.push(events[i]!);
        return out;
      }
    }
    return [];
  }

  /** Wearable position: outdoors a GPS fix along the walk; indoors usually no fix. */
  location(t: number): { lat: number; lon: number; accuracyM: number } | undefined {
    const seg = this.segmentAt(t);
    const s = Math.floor(t / 1000);
    if (seg.activity === 'out' && seg.outing) {
      // Out and back: distance rises to maxDistM at mid-walk and returns.
      const phase = (t - seg.from) / Math.max(1, seg.to - seg.from);
      const dist = seg.outing.maxDistM * (1 - Math.abs(2 * phase - 1));
      const bearing = (seg.outing.bearingDeg * Math.PI) / 180;
      return {
        lat: round(this.lat + (dist * Math.cos(bearing)) / METRES_PER_DEG_LAT, 6),
        lon: round(this.lon + (dist * Math.sin(bearing)) / (METRES_PER_DEG_LAT * Math.cos((this.lat * Math.PI) / 180)), 6),
        accuracyM: 5 + Math.floor(hashUniform(this.key, s, 21) * 10),
      };
    }
    if (hashUniform(this.key, s, 22) < 0.2) {
      return {
        lat: round(this.lat + (hashUniform(this.key, s, 23) - 0.5) * 0.0002, 6),
        lon: round(this.lon + (hashUniform(this.key, s, 24) - 0.5) * 0.0002, 6),
        accuracyM: 20 + Math.floor(hashUniform(this.key, s, 25) * 30),
      };
    }
    return undefined;
  }

  /**
   * What a device of `type` in this home reads at `t`; undefined for types
   * with no periodic telemetry (SOS button, water-leak probe).
   */
  telemetry(type: DeviceType, t: number): Metrics | undefined {
    const day = localDayIndex(t);
    const planned = this.planned(day);
    const seg = segmentAt(planned.plan, t);
    const s = Math.floor(t / 1000);
    const u = (salt: number): number => hashUniform(this.key, s, salt);
    const between = (range: readonly [number, number], salt: number): number =>
      range[0] + Math.floor(u(salt) * (range[1] - range[0] + 1));
    switch (type) {
      case 'care-bed': {
        // An empty bed says so and leaves the vital signs out (PROTOCOL.md §5.1, nobody there).
        if (!IN_BED.has(seg.activity)) return { inBed: false, movement: 0 };
        const v = vitalsAt(this.profile, seg.activity, t, planned.plan.vitals);
        // Mostly still, with a turn now and then.
        const movement = u(31) < 0.06 ? between([12, 25], 32) : between([0, 6], 33);
        return { heartRate: v.heartRate, respirationRate: v.respirationRate, inBed: true, movement };
      }
      case 'wearable': {
        const v = vitalsAt(this.profile, seg.activity, t, planned.plan.vitals);
        const m: Metrics = { heartRate: v.heartRate, spo2: v.spo2, skinTemp: v.skinTemp, steps: stepsAt(planned.plan, t) };
        const fix = this.location(t);
        if (fix) Object.assign(m, fix);
        return m;
      }
      case 'fall-radar': {
        if (seg.activity === 'out') {
          const spouse = planned.spouse ? segmentAt(planned.spouse, t) : undefined;
          if (spouse && spouse.activity !== 'out') {
            return { presence: true, posture: postureOf(spouse.activity, u(34)), zone: zoneOf(spouse), movement: between(RADAR_MOVEMENT[spouse.activity], 35) };
          }
          return { presence: false, posture: 'none', zone: 'none', movement: 0 };
        }
        return { presence: true, posture: postureOf(seg.activity, u(34)), zone: zoneOf(seg), movement: between(RADAR_MOVEMENT[seg.activity], 35) };
      }
      case 'pir-motion': {
        let count = between(PIR_PER_MIN[seg.activity], 36);
        if (planned.spouse) count += between(PIR_PER_MIN[segmentAt(planned.spouse, t).activity], 37);
        return { motionCount: count };
      }
      case 'smoke-detector':
        return { smokeObscuration: environment(planned.plan, 'smokeObscuration', t, () => Math.floor(u(38) * 15) / 100, this.key) };
      case 'gas-detector':
        return { gasLel: environment(planned.plan, 'gasLel', t, () => (u(39) < 0.1 ? 1 : 0), this.key) };
      case 'door-contact':
        return { open: false };
      case 'sos-button':
      case 'water-leak':
        return undefined;
    }
  }

  private planned(day: number): PlannedDay {
    const cached = this.days.get(day);
    if (cached) return cached;
    const plan = planDay(`${this.seed}:resident`, day);
    for (const m of this.modifiers) if (m.day === day) m.apply(plan);
    const spouse = this.composition === 'couple' ? planDay(`${this.seed}:spouse`, day) : undefined;
    const planned: PlannedDay = { plan, spouse, events: this.deriveEvents(plan, spouse) };
    if (this.days.size >= 4) {
      const oldest = Math.min(...this.days.keys());
      this.days.delete(oldest);
    }
    this.days.set(day, planned);
    return planned;
  }

  /** Bed, door and motion events follow from activity changes; scenario events are added as they are. */
  private deriveEvents(plan: DayPlan, spouse: DayPlan | undefined): HomeEvent[] {
    const events: HomeEvent[] = [...plan.extraEvents];
    const segs = plan.segments;
    for (let i = 1; i < segs.length; i++) {
      const prev = segs[i - 1]!;
      const next = segs[i]!;
      const t = next.from;
      if (IN_BED.has(prev.activity) && !IN_BED.has(next.activity)) events.push({ at: t, device: 'care-bed', body: { event: 'bed_exit' } });
      if (!IN_BED.has(prev.activity) && IN_BED.has(next.activity)) events.push({ at: t, device: 'care-bed', body: { event: 'bed_enter' } });
      if ((prev.activity === 'out') !== (next.activity === 'out')) events.push(...this.doorPassage(t));
      if (PIR_PER_MIN[prev.activity][1] === 0 && PIR_PER_MIN[next.activity][1] > 0) {
        events.push({ at: t + 2_000, device: 'pir-motion', body: { event: 'motion' } });
      }
    }
    if (spouse) {
      for (let i = 1; i < spouse.segments.length; i++) {
        const prev = spouse.segments[i - 1]!;
        const next = spouse.segments[i]!;
        if ((prev.activity === 'out') !== (next.activity === 'out')) events.push(...this.doorPassage(next.from + 30_000));
      }
    }
    return events.sort((a, b) => a.at - b.at);
  }

  private doorPassage(t: number): HomeEvent[] {
    const closeAfter = 3_000 + Math.floor(hashUniform(this.key, Math.floor(t / 1000), 41) * 6_000);
    return [
      { at: t, device: 'door-contact', body: { event: 'door_open' } },
      { at: t + closeAfter, device: 'door-contact', body: { event: 'door_close' } },
    ];
  }
}

function postureOf(activity: Activity, u: number): 'standing' | 'sitting' | 'lying' | 'none' {
  switch (activity) {
    case 'sleep':
    case 'nap':
    case 'fallen':
      return 'lying';
    case 'kitchen':
      return 'standing';
    case 'bathroom':
      return u < 0.5 ? 'standing' : 'sitting';
    case 'living':
      return u < 0.8 ? 'sitting' : 'standing';
    case 'still':
      return 'sitting';
    case 'out':
      return 'none';
  }
}

function environment(plan: DayPlan, metric: 'smokeObscuration' | 'gasLel', t: number, baseline: () => number, key: number): number {
  for (const o of plan.environment) {
    if (o.metric === metric && t >= o.from && t < o.to) {
      const v = o.value[0] + hashUniform(key, Math.floor(t / 1000), 42) * (o.value[1] - o.value[0]);
      return Math.round(v * 10) / 10;
    }
  }
  return baseline();
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
