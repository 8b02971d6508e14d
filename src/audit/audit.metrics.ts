import { Counter, type Registry } from 'prom-client';
import type { AuditAction } from '../domain/audit/audit-entry.schema.js';

export interface AuditMetrics {
  recorded(action: AuditAction): void;
  writeFailed(): void;
}

export class PrometheusAuditMetrics implements AuditMetrics {
  private readonly entries: Counter<'action'>;
  private readonly failures: Counter;

  constructor(registry: Registry) {
    this.entries = new Counter({ name: 'anxin_audit_entries_total', help: 'Audit entries written, by action', labelNames: ['action'], registers: [registry] });
    this.failures = new Counter({
      name: 'anxin_audit_write_failures_total',
      help: 'Audit entries that could not be written (a read is then refused with 503; a change is logged)',
      registers: [registry],
    });
  }

  recorded(action: AuditAction): void {
    this.entries.inc({ action });
  }

  writeFailed(): void {
    this.failures.inc();
  }
}
