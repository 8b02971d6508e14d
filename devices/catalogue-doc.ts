/**
 * Renders the device-type tables of PROTOCOL.md from the catalogue, so the
 * document a vendor implements from cannot drift from what the decoder
 * accepts (catalogue-doc.spec.ts compares the two).
 */
import { z } from 'zod';
import { deviceCatalogue } from './catalogue.js';
import { DEVICE_TYPES, type DeviceTypeDescriptor } from './device-type.js';

/** The Markdown between `<!-- catalogue:start -->` and `<!-- catalogue:end -->` in PROTOCOL.md. */
export function renderCatalogueMarkdown(): string {
  const summary = [
    '| type | 设备 | power | telemetry every | heartbeat every | heartbeat at most | events |',
    '|---|---|---|---|---|---|---|',
    ...DEVICE_TYPES.map((type) => {
      const d = deviceCatalogue[type];
      return `| \`${d.type}\` | ${d.label} | ${d.batteryPowered ? 'battery' : 'mains'} | ${d.telemetryIntervalS === null ? '— (none)' : `${d.telemetryIntervalS} s`} | ${d.heartbeatIntervalS} s | ${d.maxHeartbeatIntervalS} s | ${eventsOf(d).map((e) => `\`${e.name}\``).join(', ')} |`;
    }),
  ];
  const sections = DEVICE_TYPES.map((type) => renderType(deviceCatalogue[type]));
  return [summary.join('\n'), ...sections].join('\n\n');
}

function renderType(d: DeviceTypeDescriptor): string {
  const shape = (d.telemetry as z.ZodObject).shape as Record<string, z.ZodType>;
  const lines = [`### \`${d.type}\` ${d.label}`, ''];
  if (d.metrics.length === 0) {
    lines.push('No telemetry: publish events and status only.');
  } else {
    const optional = d.metrics.filter((m) => isOptional(shape[m.key]));
    const presence =
      optional.length === d.metrics.length
        ? 'Every metric is optional, but a message carries at least one.'
        : optional.length === 0
          ? 'Every metric is required.'
          : 'Metrics marked optional may be left out; the others are required.';
    lines.push(
      `Telemetry every ${String(d.telemetryIntervalS)} s on \`telemetry\`. ${presence}`,
      '',
      '| key | JSON type | unit | valid range | 中文 |',
      '|---|---|---|---|---|',
      ...d.metrics.map((m) => {
        const type = jsonType(shape[m.key]);
        const shown = optional.length > 0 && optional.length < d.metrics.length && isOptional(shape[m.key]) ? `${type}, optional` : type;
        return `| \`${m.key}\` | ${shown} | ${m.unit === '' ? '—' : `\`${m.unit}\``} | ${m.range === undefined ? '—' : `${m.range[0]} – ${m.range[1]}`} | ${m.label} |`;
      }),
    );
    for (const [gate, keys] of gatesOf(d)) {
      lines.push(
        '',
        `Counted only while \`${gate}\` is \`true\`: ${keys.map((k) => `\`${k}\``).join(', ')}. While it is \`false\` the sensor measures nobody, so these are dropped when the message is decoded (not range-checked, not stored, never a resident's reading); leave them out then.`,
      );
    }
  }
  lines.push('', '| event | details |', '|---|---|');
  for (const e of eventsOf(d)) {
    lines.push(`| \`${e.name}\` | ${e.details.length === 0 ? '— (none)' : e.details.map((f) => `\`${f.key}\`: ${f.type}`).join('; ')} |`);
  }
  return lines.join('\n');
}

/** Gate metric → the metrics that count only while it is true, in catalogue order. */
function gatesOf(d: DeviceTypeDescriptor): Map<string, string[]> {
  const gates = new Map<string, string[]>();
  for (const m of d.metrics) {
    if (m.onlyWhile === undefined) continue;
    gates.set(m.onlyWhile, [...(gates.get(m.onlyWhile) ?? []), m.key]);
  }
  return gates;
}

interface EventDoc {
  readonly name: string;
  readonly details: readonly { key: string; type: string }[];
}

function eventsOf(d: DeviceTypeDescriptor): EventDoc[] {
  return (d.event as z.ZodDiscriminatedUnion).options.map((option) => {
    const shape = (option as z.ZodObject).shape as Record<string, z.ZodType>;
    const name = String((shape['event'] as z.ZodLiteral).value);
    const details = Object.entries(shape)
      .filter(([key]) => key !== 'seq' && key !== 'ts' && key !== 'event')
      .map(([key, schema]) => ({ key, type: jsonType(schema) }));
    return { name, details };
  });
}

function isOptional(schema: z.ZodType | undefined): boolean {
  return schema instanceof z.ZodOptional;
}

/** A field's type as a vendor reads it: `number 0 – 1`, `integer`, `boolean`, `"a" \| "b"`. */
function jsonType(schema: z.ZodType | undefined): string {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodNumber) {
    const base = inner.isInt ? 'integer' : 'number';
    const min = inner.minValue;
    const max = inner.maxValue;
    return min !== null && max !== null && Number.isFinite(min) && Number.isFinite(max) && !inner.isInt ? `${base} ${min} – ${max}` : base;
  }
  if (inner instanceof z.ZodBoolean) return 'boolean';
  if (inner instanceof z.ZodEnum) return inner.options.map((o) => `\`"${String(o)}"\``).join(' \\| ');
  if (inner instanceof z.ZodString) return 'string';
  return 'unknown';
}
