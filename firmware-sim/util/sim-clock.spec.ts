import { SimClock } from './sim-clock.js';

describe('SimClock', () => {
  it('runs speed× faster from the past and never passes real now', () => {
    let real = 1_773_532_800_000;
    const clock = new SimClock(real - 3_600_000, 60, { now: () => real });
    real += 30_000; // 30 s real = 30 min simulated
    expect(clock.now()).toBe(real - 30_000 - 3_600_000 + 1_800_000);
    real += 60_000; // would be 90 min simulated: capped at real now, then live
    expect(clock.now()).toBe(real);
    real += 5_000;
    expect(clock.now()).toBe(real);
  });

  it('converts a simulated due time into a real delay, across the catch-up point', () => {
    const real = 1_773_532_800_000;
    const clock = new SimClock(real - 3_600_000, 61, { now: () => real });
    expect(clock.realDelayUntil(real - 3_600_000 + 61_000)).toBe(1_000);
    // Catch-up after 60 s real; a target 10 s past that point waits 60 s + 10 s.
    expect(clock.realDelayUntil(real + 70_000)).toBeCloseTo(70_000, 0);
    expect(clock.realAt(real - 3_600_000 + 61_000)).toBe(real + 1_000);
  });

  it('refuses to start in the future', () => {
    expect(() => new SimClock(2_000, 1, { now: () => 1_000 })).toThrow('future');
  });
});
