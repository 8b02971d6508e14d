/**
 * The one uplink decoder: the backend ingest, the simulator and the tests all
 * turn a device's MQTT payload into messages with it. Pure and synchronous (no
 * clock, no I/O), so checks that need the server's state — `unknown_device`,
 * `too_fast`, `clock_skew`, `bad_topic` — belong to the caller.
 *
 * Checks run in the order of PROTOCOL.md §"Rejections", cheapest first:
 * size (`too_large`) → UTF-8 JSON (`not_json`) → batch item count (`too_large`)
 * → the type's zod schema (`schema`) → plausible ranges (`out_of_range`).
 */
import type { z } from 'zod';
import type { DeviceTypeDescriptor, MetricDescriptor } from './device-type.js';
import {
  batchEnvelopeSchema,
  commandReplySchema,
  MAX_BATCH_ITEMS,
  MAX_PACKET_BYTES,
  statusPayloadSchema,
  type CommandReply,
  type RejectionReason,
  type StatusPayload,
  type UplinkChannel,
} from './protocol.js';

export type MetricValue = number | boolean | string;

export type UplinkMessage =
  | { kind: 'telemetry'; seq: number; ts: number; metrics: Record<string, MetricValue> }
  | { kind: 'event'; seq: number; ts: number; event: string; details: Record<string, unknown> }
  | { kind: 'status'; seq: number; ts: number; status: StatusPayload }
  | { kind: 'command_reply'; seq: number; ts: number; reply: CommandReply };

export type DecodeResult =
  /** `buffered`: the messages came in a batch upload (late data). */
  | { ok: true; messages: UplinkMessage[]; buffered: boolean }
  /** `detail` names the field and what was wrong, e.g. "heartRate: expected number, received string". */
  | { ok: false; reason: RejectionReason; detail: string };

export interface DecodeLimits {
  /** Largest payload accepted, in bytes (default MAX_PACKET_BYTES). */
  readonly maxBytes?: number;
  /** Most items in one batch (default MAX_BATCH_ITEMS). */
  readonly maxBatchItems?: number;
}

type Rejection = Extract<DecodeResult, { ok: false }>;
type Issue = z.core.$ZodIssue;

// fatal: invalid UTF-8 is a rejection, never silently replaced by U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
/** Issues listed in one detail; the rest are counted. */
const MAX_ISSUES_IN_DETAIL = 3;

/**
 * Decodes one uplink payload published by a device of `type` on `channel`.
 *
 * @example
 * decodeUplink(getDeviceType('care-bed'), 'telemetry',
 *   '{"seq":41,"ts":1773532800000,"heartRate":68,"respirationRate":15,"inBed":true,"movement":4}')
 * // → { ok: true, buffered: false, messages: [{ kind: 'telemetry', seq: 41, ts: 1773532800000,
 * //       metrics: { heartRate: 68, respirationRate: 15, inBed: true, movement: 4 } }] }
 * decodeUplink(getDeviceType('care-bed'), 'telemetry', '{"seq":42,"ts":1773532810000,"heartRate":400}')
 * // → { ok: false, reason: 'out_of_range', detail: 'heartRate 400 bpm outside 20–250' }
 */
export function decodeUplink(
  type: DeviceTypeDescriptor,
  channel: UplinkChannel,
  payload: Uint8Array | string,
  limits?: DecodeLimits,
): DecodeResult {
  const maxBytes = limits?.maxBytes ?? MAX_PACKET_BYTES;
  let text: string;
  if (typeof payload === 'string') {
    // A UTF-16 code unit takes 1–3 UTF-8 bytes: only count bytes when the length alone cannot decide.
    if (payload.length > maxBytes || (payload.length * 3 > maxBytes && utf8Encoder.encode(payload).byteLength > maxBytes)) {
      return reject('too_large', `payload is larger than ${maxBytes} bytes`);
    }
    text = payload;
  } else {
    if (payload.byteLength > maxBytes) {
      return reject('too_large', `payload is ${payload.byteLength} bytes, at most ${maxBytes}`);
    }
    try {
      text = utf8.decode(payload);
    } catch {
      return reject('not_json', 'payload is not valid UTF-8');
    }
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject('not_json', `payload is not JSON: ${truncate(error instanceof Error ? error.message : String(error), 120)}`);
  }

  if (channel === 'batch') return decodeBatch(type, json, limits?.maxBatchItems ?? MAX_BATCH_ITEMS);
  const decoded = decodeMessage(type, channel, json, '');
  return 'kind' in decoded ? { ok: true, messages: [decoded], buffered: false } : decoded;
}

