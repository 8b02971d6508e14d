import { RateLimiter, type RateLimitPolicy } from './rate-limiter.js';

function takeMany(limiter: RateLimiter, deviceId: string, n: number): number {
  let accepted = 0;
  for (let i = 0; i < n; i++) if (limiter.tryTake(deviceId)) accepted += 1;
  return accepted;
}

const makeLimiter = (policy: Partial<RateLimitPolicy> = {}): { limiter: RateLimiter; advance: (ms: number) => void } => {
  let t = 1_700_000_000_000;
  return { limiter: new RateLimiter(policy, () => t), advance: (ms) => { t += ms; } };
};

describe('RateLimiter', () => {
  it.each<[string, Partial<RateLimitPolicy>, number, number]>([
    ['lets a full default burst of 200 through (a batch upload after an outage)', {}, 200, 200],
    ['refuses the message beyond the default burst', {}, 201, 200],
    ['applies a configured burst', { perSecond: 1, burst: 3 }, 5, 3],
  ])('%s', (_name, policy, attempts, accepted) => {
    const { limiter } = makeLimiter(policy);
    expect(takeMany(limiter, 'bed-000123', attempts)).toBe(accepted);
  });

  it.each([
    [50, 1], // 20/s refills one token every 50 ms
    [49, 0],
    [1_000, 20],
    [60_000, 200], // never more than the burst
  ])('after an empty bucket, %i ms refill %i tokens at 20/s', (ms, tokens) => {
    const { limiter, advance } = makeLimiter();
    takeMany(limiter, 'bed-000123', 200);
    advance(ms);
    expect(takeMany(limiter, 'bed-000123', 500)).toBe(tokens);
  });

  it('gives every device its own bucket', () => {
    const { limiter } = makeLimiter({ burst: 2 });
    takeMany(limiter, 'bed-000123', 5);
    expect(takeMany(limiter, 'bed-000999', 5)).toBe(2);
  });

  it('prunes only buckets that have refilled completely', () => {
    const { limiter, advance } = makeLimiter({ perSecond: 1, burst: 10 });
    takeMany(limiter, 'busy', 10);
    takeMany(limiter, 'quiet', 1);
    advance(1_000);
    limiter.prune();
    expect(limiter.size).toBe(1);
  });
});
