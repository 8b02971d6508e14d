/**
 * Reconnect delays: exponential with "equal jitter" (AWS Architecture Blog,
 * "Exponential Backoff and Jitter"): attempt n waits a random time in
 * [d/2, d] where d = min(cap, base · 2^n). Half the delay is guaranteed, so a
 * device never hammers the broker; the random half spreads a fleet's
 * reconnect storm after a broker restart.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** PROTOCOL.md §2: 1 s, 2 s, 4 s … capped at 5 min. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 300_000 };

/** The ceiling d for attempt `attempt` (0-based). */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}

/** Delay before attempt `attempt`, given a uniform [0, 1) draw `u`. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, u: number): number {
  const d = backoffCeiling(policy, attempt);
  return Math.round(d / 2 + u * (d / 2));
}