function decodeBatch(type: DeviceTypeDescriptor, json: unknown, maxItems: number): DecodeResult {
  // The item count is checked before the items: a device that did not split its backlog must learn that first.
  if (isRecord(json) && Array.isArray(json['items']) && json['items'].length > maxItems) {
    return reject('too_large', `batch has ${json['items'].length} items, at most ${maxItems}`);
  }
  const envelope = batchEnvelopeSchema.safeParse(json);
  if (!envelope.success) return rejectIssues(envelope.error.issues, json, '');
  const messages: UplinkMessage[] = [];
  const items = envelope.data.items;
  for (let i = 0; i < items.length; i++) {
    // Validated as if published alone, so the item must not keep its `channel` tag.
    const { channel, ...item } = items[i]!;
    const decoded = decodeMessage(type, channel, item, `items[${i}]`);
    // A batch is stored whole or not at all: the device re-sends it whole.
    if (!('kind' in decoded)) return decoded;
    messages.push(decoded);
  }
  return { ok: true, messages, buffered: true };
}

function decodeMessage(
  type: DeviceTypeDescriptor,
  channel: Exclude<UplinkChannel, 'batch'>,
  json: unknown,
  at: string,
): UplinkMessage | Rejection {
  switch (channel) {
    case 'telemetry': {
      const parsed = type.telemetry.safeParse(json);
      if (!parsed.success) return rejectIssues(parsed.error.issues, json, at);
      const data = parsed.data as Record<string, unknown>;
      const metrics: Record<string, MetricValue> = {};
      let count = 0;
      for (const key in data) {
        const value = data[key];
        if (key === 'seq' || key === 'ts' || value === undefined) continue;
        metrics[key] = value as MetricValue;
        count++;
      }
      if (count === 0) {
        return reject('schema', `${at ? `${at}: ` : ''}${type.metrics.length === 0
          ? `${type.type} devices send no telemetry, only events and status`
          : `no metric in the message; send at least one of ${type.metrics.map((m) => m.key).join(', ')}`}`);
      }
      // Readings of nobody (an empty bed, a band off the wrist) are dropped before they can be judged.
      for (const metric of gatedMetricsOf(type)) {
        if (metrics[metric.onlyWhile] === false) delete metrics[metric.key];
      }
      for (const metric of type.metrics) {
        const value = metrics[metric.key];
        if (metric.range === undefined || typeof value !== 'number') continue;
        const [min, max] = metric.range;
        if (value < min || value > max) {
          return reject('out_of_range', `${join(at, metric.key)} ${value}${metric.unit ? ` ${metric.unit}` : ''} outside ${min}–${max}`);
        }
      }
      return { kind: 'telemetry', seq: data['seq'] as number, ts: data['ts'] as number, metrics };
    }
    case 'event': {
      const parsed = type.event.safeParse(json);
      if (!parsed.success) return rejectIssues(parsed.error.issues, json, at);
      const data = parsed.data as Record<string, unknown>;
      const details: Record<string, unknown> = {};
      for (const key in data) {
        if (key !== 'seq' && key !== 'ts' && key !== 'event' && data[key] !== undefined) details[key] = data[key];
      }
      return { kind: 'event', seq: data['seq'] as number, ts: data['ts'] as number, event: data['event'] as string, details };
    }
    case 'status': {
      const parsed = statusPayloadSchema.safeParse(json);
      if (!parsed.success) return rejectIssues(parsed.error.issues, json, at);
      return { kind: 'status', seq: parsed.data.seq, ts: parsed.data.ts, status: parsed.data };
    }
    case 'cmd/reply': {
      const parsed = commandReplySchema.safeParse(json);
      if (!parsed.success) return rejectIssues(parsed.error.issues, json, at);
      return { kind: 'command_reply', seq: parsed.data.seq, ts: parsed.data.ts, reply: parsed.data };
    }
  }
}

