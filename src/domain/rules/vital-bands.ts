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

/** e.g. "5 分钟平均心率 138 次/分（阈值 ≥131）". */
export function describeVital(vital: Vital, mean: number, rule: VitalRule, hit: BandHit | null): string {
  const { label, unit } = VITAL_LABELS[vital];
  const minutes = Math.round(rule.windowMs / 60_000);
  const value = roundTo(mean, rule.precision).toFixed(rule.precision);
  const head = `${minutes} 分钟平均${label} ${value}${unit}`;
  if (!hit) return `${head}（已恢复正常范围）`;
  return `${head}（阈值 ${hit.side === 'low' ? '≤' : '≥'}${hit.bound}）`;
}
