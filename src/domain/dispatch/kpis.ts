/**
 * KPIs (效果全评估) from work orders, per street and per district. Pure.
 *
 * - 有效应答率: share of alerts accepted within the accept SLA measured from
 *   the alert (the social-alarm "answered within 60 s" rule): a second
 *   candidate accepting after the first timed out is late. Orders cancelled
 *   before anyone accepted (a fall the resident cancelled) needed no answer
 *   and are left out of the denominator.
 * - accept time: alert → first acceptance; on-site time: alert → on site.
 * - false-alarm share: resolved with outcome false_alarm / resolved.
 * - self-recovered falls: falls the resident got up from inside the cancel
 *   window; the only fall orders at P2 are their welfare calls.
 */
import { SERVICE_TYPES, type ServiceType } from './provider.schema.js';
import type { CountsByService, DistrictKpis, Distribution, KpiRow } from './kpi.schema.js';
import { OPEN_WORK_ORDER_STATES, type WorkOrderSnapshot } from './work-order.schema.js';

/** Nearest-rank percentile (no interpolation: every value reported happened). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90) };
}

export function isAcceptedWithinSla(o: WorkOrderSnapshot): boolean {
  return o.firstAcceptedAt !== null && o.firstAcceptedAt - o.createdAt <= o.sla.acceptMs;
}

const neededAnswer = (o: WorkOrderSnapshot): boolean => !(o.state === 'cancelled' && o.firstAcceptedAt === null);

/** One KPI row over any set of orders. */
export function computeKpiRow(orders: readonly WorkOrderSnapshot[]): KpiRow {
  const counted = orders.filter(neededAnswer);
  const acceptedWithinSla = counted.filter(isAcceptedWithinSla).length;
  const resolved = orders.filter((o) => o.state === 'resolved');
  const falseAlarms = resolved.filter((o) => o.outcome === 'false_alarm').length;
  const byService = Object.fromEntries(SERVICE_TYPES.map((s) => [s, 0])) as Record<ServiceType, number>;
  for (const o of orders) byService[o.service] += 1;
  return {
    alerts: counted.length,
    acceptedWithinSla,
    effectiveResponseRate: counted.length === 0 ? null : acceptedWithinSla / counted.length,
    acceptTime: distribution(counted.flatMap((o) => (o.firstAcceptedAt === null ? [] : [o.firstAcceptedAt - o.createdAt]))),
    onSiteTime: distribution(counted.flatMap((o) => (o.onSiteAt === null ? [] : [o.onSiteAt - o.createdAt]))),
    resolved: resolved.length,
    falseAlarms,
    falseAlarmShare: resolved.length === 0 ? null : falseAlarms / resolved.length,
    selfRecoveredFalls: orders.filter((o) => o.reason === 'fall' && o.priority === 'P2').length,
    openOrders: orders.filter((o) => OPEN_WORK_ORDER_STATES.includes(o.state)).length,
    coverageGaps: orders.filter((o) => o.coverageGap).length,
    escalated: orders.filter((o) => o.escalatedAt !== null).length,
    byService: byService satisfies CountsByService,
  };
}

/**
 * District KPIs over the orders of `districtCode` created in [from, to), with
 * one row per street that had an order (streets sorted by code).
 */
export function computeDistrictKpis(
  orders: readonly WorkOrderSnapshot[],
  districtCode: string,
  window: { readonly from: number; readonly to: number },
): DistrictKpis {
  const inScope = orders.filter((o) => o.districtCode === districtCode && o.createdAt >= window.from && o.createdAt < window.to);
  const byStreet = new Map<string, WorkOrderSnapshot[]>();
  for (const o of inScope) {
    const list = byStreet.get(o.streetCode) ?? [];
    list.push(o);
    byStreet.set(o.streetCode, list);
  }
  return {
    districtCode,
    from: window.from,
    to: window.to,
    district: computeKpiRow(inScope),
    streets: [...byStreet.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([streetCode, list]) => ({ streetCode, ...computeKpiRow(list) })),
  };
}