const gatedMetrics = new WeakMap<DeviceTypeDescriptor, readonly (MetricDescriptor & { readonly onlyWhile: string })[]>();

/** The type's metrics that count only while another metric says someone is there (cached: decoding is per message). */
function gatedMetricsOf(type: DeviceTypeDescriptor): readonly (MetricDescriptor & { readonly onlyWhile: string })[] {
  let gated = gatedMetrics.get(type);
  if (gated === undefined) {
    gated = type.metrics.filter((m): m is MetricDescriptor & { readonly onlyWhile: string } => m.onlyWhile !== undefined);
    gatedMetrics.set(type, gated);
  }
  return gated;
}

function reject(reason: RejectionReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

/**
 * A numeric bound in a schema (an event detail such as a fall's `confidence`,
 * or a status field such as `battery`) is a plausibility limit, so breaking it
 * is `out_of_range`; only `seq` and `ts` bounds are part of the message's
 * identity and stay `schema`. Any other issue makes the message `schema`.
 */
function isRangeIssue(issue: Issue): boolean {
  if ((issue.code !== 'too_small' && issue.code !== 'too_big') || issue.origin !== 'number') return false;
  const last = issue.path[issue.path.length - 1];
  return !(issue.path.length === 1 && (last === 'seq' || last === 'ts'));
}

function rejectIssues(issues: readonly Issue[], input: unknown, at: string): Rejection {
  const schemaIssues = issues.filter((issue) => !isRangeIssue(issue));
  const shown = schemaIssues.length > 0 ? schemaIssues : issues;
  const lines = shown.slice(0, MAX_ISSUES_IN_DETAIL).map((issue) => describeIssue(issue, input, at));
  if (shown.length > MAX_ISSUES_IN_DETAIL) lines.push(`and ${shown.length - MAX_ISSUES_IN_DETAIL} more`);
  return reject(schemaIssues.length > 0 ? 'schema' : 'out_of_range', lines.join('; '));
}

/** One zod issue as a line a firmware engineer can act on, built from the issue's own data. */
function describeIssue(issue: Issue, input: unknown, at: string): string {
  const path = join(at, formatPath(issue.path));
  const where = path === '' ? '' : `${path}: `;
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `${where}missing (expected ${issue.expected})`
        : `${where}expected ${issue.expected}, received ${describeValue(value, issue.expected)}`;
    case 'unrecognized_keys':
      return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value':
      return `${where}${value === undefined ? 'missing (' : ''}expected one of ${issue.values.map((v) => JSON.stringify(v)).join('|')}${value === undefined ? ')' : `, received ${preview(value)}`}`;
    case 'too_small':
    case 'too_big':
      if (issue.origin === 'number') {
        const bound = issue.code === 'too_small' ? `below minimum ${String(issue.minimum)}` : `above maximum ${String(issue.maximum)}`;
        return `${path || 'value'} ${preview(value)} ${bound}`;
      }
      return `${where}${issue.message}`;
    case 'invalid_union': {
      // A discriminated union reports the discriminator values it knows as `options` (zod 4 runtime data, untyped).
      const options = (issue as { options?: unknown }).options;
      if (!Array.isArray(options)) return `${where}${issue.message}`;
      const expected = `expected one of ${options.map((o) => JSON.stringify(o)).join('|')}`;
      return value === undefined ? `${where}missing (${expected})` : `${where}${expected}, received ${preview(value)}`;
    }
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
      return `${where}${issue.message}`;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

function join(at: string, path: string): string {
  if (at === '') return path;
  if (path === '') return at;
  return path.startsWith('[') ? `${at}${path}` : `${at}.${path}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown, expected: string): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  // "expected int, received number" says too little: show the number.
  return kind === expected || (kind === 'number' && expected === 'int') ? `${kind} ${preview(value)}` : kind;
}

function preview(value: unknown): string {
  return truncate(JSON.stringify(value) ?? String(value), 40);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
