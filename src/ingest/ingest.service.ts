/**
 * The ingest pipeline, one named step per stage (after aedes's
 * `runFall([authorize, store, deliver])`):
 *
 *   decode → validate → normalise → persist → updateState → publish
 *
 * `accept()` is called by the broker inside its authorizePublish hook, so it
 * resolves only once the message is durably committed: the device's PUBACK
 * means "stored". Content problems are rejections (counted, kept for
 * diagnosis, acknowledged so the device does not resend them forever);
 * storage problems reject the promise so the device is not acknowledged and
 * keeps the message.
 */
import { getDeviceType } from '../../devices/catalogue.js';
import { decodeUplink, type UplinkMessage } from '../../devices/decode-uplink.js';
import type { DeviceTypeDescriptor } from '../../devices/device-type.js';
import { MAX_CLOCK_AHEAD_MS, parseUplinkTopic, type RejectionReason, type UplinkChannel } from '../../devices/protocol.js';
import type { DeviceBinding } from '../domain/events/domain-events.js';
import type { DomainEventBus } from '../domain/events/event-bus.js';
import type { DurableInbox, InboxEntry } from './durable-inbox.js';
import type { RejectionLog } from './rejection-log.js';
import { toReplayForm, uplinkToDomainEvent } from './uplink-to-domain-event.js';
import { uplinkToPoints } from './uplink-to-points.js';

export interface DeviceDirectory {
  binding(deviceId: string): DeviceBinding | undefined;
}

/** Told about every new (non-duplicate) message: keeps last seen, battery, firmware, presence. */
export interface DeviceActivity {
  seen(binding: DeviceBinding, receivedAt: number, message: UplinkMessage): void;
}

export interface IngestMetrics {
  accepted(channel: UplinkChannel, messages: number): void;
  rejected(reason: RejectionReason): void;
  duplicates(messages: number): void;
}

export interface IngestOptions {
  /** Device clocks further ahead than this are rejected (`clock_skew`). */
  readonly maxClockAheadMs: number;
  /** Told about a device whose clock runs ahead, to resynchronise it. */
  readonly onClockAhead?: (deviceId: string) => void;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = { maxClockAheadMs: MAX_CLOCK_AHEAD_MS };

interface Decoded {
  readonly binding: DeviceBinding;
  readonly type: DeviceTypeDescriptor;
  readonly channel: UplinkChannel;
  readonly messages: UplinkMessage[];
  readonly buffered: boolean;
}

type StepResult<T> = { ok: true; value: T } | { ok: false; reason: RejectionReason; detail: string };

export class IngestService {
  constructor(
    private readonly directory: DeviceDirectory,
    private readonly inbox: DurableInbox,
    private readonly onCommitted: () => void,
    private readonly activity: DeviceActivity,
    private readonly bus: DomainEventBus,
    private readonly metrics: IngestMetrics,
    private readonly rejections: RejectionLog,
    private readonly options: IngestOptions = DEFAULT_INGEST_OPTIONS,
  ) {}

  async accept(deviceId: string, topic: string, payload: Uint8Array, receivedAt: number): Promise<void> {
    const decoded = this.decode(deviceId, topic, payload);
    const validated = decoded.ok ? this.validate(decoded.value, receivedAt) : decoded;
    if (!validated.ok) {
      this.reject(deviceId, topic, payload, receivedAt, validated.reason, validated.detail);
      if (validated.reason === 'clock_skew') this.options.onClockAhead?.(deviceId);
      return;
    }
    const message = validated.value;
    const entries = this.normalise(message, receivedAt);
    const ids = await this.persist(entries);
    const fresh = message.messages.flatMap((m, i) => {
      const inboxId = ids[i];
      return inboxId === null || inboxId === undefined ? [] : [{ m, inboxId }];
    });
    this.metrics.accepted(message.channel, fresh.length);
    if (fresh.length < message.messages.length) this.metrics.duplicates(message.messages.length - fresh.length);
    for (const { m, inboxId } of fresh) {
      this.updateState(message.binding, receivedAt, m);
      this.publish(message, receivedAt, m, inboxId);
    }
  }

