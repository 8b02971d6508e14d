/** Prometheus metrics of the alerting adapter (rule errors, alert changes, persistence). */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AlertChange } from '../domain/alerts/alert.schema.js';

export type AlertingStage = 'evaluate' | 'tick' | 'persist' | 'snapshot' | 'restore' | 'context';

export interface AlertingMetrics {
  error(stage: AlertingStage): void;
  changes(changes: readonly AlertChange[]): void;
  persisted(changes: number, seconds: number): void;
}

export const noopAlertingMetrics: AlertingMetrics = { error: () => undefined, changes: () => undefined, persisted: () => undefined };

export class PrometheusAlertingMetrics implements AlertingMetrics {
  private readonly errors: Counter<'stage'>;
  private readonly changeCounter: Counter<'type' | 'kind'>;
  private readonly persist: Histogram;

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
}
