/**
 * Who may acknowledge (确认告警) or clear (解除告警) an alert from a provider
 * console: the staff of the provider that holds the work order the alert
 * was dispatched as, and nobody else on /dispatch. Pure (STYLE.md §2): the
 * console-alerts service asks, then acts.
 *
 * "Holds" means the provider took the order: its current attempt is this
 * provider's and was accepted (or completed by 结案, when the alert stayed
 * active because its condition still held). An offer is not theirs yet:
 * accepting it is how a provider takes the alert, and the offer may still
 * move to the next candidate. An attempt that moved on (declined, timed out,
 * re-dispatched, withdrawn) belongs to whoever has the order now, or to the
 * district duty officer.
 */
import type { WorkOrderSnapshot } from './work-order.schema.js';

export const CONSOLE_ALERT_REFUSALS = ['not_your_order', 'not_accepted', 'no_alert'] as const;
export type ConsoleAlertRefusal = (typeof CONSOLE_ALERT_REFUSALS)[number];

export type ConsoleAlertDecision = { readonly allowed: true; readonly alertId: string } | { readonly allowed: false; readonly reason: ConsoleAlertRefusal };

/**
 * @example
 * decideConsoleAlertCommand('prv-420103-minzu', order)
 * // → { allowed: true, alertId: 'al-9' } once minzu accepted the order,
 * //   { allowed: false, reason: 'not_your_order' } for every other provider
 */
export function decideConsoleAlertCommand(providerId: string | null, order: Pick<WorkOrderSnapshot, 'alertId' | 'attempts'>): ConsoleAlertDecision {
  const current = order.attempts[order.attempts.length - 1];
  // Ownership first: another provider learns nothing about the order (whether it has an alert, who accepted it).
  if (providerId === null || current === undefined || current.candidate.providerId !== providerId) return { allowed: false, reason: 'not_your_order' };
  switch (current.outcome) {
    case 'accepted':
    case 'completed':
      return order.alertId === null ? { allowed: false, reason: 'no_alert' } : { allowed: true, alertId: order.alertId };
    case 'pending':
      return { allowed: false, reason: 'not_accepted' };
    case 'declined':
    case 'timed_out':
    case 'redispatched':
    case 'withdrawn':
      return { allowed: false, reason: 'not_your_order' };
  }
}
