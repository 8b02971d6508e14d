/** Dispatch counters for /metrics (prom-client), behind one class. */
import { Counter, type Registry } from 'prom-client';

export interface DispatchMetrics {
  opened(priority: string): void;
  coverageGap(districtCode: string): void;
  escalated(reason: string): void;
  acked(): void;
  resent(): void;
  notification(channel: string, outcome: string): void;
  /** An alert no work order could be opened for: nobody to send (home_without_resident, device_unbound, unknown_resident). */
  notDispatched(reason: string): void;
  /** A console's 确认告警 / 解除告警 refused: `command` alert:acknowledge or alert:clear, `reason` the error code. */
  alertCommandRefused(command: string, reason: string): void;
}

export class PrometheusDispatchMetrics implements DispatchMetrics {
  private readonly openedTotal: Counter<'priority'>;
  private readonly gaps: Counter<'district'>;
  private readonly escalations: Counter<'reason'>;
  private readonly acks: Counter;
  private readonly resends: Counter;
  private readonly notifications: Counter<'channel' | 'outcome'>;
  private readonly undispatched: Counter<'reason'>;
  private readonly alertRefusals: Counter<'command' | 'reason'>;

  constructor(registry: Registry) {
    this.openedTotal = new Counter({ name: 'anxin_dispatch_orders_opened_total', help: 'Work orders opened, by priority', labelNames: ['priority'], registers: [registry] });
    this.gaps = new Counter({ name: 'anxin_dispatch_coverage_gaps_total', help: 'Alerts nobody could reach within 15 minutes', labelNames: ['district'], registers: [registry] });
    this.escalations = new Counter({ name: 'anxin_dispatch_escalations_total', help: 'Orders handed to the district duty officer', labelNames: ['reason'], registers: [registry] });
    this.acks = new Counter({ name: 'anxin_dispatch_offers_acked_total', help: 'Offers acknowledged by a console', registers: [registry] });
    this.resends = new Counter({ name: 'anxin_dispatch_offers_resent_total', help: 'Unacknowledged offers re-sent', registers: [registry] });
    this.notifications = new Counter({ name: 'anxin_dispatch_notifications_total', help: 'Webhook notifications by outcome', labelNames: ['channel', 'outcome'], registers: [registry] });
    this.undispatched = new Counter({
      name: 'anxin_dispatch_alerts_not_dispatched_total',
      help: 'Alerts with nobody to dispatch to (a registry gap for an operator), by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.alertRefusals = new Counter({
      name: 'anxin_dispatch_alert_commands_refused_total',
      help: "Consoles' alert acknowledge / clear commands refused, by command and reason (not_your_order: another provider's order)",
      labelNames: ['command', 'reason'],
      registers: [registry],
    });
  }

  opened(priority: string): void {
    this.openedTotal.inc({ priority });
  }
  coverageGap(districtCode: string): void {
    this.gaps.inc({ district: districtCode });
  }
  escalated(reason: string): void {
    this.escalations.inc({ reason });
  }
  acked(): void {
    this.acks.inc();
  }
  resent(): void {
    this.resends.inc();
  }
  notification(channel: string, outcome: string): void {
    this.notifications.inc({ channel, outcome });
  }
  notDispatched(reason: string): void {
    this.undispatched.inc({ reason });
  }
  alertCommandRefused(command: string, reason: string): void {
    this.alertRefusals.inc({ command, reason });
  }
}
