import { getDeviceType } from '../../devices/catalogue.js';
import { DEVICE_TYPES } from '../../devices/device-type.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, localMsOfDay, midnightOfDay, localDayIndex } from '../util/local-time.js';
import { Household } from './household.js';
import { planDay, IN_BED } from './routine.js';

const DAY = localDayIndex(Date.UTC(2026, 2, 14, 16));
const makeHousehold = (overrides: Partial<ConstructorParameters<typeof Household>[0]> = {}): Household =>
  new Household({ homeId: 'h1', residentId: 'r1', lat: 31.23, lon: 121.47, seed: 's1', ...overrides });

describe('household routine', () => {
  it('is the same for the same seed and day, and differs between days and seeds', () => {
    expect(planDay('a', DAY)).toEqual(planDay('a', DAY));
    expect(planDay('a', DAY).segments).not.toEqual(planDay('a', DAY + 1).segments);
    expect(planDay('a', DAY).segments).not.toEqual(planDay('b', DAY).segments);
  });

  it.each(Array.from({ length: 30 }, (_, i) => [`seed-${i}`]))('plans a plausible day for %s', (seed) => {
    const plan = planDay(seed, DAY);
    const start = midnightOfDay(DAY);
    // Segments tile the day.
    expect(plan.segments[0]!.from).toBe(start);
    expect(plan.segments.at(-1)!.to).toBe(start + DAY_MS);
    plan.segments.slice(1).forEach((s, i) => expect(s.from).toBe(plan.segments[i]!.to));
    // Asleep at 03:00 unless on a short bathroom visit; up by 07:10; in bed by 22:15.
    const wake = plan.segments.find((s) => !IN_BED.has(s.activity) && localMsOfDay(s.from) > 6 * HOUR_MS)!;
    expect(localMsOfDay(wake.from)).toBeLessThanOrEqual(7 * HOUR_MS + 10 * MINUTE_MS);
    const last = plan.segments.at(-1)!;
    expect(last.activity).toBe('sleep');
    expect(localMsOfDay(last.from)).toBeGreaterThanOrEqual(21 * HOUR_MS + 30 * MINUTE_MS);
    expect(localMsOfDay(last.from)).toBeLessThanOrEqual(22 * HOUR_MS + 15 * MINUTE_MS);
    // 0–2 night bathroom visits, each under 10 min.
    const night = plan.segments.filter((s) => s.activity === 'bathroom' && localMsOfDay(s.from) < 6 * HOUR_MS);
    expect(night.length).toBeLessThanOrEqual(2);
    for (const v of night) expect(v.to - v.from).toBeLessThan(10 * MINUTE_MS);
    // No daytime stretch without movement: nothing is 'still' on a normal day.
    expect(plan.segments.some((s) => s.activity === 'still' || s.activity === 'fallen')).toBe(false);
  });
});

describe('household readings', () => {
  const home = makeHousehold();
  const start = midnightOfDay(DAY);

  it.each(DEVICE_TYPES.map((t) => [t]))('%s telemetry stays within the catalogue ranges all day', (type) => {
    const descriptor = getDeviceType(type);
    for (let t = start; t < start + DAY_MS; t += 30_000) {
      const m = home.telemetry(type, t);
      if (descriptor.telemetryIntervalS === null) {
        expect(m).toBeUndefined();
        continue;
      }
      for (const metric of descriptor.metrics) {
        const v = m?.[metric.key];
        if (typeof v === 'number' && metric.range) {
          expect(v).toBeGreaterThanOrEqual(metric.range[0]);
          expect(v).toBeLessThanOrEqual(metric.range[1]);
        }
      }
    }
  });

  it('keeps vitals in the NEWS2 score-0 bands: HR 51–90 as a 5-min mean, RR 12–20, SpO2 96–99, skin 32–35 °C', () => {
    const hr: number[] = [];
    for (let t = start; t < start + DAY_MS; t += 60_000) {
      const v = home.vitalsAt(t);
      hr.push(v.heartRate);
      expect(v.respirationRate).toBeGreaterThanOrEqual(12);
      expect(v.respirationRate).toBeLessThanOrEqual(20);
      expect(v.spo2).toBeGreaterThanOrEqual(96);
      expect(v.spo2).toBeLessThanOrEqual(99);
      expect(v.skinTemp).toBeGreaterThanOrEqual(32);
      expect(v.skinTemp).toBeLessThanOrEqual(35);
    }
    for (let i = 5; i <= hr.length; i++) {
      const mean = hr.slice(i - 5, i).reduce((a, b) => a + b, 0) / 5;
      expect(mean).toBeGreaterThan(50);
      expect(mean).toBeLessThan(91);
    }
  });

  it('has a lower heart rate asleep at 03:00 than in the kitchen', () => {
    const plan = home.plan(DAY);
    const kitchen = plan.segments.find((s) => s.activity === 'kitchen')!;
    const asleep = home.vitalsAt(start + 3 * HOUR_MS + 7 * MINUTE_MS).heartRate;
    const cooking = home.vitalsAt(kitchen.from + 5 * MINUTE_MS).heartRate;
    expect(asleep).toBeLessThan(cooking);
  });

  it('makes readings follow the activity', () => {
    const plan = home.plan(DAY);
    const sleep = plan.segments[0]!;
    const mid = (s: { from: number; to: number }): number => Math.floor((s.from + s.to) / 2);
    expect(home.telemetry('care-bed', mid(sleep))).toEqual(expect.objectContaining({ inBed: true }));
    expect(home.telemetry('fall-radar', mid(sleep))).toEqual(expect.objectContaining({ zone: 'bedroom', posture: 'lying' }));
    const bath = plan.segments.find((s) => s.activity === 'bathroom')!;
    expect(home.telemetry('fall-radar', mid(bath))).toEqual(expect.objectContaining({ zone: 'bathroom', presence: true }));
    expect(home.telemetry('care-bed', mid(bath))).toEqual(expect.objectContaining({ inBed: false }));
  });

  it('when out: no indoor presence, no PIR motion, a GPS fix away from home and door events at both ends', () => {
    const h = [...Array(20).keys()].map((i) => makeHousehold({ seed: `out-${i}` })).find((x) => x.plan(DAY).segments.some((s) => s.activity === 'out'))!;
    const out = h.plan(DAY).segments.find((s) => s.activity === 'out')!;
    const t = Math.floor((out.from + out.to) / 2);
    expect(h.telemetry('fall-radar', t)).toEqual(expect.objectContaining({ presence: false }));
    expect(h.telemetry('pir-motion', t)).toEqual({ motionCount: 0 });
    const fix = h.location(t)!;
    expect(Math.abs(fix.lat - h.lat) + Math.abs(fix.lon - h.lon)).toBeGreaterThan(0.0005);
    const doorAt = (after: number): string[] => h.nextEvents(after).filter((e) => e.device === 'door-contact').map((e) => e.body.event);
    expect(doorAt(out.from - 1)).toEqual(['door_open']);
    expect(doorAt(out.to - 1)).toEqual(['door_open']);
  });
});
