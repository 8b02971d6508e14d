/**
 * The resident card's vitals charts, line by line: one line per source device
 * of each vital (GET /api/residents/:id/vitals answers them per source), so a
 * care bed's heart rate and a wearable's are two lines, never their mean.
 */
import type { ResidentVitals, VitalField } from '../../../src/api/telemetry/telemetry.schemas.js';

/** One line: a source device's windows of a vital, with its legend name (e.g. 心率 · 智能手环). */
export interface VitalLine {
  readonly deviceId: string;
  readonly deviceType: string;
  readonly name: string;
  readonly color: string;
  readonly points: readonly { readonly ts: number; readonly value: number }[];
}

export interface VitalLineLabels {
  /** 心率, 血氧, … */
  vital(field: VitalField): string;
  /** 智能护理床垫, 智能手环, … */
  deviceType(type: string): string;
  /** The device's own label from the registry (e.g. 卧室床垫), when known. */
  device(deviceId: string): string | null;
}

/** Distinct on the dark panel; a device keeps its colour across the charts. */
const SOURCE_COLORS = ['#4cc9f0', '#ff6b6b', '#80ed99', '#ffd166', '#c77dff', '#f4a261'] as const;

/**
 * Lines per vital, in the order of `fields`. A source is named by its device
 * type; two sources of one type in the same chart (two wearables) are told
 * apart by the device's label, or its id.
 */
export function toVitalLines(series: ResidentVitals['series'], fields: readonly VitalField[], labels: VitalLineLabels): Map<VitalField, VitalLine[]> {
  const colors = new Map<string, string>();
  const lines = new Map<VitalField, VitalLine[]>();
  for (const field of fields) {
    const sources = series[field].filter((s) => s.windows.length > 0);
    lines.set(
      field,
      sources.map((s) => {
        if (!colors.has(s.deviceId)) colors.set(s.deviceId, SOURCE_COLORS[colors.size % SOURCE_COLORS.length] ?? SOURCE_COLORS[0]);
        const shared = sources.some((other) => other.deviceId !== s.deviceId && other.deviceType === s.deviceType);
        const source = labels.deviceType(s.deviceType) + (shared ? `（${labels.device(s.deviceId) ?? s.deviceId}）` : '');
        return { deviceId: s.deviceId, deviceType: s.deviceType, name: `${labels.vital(field)} · ${source}`, color: colors.get(s.deviceId) ?? SOURCE_COLORS[0], points: s.windows };
      }),
    );
  }
  return lines;
}
