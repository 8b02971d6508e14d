/**
 * The last few rejected messages per device, for diagnosis
 * (`GET /api/devices/{id}/rejections`). Bounded twice: a few samples per
 * device, and a cap on devices (least recently rejected forgotten first), so
 * a misbehaving fleet cannot grow it without limit.
 */
import type { RejectionReason } from '../../devices/protocol.js';

export interface RejectedSample {
  readonly deviceId: string;
  readonly topic: string;
  readonly reason: RejectionReason;
  readonly detail: string;
  readonly receivedAt: number;
  /** The start of the payload as text, for a human to read. */
  readonly excerpt: string;
  readonly bytes: number;
}

const EXCERPT_CHARS = 512;

export class RejectionLog {
  // Map iteration order is insertion order: re-inserting moves a device to the end.
  private readonly byDevice = new Map<string, RejectedSample[]>();

  constructor(
    private readonly perDevice = 5,
    private readonly maxDevices = 10_000,
  ) {}

  record(input: { deviceId: string; topic: string; reason: RejectionReason; detail: string; receivedAt: number; payload: Uint8Array }): void {
    const sample: RejectedSample = {
      deviceId: input.deviceId,
      topic: input.topic,
      reason: input.reason,
      detail: input.detail,
      receivedAt: input.receivedAt,
      excerpt: Buffer.from(input.payload.subarray(0, EXCERPT_CHARS * 4)).toString('utf8').slice(0, EXCERPT_CHARS),
      bytes: input.payload.byteLength,
    };
    const list = this.byDevice.get(input.deviceId) ?? [];
    this.byDevice.delete(input.deviceId);
    list.push(sample);
    if (list.length > this.perDevice) list.shift();
    this.byDevice.set(input.deviceId, list);
    if (this.byDevice.size > this.maxDevices) {
      const oldest = this.byDevice.keys().next().value;
      if (oldest !== undefined) this.byDevice.delete(oldest);
    }
  }

  /** Newest first. */
  forDevice(deviceId: string): RejectedSample[] {
    return [...(this.byDevice.get(deviceId) ?? [])].reverse();
  }
}
