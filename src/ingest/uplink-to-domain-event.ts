/**
 * An accepted uplink message as the rules see it: one domain event, or none
 * (command replies). Used by ingest's publish step for live messages and by
 * the replay after a restart, so both build the very same event.
 *
 * The inbox keeps each accepted message in this module's replay form (the
 * device binding at acceptance, the batch flag, the decoded message), not the
 * event itself: a replay rebuilds the event with the code that runs now.
 */
import { z } from 'zod';
import type { UplinkMessage } from '../../devices/decode-uplink.js';
import { DEVICE_TYPES } from '../../devices/device-type.js';
import type { DeviceBinding } from '../domain/events/domain-events.js';
import type { AcceptedEvent } from '../domain/rules/rule-replay.js';

/** What `InboxEntry.replay` holds (JSON). Bump `v` when its shape changes. */
const replayFormSchema = z.object({
  v: z.literal(1),
  binding: z.object({
    deviceId: z.string(),
    deviceType: z.enum(DEVICE_TYPES),
    residentId: z.string().nullable(),
    homeId: z.string().nullable(),
    districtCode: z.string().nullable(),
    streetCode: z.string().nullable(),
  }),
  buffered: z.boolean(),
  message: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('telemetry'), seq: z.number(), ts: z.number(), metrics: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])) }),
    z.object({ kind: z.literal('event'), seq: z.number(), ts: z.number(), event: z.string(), details: z.record(z.string(), z.unknown()) }),
    z.object({
      kind: z.literal('status'),
      seq: z.number(),
      ts: z.number(),
      status: z.object({ firmware: z.string().optional(), battery: z.number().optional(), rssi: z.number().optional() }),
    }),
    z.object({ kind: z.literal('command_reply'), seq: z.number(), ts: z.number() }),
  ]),
});

/** The replay form of an accepted message, for `InboxEntry.replay`. */
export function toReplayForm(binding: DeviceBinding, buffered: boolean, message: UplinkMessage): string {
  const { deviceId, deviceType, residentId, homeId, districtCode, streetCode } = binding;
  return JSON.stringify({ v: 1, binding: { deviceId, deviceType, residentId, homeId, districtCode, streetCode }, buffered, message });
}

/** Rebuilds the domain event of a stored message; undefined when the stored form does not parse. */
export function domainEventFromReplayForm(replay: string, receivedAt: number, inboxId: number): AcceptedEvent | null | undefined {
  let json: unknown;
  try {
    json = JSON.parse(replay);
  } catch {
    return undefined;
  }
  const parsed = replayFormSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { binding, buffered, message } = parsed.data;
  return uplinkToDomainEvent(binding, receivedAt, buffered, message as UplinkMessage, inboxId);
}

export function uplinkToDomainEvent(binding: DeviceBinding, receivedAt: number, buffered: boolean, m: UplinkMessage, inboxId: number): AcceptedEvent | null {
  switch (m.kind) {
    case 'telemetry':
      return { name: 'TelemetryReceived', event: { ...binding, ts: m.ts, receivedAt, seq: m.seq, metrics: m.metrics, buffered, inboxId } };
    case 'event':
      return { name: 'DeviceEventReceived', event: { ...binding, ts: m.ts, receivedAt, seq: m.seq, event: m.event, details: m.details, buffered, inboxId } };
    case 'status': {
      const { firmware, battery, rssi } = m.status;
      return {
        name: 'DeviceStatusReported',
        event: {
          ...binding,
          ts: m.ts,
          receivedAt,
          ...(firmware !== undefined ? { firmware } : {}),
          ...(battery !== undefined ? { battery } : {}),
          ...(rssi !== undefined ? { rssi } : {}),
          inboxId,
        },
      };
    }
    case 'command_reply':
      return null;
  }
}
