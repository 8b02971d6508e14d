/**
 * Prometheus metrics of the ingest path, served at /metrics. Names follow
 * Prometheus conventions (`_total` counters, base units).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REJECTION_REASONS, type RejectionReason, type UplinkChannel } from '../../devices/protocol.js';
import type { IngestMetrics } from '../ingest/ingest.service.js';
import type { ForwarderMetrics } from '../ingest/telemetry-forwarder.js';

export class PrometheusIngestMetrics implements IngestMetrics, ForwarderMetrics {
  private readonly acceptedTotal: Counter<'channel'>;
  private readonly rejectedTotal: Counter<'reason'>;
  private readonly duplicatesTotal: Counter;
  private readonly pointsWritten: Counter;
  private readonly writeErrors: Counter<'retryable'>;
  private readonly deadLetters: Counter;
  private readonly lagSeconds: Histogram;

  constructor(registry: Registry, backlog: () => number) {
    this.acceptedTotal = new Counter({ name: 'anxin_ingest_accepted_total', help: 'Uplink messages durably accepted, by channel', labelNames: ['channel'], registers: [registry] });
    this.rejectedTotal = new Counter({ name: 'anxin_ingest_rejected_total', help: 'Uplink messages rejected, by reason', labelNames: ['reason'], registers: [registry] });
    // Zero-initialise every reason so dashboards see the series before the first rejection.
    for (const reason of REJECTION_REASONS) this.rejectedTotal.inc({ reason }, 0);
    this.duplicatesTotal = new Counter({ name: 'anxin_ingest_duplicates_total', help: 'Redelivered or re-uploaded messages recognised and stored once', registers: [registry] });
    this.pointsWritten = new Counter({ name: 'anxin_telemetry_points_written_total', help: 'Points confirmed by the telemetry store', registers: [registry] });
    this.writeErrors = new Counter({ name: 'anxin_telemetry_write_errors_total', help: 'Failed telemetry store writes (retryable: outage; not retryable: refused point)', labelNames: ['retryable'], registers: [registry] });
    this.deadLetters = new Counter({ name: 'anxin_telemetry_dead_letters_total', help: 'Messages the telemetry store refused for good, set aside in the inbox', registers: [registry] });
    this.lagSeconds = new Histogram({
      name: 'anxin_ingest_lag_seconds',
      help: 'Server receipt to confirmed storage in the telemetry store',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300],
      registers: [registry],
    });
    new Gauge({
      name: 'anxin_ingest_backlog_messages',
      help: 'Messages committed to the durable inbox and not yet in the telemetry store',
      registers: [registry],
      collect() {
        this.set(backlog());
      },
    });
  }

  accepted(channel: UplinkChannel, messages: number): void {
    this.acceptedTotal.inc({ channel }, messages);
  }
  rejected(reason: RejectionReason): void {
    this.rejectedTotal.inc({ reason });
  }
  duplicates(messages: number): void {
    this.duplicatesTotal.inc(messages);
  }
  written(points: number): void {
    this.pointsWritten.inc(points);
  }
  lag(seconds: number): void {
    this.lagSeconds.observe(seconds);
  }
  writeError(retryable: boolean): void {
    this.writeErrors.inc({ retryable: String(retryable) });
  }
  deadLettered(): void {
    this.deadLetters.inc();
  }
}
