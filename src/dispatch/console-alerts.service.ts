/**
 * 确认告警 / 解除告警 from a provider console: the alert of a work order the
 * console's provider holds, and only such alerts (domain/dispatch/
 * console-alert-policy.ts decides). The alert lifecycle itself stays the
 * alerting service's: this checks who asks, hands the command over as the
 * staff member, and answers.
 *
 * Accountability: every refusal is counted
 * (`anxin_dispatch_alert_commands_refused_total{command,reason}`) and logged
 * with the account; every acknowledgement and clear is appended to the audit
 * trail (`alert.acknowledge`, `alert.clear`) after it took effect, with the
 * order as its purpose. Refusals write no trail entry, as for every route
 * (the trail records what was done, the metrics what was refused).
 *
 * The order keeps its own lifecycle when its alert is cleared here. Clearing
 * says the emergency is over; the order says what the provider did about it,
 * and a caregiver who cleared an SOS on the phone still has to record 到达 or
 * 结案 with the outcome (the district's KPIs and the false-alarm share are
 * counted from orders). Dispatch only withdraws orders nobody took yet when
 * an alert ends (DispatchEngine.alertCleared), and an order this command may
 * touch has been taken, so nothing here changes it.
 */
import { AlertCommandError } from '../domain/alerts/alert-book.js';
import type { Alert } from '../domain/alerts/alert.schema.js';
import type { Principal } from '../domain/access/principal.js';
import { decideConsoleAlertCommand } from '../domain/dispatch/console-alert-policy.js';
import type { AlertCommandResult } from '../contracts/dispatch.contracts.js';
import type { AuditTrail } from '../audit/audit-trail.service.js';
import type { Logger } from '../observability/logger.js';
import { DispatchError, type DispatchErrorCode } from './dispatch.service.js';
import type { DispatchMetrics } from './dispatch.metrics.js';
import type { WorkOrderRepository } from './work-order.repository.js';

export type ConsoleAlertCommand = 'alert:acknowledge' | 'alert:clear';

/** What the alerting service offers a person (AlertingService). */
export interface AlertCommandsPort {
  acknowledge(alertId: string, who: string): Promise<Alert>;
  clear(alertId: string, who: string, note: string): Promise<Alert>;
}

export interface ConsoleAlertsDeps {
  readonly orders: Pick<WorkOrderRepository, 'get'>;
  readonly alerts: AlertCommandsPort;
  readonly audit: Pick<AuditTrail, 'record'>;
  readonly metrics: Pick<DispatchMetrics, 'alertCommandRefused'>;
  readonly logger: Logger;
}

export type AlertView = Extract<AlertCommandResult, { ok: true }>['alert'];

const MESSAGES: Partial<Record<DispatchErrorCode, string>> = {
  not_your_order: 'this order is not held by your provider',
  not_accepted: 'accept the order before acknowledging or clearing its alert',
  no_alert: 'this order answers no alert',
  already_cleared: 'the alert is already cleared',
};

export class ConsoleAlertsService {
  constructor(private readonly deps: ConsoleAlertsDeps) {}

  /** 确认告警. Idempotent, like the alert book's acknowledge. */
  acknowledge(principal: Principal, orderId: string, address: string | null): Promise<AlertView> {
    return this.run('alert:acknowledge', principal, orderId, address, (alertId, who) => this.deps.alerts.acknowledge(alertId, who));
  }

  /** 解除告警 with the person's note; the note is the alert's clear note. */
  clear(principal: Principal, orderId: string, note: string, address: string | null): Promise<AlertView> {
    return this.run('alert:clear', principal, orderId, address, (alertId, who) => this.deps.alerts.clear(alertId, who, note));
  }

  /** A command the contract's schema refused: counted like every other refusal. */
  refusedPayload(command: ConsoleAlertCommand, principal: Principal, message: string): DispatchError {
    return this.refuse(command, principal, null, 'invalid_payload', message.slice(0, 500));
  }

  /**
   * Refuses or runs one command, then records it. Who acts on the alert is
   * the staff member (as on the order's transitions and in 结案's clear);
   * the audit entry names the account behind it.
   */
  private async run(command: ConsoleAlertCommand, principal: Principal, orderId: string, address: string | null, act: (alertId: string, who: string) => Promise<Alert>): Promise<AlertView> {
    const order = await this.deps.orders.get(orderId);
    if (!order) throw this.refuse(command, principal, orderId, 'not_found', `work order ${orderId} not found`);
    const decision = decideConsoleAlertCommand(principal.scope.providerId, order);
    if (!decision.allowed) throw this.refuse(command, principal, orderId, decision.reason);
    let alert: Alert;
    try {
      alert = await act(decision.alertId, principal.scope.staffId ?? principal.accountId);
    } catch (error) {
      if (error instanceof AlertCommandError) throw this.refuse(command, principal, orderId, error.code === 'already_cleared' ? 'already_cleared' : 'not_found', error.message);
      throw error;
    }
    // A change that took effect: the trail logs and counts its own failure, the answer stands.
    await this.deps.audit.record(command === 'alert:clear' ? 'alert.clear' : 'alert.acknowledge', { principal, address }, {
      targetKind: 'alert',
      targetId: alert.id,
      residentId: order.residentId,
      districtCode: order.districtCode,
      purpose: order.id,
      detail: { kind: alert.kind, orderId: order.id },
    });
    return { alertId: alert.id, orderId: order.id, kind: alert.kind, state: alert.state, acknowledged: alert.acknowledged, clearNote: alert.clearNote === null ? null : alert.clearNote.slice(0, 500) };
  }

  private refuse(command: ConsoleAlertCommand, principal: Principal, orderId: string | null, code: DispatchErrorCode, message?: string): DispatchError {
    this.deps.metrics.alertCommandRefused(command, code);
    this.deps.logger.warn({ command, reason: code, orderId, account: principal.accountId, providerId: principal.scope.providerId }, 'console alert command refused');
    return new DispatchError(code, message ?? MESSAGES[code] ?? code);
  }
}
