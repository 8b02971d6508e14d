/**
 * Moves committed messages from the durable inbox into the telemetry store,
 * oldest first, and advances the inbox cursor only after the store confirmed
 * the write. A store outage of any length loses nothing: the rows wait in the
 * inbox (bounded by its backlog limit, which pushes back on devices) and the
 * forwarder retries with capped exponential backoff.
 */
import type { TelemetryPoint, TelemetryStore } from '../telemetry/telemetry.store.js';
import type { DurableInbox, InboxRow } from './durable-inbox.js';
import type { Logger } from '../observability/logger.js';

export interface ForwarderMetrics {
  written(points: number): void;
  /** Seconds from server receipt to confirmed storage, per message. */
  lag(seconds: number): void;
  writeError(retryable: boolean): void;
  deadLettered(): void;
}

export interface TelemetryForwarderOptions {
  readonly batchSize: number;
  readonly idleMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_FORWARDER_OPTIONS: TelemetryForwarderOptions = {
  batchSize: 5_000,
  idleMs: 50,
  minBackoffMs: 250,
  maxBackoffMs: 15_000,
};

/** Store errors say whether retrying can help; unknown errors are assumed transient. */
function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

export class TelemetryForwarder {
  private running = false;
  private stopped: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private backoffMs: number;

  constructor(
    private readonly inbox: DurableInbox,
    private readonly store: TelemetryStore,
    private readonly metrics: ForwarderMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly options: TelemetryForwarderOptions = DEFAULT_FORWARDER_OPTIONS,
  ) {
    this.backoffMs = options.minBackoffMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = this.loop();
  }

  /** New rows are waiting: skip the idle wait. */
  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.stopped;
  }

  /** Forwards everything currently committed (used by tests and at shutdown). */
  async drain(): Promise<void> {
    while (this.inbox.backlog() > 0) {
      const progressed = await this.forwardOnce();
      if (!progressed) await this.sleep(this.backoffMs);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const progressed = await this.forwardOnce();
      if (!this.running) break;
      if (progressed === undefined) await this.sleep(this.options.idleMs);
      else if (!progressed) await this.sleep(this.backoffMs);
    }
  }

  /** undefined: nothing to do; true: moved rows; false: the store failed. */
  private async forwardOnce(): Promise<boolean | undefined> {
    const rows = this.inbox.readUnforwarded(this.options.batchSize);
    if (rows.length === 0) return undefined;
    try {
      await this.writeRows(rows);
    } catch (error) {
      this.metrics.writeError(true);
      this.logger.warn({ err: String(error), backlog: this.inbox.backlog(), retryInMs: this.backoffMs }, 'telemetry store unavailable; inbox keeps the data');
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
      return false;
    }
    this.backoffMs = this.options.minBackoffMs;
    return true;
  }

  /**
   * Writes rows and advances the cursor. A permanent refusal (a bad point) is
   * isolated by bisection and dead-lettered so it cannot block the rows after
   * it; a transient failure propagates and nothing is marked forwarded.
   */
  private async writeRows(rows: readonly InboxRow[]): Promise<void> {
    const last = rows[rows.length - 1];
    if (!last) return;
    const points = rows.flatMap((row) => JSON.parse(row.body) as TelemetryPoint[]);
    try {
      await this.store.write(points);
    } catch (error) {
      if (isRetryable(error)) throw error;
      this.metrics.writeError(false);
      if (rows.length === 1) {
        this.inbox.deadLetter(last, String(error), this.now());
        this.metrics.deadLettered();
        this.logger.error({ err: String(error), deviceId: last.deviceId, inboxId: last.id }, 'telemetry store refused a message; dead-lettered');
        this.inbox.markForwarded(last.id);
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.writeRows(rows.slice(0, half));
      await this.writeRows(rows.slice(half));
      return;
    }
    this.inbox.markForwarded(last.id);
    this.metrics.written(points.length);
    const now = this.now();
    for (const row of rows) this.metrics.lag((now - row.receivedAt) / 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
