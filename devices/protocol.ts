/**
 * The Anxin device protocol, version 1: what travels on the wire between a
 * device and the platform. `devices/PROTOCOL.md` is the prose for vendors;
 * this module is the executable contract that the backend, the simulator and
 * the tests share. Type-specific payloads (which metrics, which events) live
 * in `devices/<type>/`.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 'v1';
export const TOPIC_ROOT = `anxin/${PROTOCOL_VERSION}`;

/** Channels a device publishes to, under `anxin/v1/{deviceId}/`. */
export const UPLINK_CHANNELS = ['telemetry', 'event', 'status', 'batch', 'cmd/reply'] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];

/** Device ids are what the registry issues: lowercase, digits and dashes, 3–64 chars. */
export const deviceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'device id: 3–64 chars of a-z, 0-9 and "-"');
export type DeviceId = z.infer<typeof deviceIdSchema>;

export const topics = {
  /** e.g. `anxin/v1/bed-000123/telemetry` */
  uplink: (deviceId: string, channel: UplinkChannel): string => `${TOPIC_ROOT}/${deviceId}/${channel}`,
  /** Commands to the device; the only topic a device may subscribe to. */
  command: (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/cmd`,
  /** Where the backend listens when it consumes from an external broker. */
  allUplink: `${TOPIC_ROOT}/+/#`,
} as const;

/** Splits `anxin/v1/{deviceId}/{channel}`; undefined for anything else. */
export function parseUplinkTopic(topic: string): { deviceId: string; channel: UplinkChannel } | undefined {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const deviceId = rest.slice(0, slash);
  const channel = rest.slice(slash + 1) as UplinkChannel;
  if (!UPLINK_CHANNELS.includes(channel)) return undefined;
  if (!deviceIdSchema.safeParse(deviceId).success) return undefined;
  return { deviceId, channel };
}

/** Device clock in epoch milliseconds (UTC). */
export const epochMsSchema = z.number().int().min(1_500_000_000_000).max(9_999_999_999_999);

/**
 * Every uplink message carries `seq` and `ts`. `seq` is a per-device counter
 * (uint32, wraps); together with `ts` it identifies the message, so a QoS 1
 * redelivery or a re-uploaded batch is recognised and stored once.
 */
export const messageIdentitySchema = z.object({
  seq: z.number().int().min(0).max(0xffff_ffff),
  ts: epochMsSchema,
});

export const statusPayloadSchema = messageIdentitySchema.extend({
  state: z.enum(['online', 'heartbeat']),
  firmware: z.string().min(1).max(32).optional(),
  battery: z.number().min(0).max(100).optional(),
  rssi: z.number().min(-130).max(0).optional(),
  uptimeS: z.number().int().min(0).optional(),
  /** Heartbeat interval the device will keep, so supervision knows what "late" means. */
  heartbeatS: z.number().int().min(5).max(86_400).optional(),
});
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

/** The last will a device registers at CONNECT, on its own status topic. */
export const lastWillPayloadSchema = z.object({ state: z.literal('offline') }).loose();

/** A command from the platform to a device (`anxin/v1/{id}/cmd`, QoS 1). */
export const commandSchema = z.discriminatedUnion('name', [
  z.object({ cmdId: z.string().min(1).max(64), ts: epochMsSchema, name: z.literal('set_interval'), args: z.object({ telemetryS: z.number().int().min(1).max(3600).optional(), heartbeatS: z.number().int().min(5).max(3600).optional() }) }),
  z.object({ cmdId: z.string().min(1).max(64), ts: epochMsSchema, name: z.literal('locate'), args: z.object({}).optional() }),
  z.object({ cmdId: z.string().min(1).max(64), ts: epochMsSchema, name: z.literal('silence_alarm'), args: z.object({ durationS: z.number().int().min(1).max(3600) }) }),
  z.object({ cmdId: z.string().min(1).max(64), ts: epochMsSchema, name: z.literal('sync_time'), args: z.object({ serverTs: epochMsSchema }) }),
  z.object({ cmdId: z.string().min(1).max(64), ts: epochMsSchema, name: z.literal('reboot'), args: z.object({}).optional() }),
]);
export type Command = z.infer<typeof commandSchema>;

export const commandReplySchema = messageIdentitySchema.extend({
  cmdId: z.string().min(1).max(64),
  ok: z.boolean(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().max(200).optional(),
});
export type CommandReply = z.infer<typeof commandReplySchema>;

/** Most items a batch may carry; larger uploads are split by the device. */
export const MAX_BATCH_ITEMS = 500;
/** Largest MQTT packet the platform accepts (a full batch fits well inside). */
export const MAX_PACKET_BYTES = 256 * 1024;

/**
 * Why an uplink message was not accepted. Named in metrics
 * (`anxin_ingest_rejected_total{reason}`), in the per-device diagnosis list,
 * and in PROTOCOL.md.
 */
export const REJECTION_REASONS = [
  'bad_topic', // not anxin/v1/{deviceId}/{known channel}
  'not_json', // payload is not UTF-8 JSON
  'unknown_device', // no such device in the registry
  'schema', // JSON does not match the device type's schema (path + expected type in the detail)
  'out_of_range', // a metric outside its physically plausible range
  'too_large', // payload or batch larger than allowed
  'too_fast', // device exceeded its message rate
  'clock_skew', // device timestamp too far in the future
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

// --- Added with the device catalogue (additive; nothing above changed). ---

/** Channels an item of a batch upload may carry (`cmd/reply` is never buffered). */
export const BATCH_ITEM_CHANNELS = ['telemetry', 'event', 'status'] as const;
export type BatchItemChannel = (typeof BATCH_ITEM_CHANNELS)[number];

/**
 * The envelope of `anxin/v1/{id}/batch`: buffered messages, oldest first, each
 * tagged with the channel it would have been published on.
 *
 * @example
 * { "items": [
 *   { "channel": "telemetry", "seq": 41, "ts": 1773532800000, "heartRate": 68, "respirationRate": 15, "inBed": true, "movement": 4 },
 *   { "channel": "event", "seq": 42, "ts": 1773532805000, "event": "bed_exit" }
 * ] }
 *
 * Items are validated one by one against the device type's schemas; the item
 * count limit (MAX_BATCH_ITEMS) is checked before that and answers `too_large`.
 */
export const batchEnvelopeSchema = z.strictObject({
  items: z.array(z.looseObject({ channel: z.enum(BATCH_ITEM_CHANNELS) })).min(1),
});

/** A device timestamp further ahead of server time than this is rejected as `clock_skew`. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;
/** MQTT keepalive a device sets at CONNECT, in seconds. */
export const KEEPALIVE_S = 60;
/** Supervision marks a device offline after this many missed heartbeats (or at its last will). */
export const MISSED_HEARTBEATS_BEFORE_OFFLINE = 3;
