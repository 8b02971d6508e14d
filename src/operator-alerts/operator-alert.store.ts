/**
 * The operator-alert sink the broker and the login throttles raise into:
 * every alert is counted, logged at warn and appended to SQL, where the
 * operator reads it (`GET /api/operator-alerts`). `raise` never throws and
 * never waits: the callers sit in the broker's CONNECT path and the login
 * path, which must not stall on a database write; a failed write is logged
 * and counted, and the log line still carries the whole alert.
 */
import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { OperatorAlert, OperatorAlertSink } from '../domain/operator-alerts/operator-alert.js';
import type { Logger } from '../observability/logger.js';
import type { OperatorAlertRepository } from './operator-alert.repository.js';

export class OperatorAlertStore implements OperatorAlertSink {
  private readonly raised: Counter<'kind'>;
  private readonly writeFailures: Counter;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly repository: OperatorAlertRepository,
    registry: Registry,
    private readonly logger: Logger,
    private readonly ids: () => string = randomUUID,
  ) {
    this.raised = new Counter({ name: 'anxin_operator_alerts_total', help: 'Operator alerts raised, by kind', labelNames: ['kind'], registers: [registry] });
    this.writeFailures = new Counter({ name: 'anxin_operator_alert_write_failures_total', help: 'Operator alerts that could not be stored (still logged)', registers: [registry] });
  }

  raise(alert: OperatorAlert): void {
    this.raised.inc({ kind: alert.kind });
    this.logger.warn({ kind: alert.kind, subject: alert.subject, raisedAt: alert.raisedAt, ...alert.detail }, 'operator alert');
    const write = this.repository.insert({ ...alert, id: this.ids() }).then(
      () => undefined,
      (error: unknown) => {
        this.writeFailures.inc();
        this.logger.error({ kind: alert.kind, subject: alert.subject, err: String(error) }, 'operator alert not stored');
      },
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Resolves once every alert raised so far is stored (or its failure logged); for shutdown and tests. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
