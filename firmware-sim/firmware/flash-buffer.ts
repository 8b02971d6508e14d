/**
 * The device's flash store for messages it could not send: a bounded ring of
 * batch items (already serialised with their `channel` tag and ORIGINAL seq
 * and ts). When full, the oldest telemetry item is dropped and counted
 * (PROTOCOL.md §8: "drop the oldest telemetry first; keep events"); only a
 * store with no telemetry left drops its oldest item of another channel. Items leave the store only when
 * the batch that carries them is acknowledged (PUBACK), so a batch lost with
 * the connection is sent again whole and the platform stores it once.
 */
import { MAX_BATCH_ITEMS, MAX_PACKET_BYTES } from '../../devices/protocol.js';

export const DEFAULT_FLASH_CAPACITY = 10_000;
const TELEMETRY_PREFIX = '{"channel":"telemetry"';
/** `{"items":[` + `]}` */
const ENVELOPE_BYTES = 12;

export interface BatchSlice {
  /** The `anxin/v1/{id}/batch` payload. */
  readonly payload: string;
  /** Items in it; pass to `commit` after the PUBACK. */
  readonly count: number;
}

export class FlashBuffer {
  private items: (string | undefined)[];
  private head = 0;
  private length = 0;
  /** Items overwritten because the store was full. */
  dropped = 0;

  constructor(readonly capacity: number = DEFAULT_FLASH_CAPACITY) {
    if (!(capacity >= 1)) throw new Error('flash capacity must be ≥ 1');
    this.items = new Array<string | undefined>(Math.min(capacity, 16));
  }

  get size(): number {
    return this.length;
  }

  /** Appends the newest item; drops (and counts) the oldest telemetry when full. */
  push(item: string): void {
    if (this.length === this.capacity) this.dropOldestTelemetry();
    this.grow();
    this.items[(this.head + this.length) % this.items.length] = item;
    this.length++;
  }

  /**
   * Puts items back in front, oldest first in `items` (messages that were in
   * flight when the connection dropped are older than anything stored).
   */
  unshiftAll(items: readonly string[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      if (this.length === this.capacity) {
        // Full: the item to put back is the oldest of all, so it is the one dropped.
        this.dropped++;
        continue;
      }
      this.grow();
      this.head = (this.head - 1 + this.items.length) % this.items.length;
      this.items[this.head] = items[i]!;
      this.length++;
    }
  }

  /**
   * The oldest items that fit in one batch: at most `maxItems` and
   * `maxBytes` (UTF-8) including the envelope. Does not remove them.
   */
  peekBatch(maxItems: number = MAX_BATCH_ITEMS, maxBytes: number = MAX_PACKET_BYTES): BatchSlice | undefined {
    if (this.length === 0) return undefined;
    const parts: string[] = [];
    let bytes = ENVELOPE_BYTES;
    for (let i = 0; i < this.length && parts.length < maxItems; i++) {
      const item = this.items[(this.head + i) % this.items.length]!;
      const itemBytes = Buffer.byteLength(item) + (parts.length > 0 ? 1 : 0);
      if (bytes + itemBytes > maxBytes && parts.length > 0) break;
      parts.push(item);
      bytes += itemBytes;
    }
    return { payload: `{"items":[${parts.join(',')}]}`, count: parts.length };
  }

  /** Removes the `count` oldest items (after their batch was acknowledged). */
  commit(count: number): void {
    const n = Math.min(count, this.length);
    for (let i = 0; i < n; i++) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.items.length;
    }
    this.length -= n;
  }

  private dropOldestTelemetry(): void {
    const n = this.items.length;
    let victim = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.items[(this.head + i) % n]!.startsWith(TELEMETRY_PREFIX)) {
        victim = i;
        break;
      }
    }
    // Close the gap by moving the older items one slot towards the newer end.
    for (let i = victim; i > 0; i--) this.items[(this.head + i) % n] = this.items[(this.head + i - 1) % n];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % n;
    this.length--;
    this.dropped++;
  }

  /** Doubles the ring (up to capacity) so an idle device holds a small array. */
  private grow(): void {
    if (this.length < this.items.length || this.items.length >= this.capacity) return;
    const next = new Array<string | undefined>(Math.min(this.capacity, this.items.length * 2));
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
