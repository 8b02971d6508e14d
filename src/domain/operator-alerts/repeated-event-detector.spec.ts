import { RepeatedEventDetector } from './repeated-event-detector.js';

const MIN = 60_000;

describe('RepeatedEventDetector (three takeovers in ten minutes)', () => {
  const detector = (): RepeatedEventDetector => new RepeatedEventDetector({ threshold: 3, windowMs: 10 * MIN });

  it('fires on the third event within the window, not before', () => {
    const d = detector();
    expect([d.record('sos-1', 0), d.record('sos-1', 4 * MIN), d.record('sos-1', 9 * MIN)]).toEqual([false, false, true]);
  });

  it('does not fire when the events are spread wider than the window', () => {
    const d = detector();
    expect([0, 6, 12, 18].map((m) => d.record('sos-1', m * MIN))).toEqual([false, false, false, false]);
  });

  it('fires once per episode, and again only after a quiet window', () => {
    const d = detector();
    const during = [0, 1, 2, 3, 4].map((m) => d.record('sos-1', m * MIN));
    expect(during).toEqual([false, false, true, false, false]);
    const after = [15, 16, 17].map((m) => d.record('sos-1', m * MIN));
    expect(after).toEqual([false, false, true]);
  });

  it('keeps keys apart', () => {
    const d = detector();
    d.record('sos-1', 0);
    d.record('sos-1', MIN);
    expect(d.record('bed-1', 2 * MIN)).toBe(false);
    expect(d.record('sos-1', 2 * MIN)).toBe(true);
  });

  it('bounds its memory by maxKeys', () => {
    const d = new RepeatedEventDetector({ threshold: 3, windowMs: 10 * MIN, maxKeys: 100 });
    for (let i = 0; i < 1_000; i += 1) d.record(`junk-${i}`, i);
    expect(d.size).toBeLessThanOrEqual(100);
  });

  it('prunes keys quiet for a whole window', () => {
    const d = detector();
    d.record('sos-1', 0);
    d.prune(11 * MIN);
    expect(d.size).toBe(0);
  });
});
