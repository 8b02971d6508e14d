/**
 * Per-device token bucket: `perSecond` tokens refill continuously up to
 * `burst`. The default is generous (20/s, burst 200) so a device that uploads
 * its buffered batch after an outage passes. Pure: time comes from the
 * injected clock.
 *
 * @example
 * const limiter = new RateLimiter({ perSecond: 20, burst: 200 }, () => Date.now());
 * if (!limiter.tryTake('bed-000123')) refuse('rate_limited');
 */
export interface RateLimitPolicy {
  readonly perSecond: number;
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = { perSecond: 20, burst: 200 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly policy: RateLimitPolicy;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    policy: Partial<RateLimitPolicy>,
    private readonly now: () => number,
  ) {
    this.policy = { ...DEFAULT_RATE_LIMIT_POLICY, ...policy };
  }

  /** Takes one token for the device; false when its bucket is empty. */
  tryTake(deviceId: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(deviceId) ?? { tokens: this.policy.burst, updatedAt: now };
    this.refill(bucket, now);
    this.buckets.set(deviceId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets buckets that have refilled completely: they behave like new ones. */
  prune(): void {
    const now = this.now();
    for (const [deviceId, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.policy.burst) this.buckets.delete(deviceId);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsedS = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.policy.burst, bucket.tokens + elapsedS * this.policy.perSecond);
    bucket.updatedAt = now;
  }
}
