/**
 * Pure builders of the socket.io payloads from work-order snapshots: what a
 * provider console sees of an order (its own attempt only) and what the
 * district screen sees (no personal data: opaque ids, codes, enums).
 */
import {
  coarsenToCell,
  type AlertPendingPayload,
  type AlertSummary,
  type DistrictOrderUpdatePayload,
  type OfferPayload,
  type OrderUpdatePayload,
  type ResidentCard,
} from '../contracts/dispatch.contracts.js';
import type { PendingAlertEnd } from '../domain/dispatch/pending-alert.js';
import type { Attempt, Candidate, Transition, WorkOrderSnapshot, WorkOrderState } from '../domain/dispatch/work-order.schema.js';
import { maskName, maskPhone } from '../domain/residents/masking.js';
import type { Resident } from '../domain/residents/resident.js';

/** Fixed when the order opens; every offer of the order shows it. */
export interface OrderContext {
  readonly alert: AlertSummary;
  readonly resident: ResidentCard;
  readonly cell: { readonly lat: number; readonly lon: number } | null;
}

/** The card on an offer: masked (GB/T 35273 minimum necessity) until someone is assigned. */
/**
 * The resident card of an offer: masked for every console that is offered
 * the order; unmasked only for the staff who accepted it (see
 * DispatchService.residentCard), who has to find and call the family.
 */
export function maskedResidentCard(resident: Resident, home: { readonly lat: number; readonly lon: number; readonly address: string }, now: number): ResidentCard & { masked: true } {
  return { ...residentCard(resident, home, now, true), masked: true };
}

export function residentCard(resident: Resident, home: { readonly lat: number; readonly lon: number; readonly address: string }, now: number, masked: boolean): ResidentCard {
  const name = (s: string): string => (masked ? maskName(s) || '*' : s);
  const phone = (s: string): string => (masked ? maskPhone(s) || '*' : s);
  return {
    residentId: resident.id,
    masked,
    displayName: name(resident.displayName),
    age: Math.max(0, Math.min(130, new Date(now).getUTCFullYear() - resident.birthYear)),
    gender: resident.gender,
    capabilityLevel: resident.capabilityLevel,
    livingSituation: resident.livingSituation,
    conditions: [...resident.conditions],
    emergencyContacts: resident.emergencyContacts.slice(0, 8).map((c) => ({ relation: c.relation, name: name(c.name), phone: phone(c.phone) })),
    address: home.address.slice(0, 160) || '地址未登记',
    home: { lat: home.lat, lon: home.lon },
  };
}

export function cellOf(home: { readonly lat: number; readonly lon: number }): { lat: number; lon: number } {
  return coarsenToCell(home);
}

export function offerPayload(order: WorkOrderSnapshot, attempt: Attempt, context: OrderContext, cursor: number): OfferPayload {
  return {
    cursor,
    orderId: order.id,
    attempt: attempt.attempt,
    providerId: attempt.candidate.providerId,
    suggestedStaffId: attempt.candidate.staffId,
    service: attempt.candidate.service,
    alert: context.alert,
    resident: context.resident,
    reach: { distanceKm: attempt.candidate.distanceKm, travelMinutes: attempt.candidate.travelMinutes, travelMode: attempt.candidate.travelMode },
    reason: attempt.candidate.reason,
    instructions: [...order.instructions],
    sla: { acceptBy: Math.round(attempt.acceptBy), onSiteBy: Math.round(order.createdAt + order.sla.onSiteMs) },
    offeredAt: Math.round(attempt.offeredAt),
  };
}

/**
 * 待确认 on the console of the provider the plan puts first: what an offer
 * would show (alert, masked resident, why this provider), with the end of the
 * cancel window instead of an accept deadline.
 */
export function pendingAnnouncementPayload(
  alert: AlertSummary & { readonly alertId: string },
  confirmBy: number,
  candidate: Candidate,
  resident: ResidentCard & { readonly masked: true },
  cursor: number,
  at: number,
): AlertPendingPayload {
  return { cursor, alertId: alert.alertId, status: 'awaiting_confirmation', confirmBy: Math.round(confirmBy), alert, service: candidate.service, reason: candidate.reason, resident, at: Math.round(at) };
}

