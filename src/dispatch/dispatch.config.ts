/**
 * The `dispatch` section of the platform configuration (schema first; the
 * platform schema in src/config/config.schema.ts composes it, and
 * src/config/load-config.ts maps the environment onto it like every other
 * section). The dispatch module takes the parsed section from AppConfig and
 * never reads the environment itself.
 *
 * | key | variable | default | meaning |
 * |---|---|---|---|
 * | notify.familyUrl | ANXIN_NOTIFY_FAMILY_URL | – | webhook for family notifications (P1 escalations); unset: kept in the outbox, not sent |
 * | notify.dutyUrl | ANXIN_NOTIFY_DUTY_URL | – | webhook for the district duty officer (escalations, coverage gaps) |
 * | sla.p1AcceptMs, p2…, p3… | ANXIN_DISPATCH_P1_ACCEPT_MS, _P2_, _P3_ | 60000, 300000, 1800000 | accept SLA per priority |
 * | redeliverMs | ANXIN_DISPATCH_REDELIVER_MS | 2000 | re-send an unacknowledged offer this often |
 *
 * The other keys (notifier timeout and backoff, scheduler sleep, KPI window
 * and throttle, resync page size) are config-file only.
 *
 * @example { "dispatch": { "notify": { "dutyUrl": "https://duty.example/hook" }, "sla": { "p1AcceptMs": 45000 } } }
 */
import { z } from 'zod';
import { DEFAULT_SLA, type SlaConfig } from '../domain/dispatch/sla.js';

// Environment variables arrive as strings, hence coerce; a value that is not a
// whole positive number of milliseconds ("fast", "1.5", "-1", "0") is refused.
const MS = 'expected a positive whole number of milliseconds';
const ms = z.coerce.number({ error: MS }).int({ error: MS }).positive({ error: MS });

const webhookUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

export const dispatchConfigSchema = z
  .object({
    notify: z
      .object({
        familyUrl: webhookUrl.optional(),
        dutyUrl: webhookUrl.optional(),
        /** Per attempt. */
        timeoutMs: ms.default(5_000),
        /** Backoff: base × 2^(attempt−1), capped; jittered ±20 %. */
        backoffBaseMs: ms.default(1_000),
        backoffMaxMs: ms.default(5 * 60_000),
        /** After this many failures the row is kept with its last error and no longer tried. */
        maxAttempts: z.coerce.number().int().positive().default(20),
      })
      .prefault({}),
    sla: z
      .object({
        p1AcceptMs: ms.default(DEFAULT_SLA.P1.acceptMs),
        p2AcceptMs: ms.default(DEFAULT_SLA.P2.acceptMs),
        p3AcceptMs: ms.default(DEFAULT_SLA.P3.acceptMs),
      })
      .prefault({}),
    redeliverMs: ms.default(2_000),
    /** The scheduler never sleeps longer than this (a clock change or a missed wake-up costs at most this). */
    maxSleepMs: ms.default(1_000),
    /** KPI window (orders created in the last … ms). */
    kpiWindowMs: ms.default(24 * 3_600_000),
    /** At most one kpi:update per district per … ms (the last change always gets one). */
    kpiThrottleMs: z.coerce.number().int().nonnegative().default(250),
    /** Events per `resync` page. */
    resyncPageSize: z.coerce.number().int().positive().max(5_000).default(500),
  })
  .prefault({});
export type DispatchConfig = z.infer<typeof dispatchConfigSchema>;

export function slaConfigOf(config: DispatchConfig): SlaConfig {
  return {
    P1: { ...DEFAULT_SLA.P1, acceptMs: config.sla.p1AcceptMs },
    P2: { ...DEFAULT_SLA.P2, acceptMs: config.sla.p2AcceptMs },
    P3: { ...DEFAULT_SLA.P3, acceptMs: config.sla.p3AcceptMs },
  };
}
