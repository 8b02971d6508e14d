/**
 * Family and duty-officer notifications over HTTP webhooks, from a durable
 * outbox in SQL (the log is not a transport). A notification is enqueued in
 * the same transaction as the order change that caused it; this loop POSTs
 * due rows, retries with exponential backoff (jittered) on network errors,
 * timeouts, 408, 429 and 5xx, and gives up on other 4xx. Each row carries an
 * `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header),
 * so a retry after a lost response is delivered once by the receiver.
 */
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../platform.tokens.js';
import type { DispatchConfig } from './dispatch.config.js';
import type { NotificationRow, WorkOrderRepository } from './work-order.repository.js';

export class WebhookNotifier {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly repo: WorkOrderRepository,
    private readonly config: DispatchConfig['notify'],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onOutcome: (channel: NotificationRow['channel'], outcome: 'delivered' | 'retry' | 'failed') => void = () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Sends whatever is due now (call after enqueueing). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.logger.error({ err: String(error) }, 'notification outbox drain failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else void this.scheduleNext();
      });
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const next = await this.repo.nextNotificationAt();
    if (this.timer) clearTimeout(this.timer);
    // Poll at least every 5 s so a clock jump never strands a row.
    const delay = next === null ? 5_000 : Math.min(5_000, Math.max(0, next - this.clock()));
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = await this.repo.dueNotifications(this.clock());
      if (due.length === 0 || this.stopped) return;
      await Promise.all(due.map((row) => this.deliver(row)));
    }
  }

  private urlFor(channel: NotificationRow['channel']): string | undefined {
    return channel === 'family' ? this.config.familyUrl : this.config.dutyUrl;
  }

  private async deliver(row: NotificationRow): Promise<void> {
    const url = this.urlFor(row.channel);
    if (url === undefined) {
      // Kept for when a webhook is configured; not retried until then.
      await this.repo.notificationFailed(row.id, `no ${row.channel} webhook configured`, null);
      this.onOutcome(row.channel, 'failed');
      return;
    }
    let error: string;
    let retry: boolean;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': row.idempotencyKey, 'x-anxin-attempt': String(row.attempts + 1) },
        body: JSON.stringify(row.payload),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        await this.repo.notificationDelivered(row.id, this.clock());
        this.onOutcome(row.channel, 'delivered');
        return;
      }
      error = `HTTP ${res.status}`;
      retry = res.status >= 500 || res.status === 408 || res.status === 429;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      retry = true;
    }
    const attempts = row.attempts + 1;
    const giveUp = !retry || attempts >= this.config.maxAttempts;
    const backoff = Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4);
    await this.repo.notificationFailed(row.id, error, giveUp ? null : this.clock() + Math.round(backoff));
    this.onOutcome(row.channel, giveUp ? 'failed' : 'retry');
    this.logger.warn({ notification: row.id, channel: row.channel, attempts, error, giveUp }, 'webhook notification not delivered');
  }
}
