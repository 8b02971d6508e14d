/**
 * The `dispatch` configuration section, schema first. The platform's config
 * schema does not carry it yet (see the report for the one-line addition), so
 * it is read from the parsed config when present and from ANXIN_* variables
 * otherwise (environment variables win, like the rest of the platform).
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | ANXIN_NOTIFY_FAMILY_URL | – | webhook for family notifications (P1 escalations); unset: kept in the outbox, not sent |
 * | ANXIN_NOTIFY_DUTY_URL | – | webhook for the district duty officer (escalations, coverage gaps) |
 * | ANXIN_DISPATCH_P1_ACCEPT_MS, _P2_, _P3_ | 60000, 300000, 1800000 | accept SLA per priority |
 * | ANXIN_DISPATCH_REDELIVER_MS | 2000 | re-send an unacknowledged offer this often |
 */
import { z } from 'zod';
import { DEFAULT_SLA, type SlaConfig } from '../domain/dispatch/sla.js';

const ms = z.coerce.number().int().positive();

export const dispatchConfigSchema = z
  .object({
    notify: z
      .object({
        familyUrl: z.url().optional(),
        dutyUrl: z.url().optional(),
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

const ENV: Readonly<Record<string, readonly [section: 'notify' | 'sla' | null, key: string]>> = {
  ANXIN_NOTIFY_FAMILY_URL: ['notify', 'familyUrl'],
  ANXIN_NOTIFY_DUTY_URL: ['notify', 'dutyUrl'],
  ANXIN_DISPATCH_P1_ACCEPT_MS: ['sla', 'p1AcceptMs'],
  ANXIN_DISPATCH_P2_ACCEPT_MS: ['sla', 'p2AcceptMs'],
  ANXIN_DISPATCH_P3_ACCEPT_MS: ['sla', 'p3AcceptMs'],
  ANXIN_DISPATCH_REDELIVER_MS: [null, 'redeliverMs'],
};

/** The section from the parsed platform config (if it has one) overlaid by the environment. */
export function dispatchConfigOf(config: unknown, env: NodeJS.ProcessEnv = process.env): DispatchConfig {
  const section = typeof config === 'object' && config !== null ? (config as { readonly dispatch?: unknown }).dispatch : undefined;
  const raw = structuredClone((typeof section === 'object' && section !== null ? section : {}) as Record<string, unknown>);
  for (const [name, [group, key]] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (group === null) raw[key] = value;
    else raw[group] = { ...((raw[group]) ?? {}), [key]: value };
  }
  return dispatchConfigSchema.parse(raw);
}

export function slaConfigOf(config: DispatchConfig): SlaConfig {
  return {
    P1: { ...DEFAULT_SLA.P1, acceptMs: config.sla.p1AcceptMs },
    P2: { ...DEFAULT_SLA.P2, acceptMs: config.sla.p2AcceptMs },
    P3: { ...DEFAULT_SLA.P3, acceptMs: config.sla.p3AcceptMs },
  };
}
