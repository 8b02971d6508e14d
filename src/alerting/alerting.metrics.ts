/** Prometheus metrics of the alerting adapter (rule errors, alert changes, persistence). */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AlertChange } from '../domain/alerts/alert.schema.js';
import type { ReplaySkipReason } from '../domain/rules/rule-replay.js';

export type AlertingStage = 'evaluate' | 'tick' | 'persist' | 'snapshot' | 'restore' | 'context';

export interface AlertingMetrics {
  error(stage: AlertingStage): void;
  changes(changes: readonly AlertChange[]): void;
  persisted(changes: number, seconds: number): void;
  /** Accepted messages the start-up replay could not feed to the rules, by reason. */
  replaySkipped(counts: Readonly<Record<ReplaySkipReason, number>>): void;
}

export const noopAlertingMetrics: AlertingMetrics = { error: () => undefined, changes: () => undefined, persisted: () => undefined, replaySkipped: () => undefined };

export class PrometheusAlertingMetrics implements AlertingMetrics {
  private readonly errors: Counter<'stage'>;
  private readonly changeCounter: Counter<'type' | 'kind'>;
  private readonly persist: Histogram;
  private readonly skipped: Counter<'reason'>;

  constructor(registry: Registry) {
    this.errors = new Counter({
      name: 'anxin_rules_errors_total',
      help: 'Errors in rule evaluation or alert persistence, by stage; ingest is never affected',
      labelNames: ['stage'],
      registers: [registry],
    });
    this.changeCounter = new Counter({ name: 'anxin_alert_changes_total', help: 'Alert changes emitted by the rule engine and by people', labelNames: ['type', 'kind'], registers: [registry] });
    this.persist = new Histogram({
      name: 'anxin_alert_persist_seconds',
      help: 'Time to commit one batch of alert changes',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    });
    this.skipped = new Counter({
      name: 'anxin_rules_replay_skipped_total',
      help: 'Accepted messages the start-up replay could not feed to the rules (not_recorded: accepted before the inbox kept them; unreadable)',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  error(stage: AlertingStage): void {
    this.errors.inc({ stage });
  }

  changes(changes: readonly AlertChange[]): void {
    for (const c of changes) this.changeCounter.inc({ type: c.type, kind: c.alert.kind });
  }

  persisted(_changes: number, seconds: number): void {
    this.persist.observe(seconds);
  }

  replaySkipped(counts: Readonly<Record<ReplaySkipReason, number>>): void {
    for (const [reason, n] of Object.entries(counts)) if (n > 0) this.skipped.inc({ reason }, n);
  }
}