export function pendingEndPayload(alertId: string, status: PendingAlertEnd, note: string | null, cursor: number, at: number): AlertPendingPayload {
  return { cursor, alertId, status, note: note === null ? null : note.slice(0, 200), at: Math.round(at) };
}

function lastTransitionOf(order: WorkOrderSnapshot, attempt: number | null): Transition {
  const all = order.transitions;
  for (let i = all.length - 1; i >= 0; i--) {
    const t = all[i];
    if (t && (attempt === null || t.attempt === attempt)) return t;
  }
  return all[all.length - 1] as Transition;
}

/** How a provider whose attempt is over sees the order: the end of its attempt, not who has it now. */
function stateForEndedAttempt(a: Attempt, order: WorkOrderSnapshot): WorkOrderState {
  switch (a.outcome) {
    case 'declined':
      return 'declined';
    case 'timed_out':
    case 'redispatched':
      return 'timed_out';
    case 'withdrawn':
      return order.state === 'cancelled' || order.state === 'escalated' ? order.state : 'timed_out';
    case 'completed':
      return 'resolved';
    case 'pending':
    case 'accepted':
      return order.state;
  }
}

export function orderUpdatePayload(order: WorkOrderSnapshot, attempt: Attempt, cursor: number): OrderUpdatePayload {
  const current = order.attempts[order.attempts.length - 1];
  const isCurrent = current?.attempt === attempt.attempt;
  const t = isCurrent ? lastTransitionOf(order, null) : lastTransitionOf(order, attempt.attempt);
  const d = order.deadlines;
  return {
    cursor,
    orderId: order.id,
    attempt: attempt.attempt,
    state: isCurrent ? order.state : stateForEndedAttempt(attempt, order),
    attemptOutcome: attempt.outcome,
    by: t.by,
    at: Math.round(t.at),
    deadlines: isCurrent
      ? { acceptBy: d.acceptBy === null ? null : Math.round(d.acceptBy), onSiteBy: d.onSiteBy === null ? null : Math.round(d.onSiteBy), redispatchAt: d.redispatchAt === null ? null : Math.round(d.redispatchAt) }
      : { acceptBy: null, onSiteBy: null, redispatchAt: null },
    outcome: isCurrent ? order.outcome : null,
    notes: isCurrent ? order.notes : null,
    declineReason: attempt.declineReason,
  };
}

export function districtOrderUpdatePayload(order: WorkOrderSnapshot, cursor: number): DistrictOrderUpdatePayload {
  const current = order.attempts[order.attempts.length - 1];
  const holding = current !== undefined && (current.outcome === 'pending' || current.outcome === 'accepted' || current.outcome === 'completed');
  const t = lastTransitionOf(order, null);
  const by: DistrictOrderUpdatePayload['by'] =
    t.by.kind === 'staff' ? { kind: 'provider', providerId: t.by.providerId } : t.by.kind === 'duty_officer' ? { kind: 'duty_officer' } : { kind: 'system' };
  const d = order.deadlines;
  return {
    cursor,
    orderId: order.id,
    alertId: order.alertId,
    districtCode: order.districtCode,
    streetCode: order.streetCode,
    kind: order.reason,
    priority: order.priority,
    service: order.service,
    state: order.state,
    attempt: current?.attempt ?? 0,
    providerId: holding && current ? current.candidate.providerId : null,
    by,
    at: Math.round(t.at),
    deadlines: { acceptBy: d.acceptBy === null ? null : Math.round(d.acceptBy), onSiteBy: d.onSiteBy === null ? null : Math.round(d.onSiteBy), redispatchAt: d.redispatchAt === null ? null : Math.round(d.redispatchAt) },
    outcome: order.outcome,
    escalationReason: order.escalationReason,
    coverageGap: order.coverageGap,
    familyNotified: order.familyNotifiedAt !== null,
  };
}

/** The provider currently holding the order (pending or accepted attempt), if any. */
export function holderOf(order: WorkOrderSnapshot): string | null {
  const a = order.attempts[order.attempts.length - 1];
  if (a === undefined) return null;
  return a.outcome === 'pending' || a.outcome === 'accepted' || a.outcome === 'completed' ? a.candidate.providerId : null;
}
