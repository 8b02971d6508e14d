/**
 * PROTOCOL.md §10: a device whose clock runs more than 5 minutes ahead gets a
 * `sync_time` command carrying the server's time. At most one per device per
 * minute, so a device that ignores it is not flooded.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from '../../devices/protocol.js';
import type { Logger } from '../observability/logger.js';

export type SendCommand = (deviceId: string, command: Command) => Promise<void>;

const MIN_INTERVAL_MS = 60_000;

export class ClockSync {
  private readonly lastSent = new Map<string, number>();
  private send: SendCommand | undefined;

  constructor(
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** The broker (embedded or external) that can reach devices; set once it is up. */
  connect(send: SendCommand): void {
    this.send = send;
  }

  clockAhead(deviceId: string): void {
    const now = this.now();
    const last = this.lastSent.get(deviceId);
    if (!this.send || (last !== undefined && now - last < MIN_INTERVAL_MS)) return;
    this.lastSent.set(deviceId, now);
    const command: Command = { cmdId: randomUUID(), ts: now, name: 'sync_time', args: { serverTs: now } };
    this.send(deviceId, command).catch((error: unknown) => this.logger.warn({ deviceId, err: String(error) }, 'could not send sync_time'));
  }
}
