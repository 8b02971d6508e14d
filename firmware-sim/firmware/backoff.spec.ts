import fc from 'fast-check';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('reconnect backoff', () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [5, 32_000],
    [8, 256_000],
    [9, 300_000],
    [40, 300_000],
  ])('attempt %i has ceiling %i ms', (attempt, ceiling) => {
    expect(backoffCeiling(DEFAULT_BACKOFF, attempt)).toBe(ceiling);
  });

  it('waits between half the ceiling and the ceiling (equal jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, u) => {
        const d = backoffCeiling(DEFAULT_BACKOFF, attempt);
        const delay = backoffDelay(DEFAULT_BACKOFF, attempt, u);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(d / 2));
        expect(delay).toBeLessThanOrEqual(d);
      }),
    );
  });

  it('spreads a fleet: different draws give different delays', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 3, 0)).toBe(4_000);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, 0.999)).toBe(7_996);
  });
});