  /** Records a refusal decided elsewhere (the broker's rate limit or size cap) in the same diagnosis log. */
  recordRefusal(deviceId: string, topic: string, payload: Uint8Array, receivedAt: number, reason: RejectionReason, detail: string): void {
    this.reject(deviceId, topic, payload, receivedAt, reason, detail);
  }

  /** topic → device and channel → the type's schema (decodeUplink checks size, JSON, schema, ranges). */
  private decode(deviceId: string, topic: string, payload: Uint8Array): StepResult<Decoded> {
    const parsed = parseUplinkTopic(topic);
    if (!parsed || parsed.deviceId !== deviceId) return { ok: false, reason: 'bad_topic', detail: `"${topic}" is not anxin/v1/${deviceId}/{telemetry|event|status|batch|cmd/reply}` };
    const binding = this.directory.binding(deviceId);
    if (!binding) return { ok: false, reason: 'unknown_device', detail: `device "${deviceId}" is not provisioned` };
    const type = getDeviceType(binding.deviceType);
    const result = decodeUplink(type, parsed.channel, payload);
    if (!result.ok) return result;
    return { ok: true, value: { binding, type, channel: parsed.channel, messages: result.messages, buffered: result.buffered } };
  }

  /** Checks that need server state: the device clock against ours. */
  private validate(decoded: Decoded, receivedAt: number): StepResult<Decoded> {
    const limit = receivedAt + this.options.maxClockAheadMs;
    const ahead = decoded.messages.find((m) => m.ts > limit);
    if (ahead) {
      return { ok: false, reason: 'clock_skew', detail: `ts ${ahead.ts} is ${Math.round((ahead.ts - receivedAt) / 1000)} s ahead of server time (limit ${this.options.maxClockAheadMs / 1000} s); sync the device clock` };
    }
    return { ok: true, value: decoded };
  }

  private normalise(decoded: Decoded, receivedAt: number): InboxEntry[] {
    return decoded.messages.map((m) => ({
      deviceId: decoded.binding.deviceId,
      seq: m.seq,
      ts: m.ts,
      receivedAt,
      body: JSON.stringify(uplinkToPoints(decoded.type, decoded.binding, m)),
      // Kept so a restart can feed the rules what a crash kept from them.
      replay: toReplayForm(decoded.binding, decoded.buffered, m),
    }));
  }

  /** Inbox ids of the new entries; null for duplicates. */
  private async persist(entries: readonly InboxEntry[]): Promise<(number | null)[]> {
    const ids = await this.inbox.append(entries);
    this.onCommitted();
    return ids;
  }

  private updateState(binding: DeviceBinding, receivedAt: number, message: UplinkMessage): void {
    this.activity.seen(binding, receivedAt, message);
  }

  /** The event carries its inbox id: the rules' snapshot records how far it got (see rule-replay.ts). */
  private publish(decoded: Decoded, receivedAt: number, m: UplinkMessage, inboxId: number): void {
    const accepted = uplinkToDomainEvent(decoded.binding, receivedAt, decoded.buffered, m, inboxId);
    if (!accepted) return;
    switch (accepted.name) {
      case 'TelemetryReceived':
        this.bus.publish('TelemetryReceived', accepted.event);
        return;
      case 'DeviceEventReceived':
        this.bus.publish('DeviceEventReceived', accepted.event);
        return;
      case 'DeviceStatusReported':
        this.bus.publish('DeviceStatusReported', accepted.event);
        return;
    }
  }

  private reject(deviceId: string, topic: string, payload: Uint8Array, receivedAt: number, reason: RejectionReason, detail: string): void {
    this.metrics.rejected(reason);
    this.rejections.record({ deviceId, topic, reason, detail, receivedAt, payload });
  }
}
