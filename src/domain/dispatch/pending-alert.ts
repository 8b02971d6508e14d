/**
 * 待确认 on a provider console (issue 11, point 6). A fall seen by one device
 * waits out its cancel window before anyone is paged (isDispatchable), so a
 * caregiver is not paged and un-paged within seconds. Meanwhile the provider
 * dispatch would offer it to is told it is coming (nothing to accept yet, no
 * sound), and then how the wait ended. Pure (STYLE.md §2): dispatch asks what
 * to tell after every change of an alert, then writes it.
 */
import { z } from 'zod';
import type { Alert } from '../alerts/alert.schema.js';

/**
 * - `awaiting_confirmation`: in the cancel window, shown with a countdown;
 * - `confirmed`: the window ended with nobody up, a second device saw the
 *   fall, or the resident pressed SOS: the normal offer follows the rules of
 *   dispatch (usually to the same provider);
 * - `self_recovered`: the resident got up or pressed im_ok inside the window
 *   (downgraded): a P2 welfare call is offered instead;
 * - `cleared`: a person cleared the alert before it was confirmed.
 */
export const PENDING_ALERT_STATUSES = ['awaiting_confirmation', 'confirmed', 'self_recovered', 'cleared'] as const;
export const pendingAlertStatusSchema = z.enum(PENDING_ALERT_STATUSES);
export type PendingAlertStatus = z.infer<typeof pendingAlertStatusSchema>;
export type PendingAlertEnd = Exclude<PendingAlertStatus, 'awaiting_confirmation'>;

type PendingFacts = Pick<Alert, 'state' | 'awaitingConfirmationUntil' | 'heldForCatchUp' | 'downgraded'>;

/**
 * Whether the alert is 待确认: an active alert waiting for confirmation. One
 * raised from a home's backlog is history being uploaded, not something about
 * to be paged, so it is never announced.
 */
export function isAwaitingConfirmation(alert: PendingFacts): boolean {
  return alert.state === 'active' && alert.awaitingConfirmationUntil !== null && !alert.heldForCatchUp;
}

/**
 * What a console is to be told after a change of the alert, or null for
 * nothing. `announced`: a console was told the alert is 待确认 and has not yet
 * heard how that ended. Depends on the alert's state only, not on which
 * change led there, so a change seen twice (a second report of the same fall
 * within the window) tells nothing twice.
 *
 * @example
 * nextPendingNotice({ state: 'active', awaitingConfirmationUntil: t0 + 30_000, heldForCatchUp: false, downgraded: false }, false)
 * // 'awaiting_confirmation'
 * nextPendingNotice({ state: 'active', awaitingConfirmationUntil: null, heldForCatchUp: false, downgraded: true }, true)
 * // 'self_recovered'
 */
export function nextPendingNotice(alert: PendingFacts, announced: boolean): PendingAlertStatus | null {
  const awaiting = isAwaitingConfirmation(alert);
  if (!announced) return awaiting ? 'awaiting_confirmation' : null;
  if (awaiting) return null;
  if (alert.state === 'cleared') return 'cleared';
  return alert.downgraded ? 'self_recovered' : 'confirmed';
}
