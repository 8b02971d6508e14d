/**
 * Classifying a window mean against NEWS2-derived bands, and saying it in
 * zh-CN for caregivers.
 */
import type { Severity, Vital } from '../alerts/alert.schema.js';
import type { VitalRule } from '../care-plans/rule-settings.js';

export interface BandHit {
  readonly severity: Severity;
  readonly side: 'low' | 'high';
  /** The bound that was reached, for evidence ("阈值 ≥131"). */
  readonly bound: number;
}

/** Rounds to the rule's precision (NEWS2 charts integers), then finds the worst band reached. */
export function classifyVital(mean: number, rule: VitalRule): BandHit | null {
  const value = roundTo(mean, rule.precision);
  for (const band of rule.low) if (value <= band.atOrBelow) return { severity: band.severity, side: 'low', bound: band.atOrBelow };
  for (const band of rule.high) if (value >= band.atOrAbove) return { severity: band.severity, side: 'high', bound: band.atOrAbove };
  return null;
}

/** The window a vital is judged over for a stream of a given cadence. */
export interface JudgingWindow {
  readonly windowMs: number;
  readonly minSamples: number;
  readonly coverageToleranceMs: number;
}

/** Two agreeing measurements at least: one spot check is not a trend. */
const SPARSE_MIN_SAMPLES = 2;

/**
 * Long enough to hold the rule's `minSamples` at the stream's own cadence,
 * never shorter than the rule's window nor longer than its maximum (where
 * fewer samples fit, as many as do, at least two); the oldest sample may
 * start up to one and a half intervals after the window's start.
 *
 * @example
 * judgingWindow(spo2Rule, 300_000) // { windowMs: 1_200_000, minSamples: 4, coverageToleranceMs: 450_000 }
 */
export function judgingWindow(rule: Pick<VitalRule, 'windowMs' | 'minSamples' | 'maxWindowMs' | 'coverageToleranceMs'>, intervalMs: number | null): JudgingWindow {
  if (intervalMs === null || intervalMs <= 0) return { windowMs: rule.windowMs, minSamples: rule.minSamples, coverageToleranceMs: rule.coverageToleranceMs };
  const maxWindowMs = Math.max(rule.maxWindowMs, rule.windowMs);
  const windowMs = Math.min(maxWindowMs, Math.max(rule.windowMs, Math.ceil(rule.minSamples * intervalMs)));
  const fit = Math.floor(windowMs / intervalMs + 1e-9);
  return {
    windowMs,
    minSamples: Math.max(Math.min(rule.minSamples, SPARSE_MIN_SAMPLES), Math.min(rule.minSamples, fit)),
    coverageToleranceMs: Math.max(rule.coverageToleranceMs, Math.ceil(1.5 * intervalMs)),
  };
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export const VITAL_LABELS: Readonly<Record<Vital, { readonly label: string; readonly unit: string }>> = {
  heartRate: { label: '心率', unit: ' 次/分' },
  respirationRate: { label: '呼吸频率', unit: ' 次/分' },
  spo2: { label: '血氧饱和度', unit: '%' },
  skinTemp: { label: '皮肤温度', unit: ' ℃' },
};

/**
 * What was judged, as it was: e.g. "近 5 分钟 30 次测量平均心率 138 次/分（阈值 ≥131）",
 * with the samples actually in the window and the time they span.
 */
export function describeVital(vital: Vital, mean: number, rule: VitalRule, judged: { readonly samples: number; readonly spanMs: number }, hit: BandHit | null): string {
  const { label, unit } = VITAL_LABELS[vital];
  const minutes = Math.max(1, Math.round(judged.spanMs / 60_000));
  const value = roundTo(mean, rule.precision).toFixed(rule.precision);
  const head = `近 ${minutes} 分钟 ${judged.samples} 次测量平均${label} ${value}${unit}`;
  if (!hit) return `${head}（已恢复正常范围）`;
  return `${head}（阈值 ${hit.side === 'low' ? '≤' : '≥'}${hit.bound}）`;
}
