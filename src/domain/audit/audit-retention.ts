/**
 * How long audit entries are kept. The floor is the Cybersecurity Law of the
 * PRC, Art. 21 ⑶: network operators keep logs of network operation for no
 * less than six months (不少于六个月); 180 days is the shortest retention
 * the configuration accepts, and the database refuses a prune below it too
 * (migration 0140-audit). The default, one year, leaves room for a yearly
 * inspection; HIPAA shops often keep six (§164.316(b)(2) for documentation).
 */
export const AUDIT_RETENTION_FLOOR_DAYS = 180;
export const AUDIT_RETENTION_DEFAULT_DAYS = 365;
const DAY_MS = 86_400_000;

/** Entries strictly older than this instant may be pruned. */
export function retentionCutoff(now: number, retentionDays: number): number {
  return now - Math.max(retentionDays, AUDIT_RETENTION_FLOOR_DAYS) * DAY_MS;
}

export const AUDIT_RETENTION_FLOOR_MS = AUDIT_RETENTION_FLOOR_DAYS * DAY_MS;
