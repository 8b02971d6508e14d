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
    '| type | 设备 | power | telemetry every | heartbeat every | events |',
    '|---|---|---|---|---|---|',
    ...DEVICE_TYPES.map((type) => {
      const d = deviceCatalogue[type];
      return `| \`${d.type}\` | ${d.label} | ${d.batteryPowered ? 'battery' : 'mains'} | ${d.telemetryIntervalS === null ? '— (none)' : `${d.telemetryIntervalS} s`} | ${d.heartbeatIntervalS} s | ${eventsOf(d).map((e) => `\`${e.name}\``).join(', ')} |`;
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
    lines.push(
      `Telemetry every ${String(d.telemetryIntervalS)} s on \`telemetry\`. ${isOptional(shape[d.metrics[0]!.key]) ? 'Every metric is optional, but a message carries at least one.' : 'Every metric is required.'}`,
      '',
      '| key | JSON type | unit | valid range | 中文 |',
      '|---|---|---|---|---|',
      ...d.metrics.map((m) => `| \`${m.key}\` | ${jsonType(shape[m.key])} | ${m.unit === '' ? '—' : `\`${m.unit}\``} | ${m.range === undefined ? '—' : `${m.range[0]} – ${m.range[1]}`} | ${m.label} |`),
    );
  }
  lines.push('', '| event | details |', '|---|---|');
  for (const e of eventsOf(d)) {
    lines.push(`| \`${e.name}\` | ${e.details.length === 0 ? '— (none)' : e.details.map((f) => `\`${f.key}\`: ${f.type}`).join('; ')} |`);
  }
  return lines.join('\n');
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
