/**
 * Writes repeated log events as one line per key per interval, with a count
 * (the timer around the pure `LogAggregation`). For refusals and connection
 * errors that anyone on the network can trigger at will: MQTT refusals, MQTT
 * connection errors, socket.io handshake refusals.
 *
 * @example
 * const refusals = new AggregatedLog(logger, { message: 'mqtt refused', keyField: 'reason', intervalMs: 60_000 });
 * refusals.record('bad_credentials', { address: '10.0.0.7' });
 * // within a minute, once: {"reason":"bad_credentials","count":1312,"intervalMs":60000,"address":"10.0.0.7",…} mqtt refused
 * refusals.close(); // flushes what is pending
 */
import { LogAggregation } from './log-aggregation.js';

export interface AggregatedLogOptions {
  /** The message of every line. */
  readonly message: string;
  /** Field name of the key in each line, e.g. 'reason'. */
  readonly keyField: string;
  readonly intervalMs: number;
  readonly level?: 'info' | 'warn';
  /** Distinct keys per interval before they are counted as 'other' (default 32). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/** The part of a logger this needs (pino's call shape). */
export interface AggregatedLogTarget {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export class AggregatedLog {
  private readonly aggregation: LogAggregation<object>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: AggregatedLogTarget,
    private readonly options: AggregatedLogOptions,
  ) {
    this.aggregation = new LogAggregation(options.maxKeys ?? 32);
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.flush(), options.intervalMs);
    this.timer.unref();
  }

  /** Counts one event; `context` of the first one in the interval is written as the example. */
  record(key: string, context: object = {}): void {
    this.aggregation.record(key, context, this.now());
  }

  /** Writes one line per key counted since the last flush. */
  flush(): void {
    const level = this.options.level ?? 'warn';
    for (const entry of this.aggregation.drain()) {
      this.logger[level](
        { ...entry.sample, [this.options.keyField]: entry.key, count: entry.count, firstAt: entry.firstAt, lastAt: entry.lastAt, intervalMs: this.options.intervalMs },
        this.options.message,
      );
    }
  }

  /** Stops the timer and writes what is pending. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
