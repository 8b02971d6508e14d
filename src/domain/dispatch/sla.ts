/**
 * SLA timers and the dispatch engine. Timers are data: deadlines live on the
 * work order (acceptBy, onSiteBy, redispatchAt), so a restarted backend that
 * loads its open orders and calls `tick(orders, now)` fires exactly what was
 * due, on time. The engine returns actions for the I/O edge (emit the offer,
 * tell the duty officer, notify the family through the outbox); it never
 * sends anything itself. Persist the new snapshot and the actions together.
 */
import type { Priority } from '../alerts/alert.schema.js';
import { WorkOrder, type OpenWorkOrderInput } from './work-order.js';
import {
  SYSTEM_ACTOR,
  type Actor,
  type Candidate,
  type EscalationReason,
  type ResolutionOutcome,
  type SlaTimes,
  type WorkOrderSnapshot,
} from './work-order.schema.js';

export type SlaConfig = Readonly<Record<Priority, SlaTimes>>;

/**
 * P1 as social-alarm centres run it (EN 50134-7 practice, Xiamen 邻安康):
 * answer within 60 s, someone on site within 15 min, re-dispatch when nobody
 * has arrived 30 min after acceptance. P2 within the shift, P3 next day.
 */
export const DEFAULT_SLA: SlaConfig = {
  P1: { acceptMs: 60_000, onSiteMs: 15 * 60_000, redispatchAfterMs: 30 * 60_000 },
  P2: { acceptMs: 5 * 60_000, onSiteMs: 60 * 60_000, redispatchAfterMs: null },
  P3: { acceptMs: 30 * 60_000, onSiteMs: 24 * 60 * 60_000, redispatchAfterMs: null },
};

export type DispatchAction =
  | {
      readonly type: 'offer_next_candidate';
      readonly orderId: string;
      readonly attempt: number;
      readonly candidate: Candidate;
      readonly acceptBy: number;
      /** Why this offer: the first one, or what ended the previous attempt. */
      readonly cause: 'opened' | 'declined' | 'accept_timeout' | 'redispatch';
    }
  | {
      /** Tell the provider that held `attempt` that it no longer has the order. */
      readonly type: 'withdraw_offer';
      readonly orderId: string;
      readonly attempt: number;
      readonly providerId: string;
      readonly cause: 'accept_timeout' | 'redispatch' | 'cancelled' | 'escalated';
    }
  | { readonly type: 'redispatch'; readonly orderId: string; readonly fromAttempt: number; readonly providerId: string }
  | { readonly type: 'escalate_to_duty_officer'; readonly orderId: string; readonly reason: EscalationReason }
  | { readonly type: 'notify_family'; readonly orderId: string; readonly residentId: string | null; readonly reason: EscalationReason };

/** Pure: what is due on this order at `now`, without changing it. */
export function dueActions(order: WorkOrderSnapshot, now: number): DispatchAction[] {
  return step(WorkOrder.restore(order), now);
}

export interface EngineResult {
  readonly order: WorkOrderSnapshot;
  readonly actions: readonly DispatchAction[];
}

/** Applies what is due and returns the actions (mutates `order`). */
function step(order: WorkOrder, now: number): DispatchAction[] {
  const s = order.snapshot();
  const actions: DispatchAction[] = [];
  const current = order.currentAttempt();
  if (s.state === 'offered' && s.deadlines.acceptBy !== null && now >= s.deadlines.acceptBy && current) {
    order.timeOutOffer(now);
    actions.push({ type: 'withdraw_offer', orderId: s.id, attempt: current.attempt, providerId: current.candidate.providerId, cause: 'accept_timeout' });
    actions.push(...moveOn(order, now, 'accept_timeout'));
  } else if ((s.state === 'accepted' || s.state === 'en_route') && s.deadlines.redispatchAt !== null && now >= s.deadlines.redispatchAt && current) {
    order.abandonForRedispatch(now);
    actions.push({ type: 'redispatch', orderId: s.id, fromAttempt: current.attempt, providerId: current.candidate.providerId });
    actions.push({ type: 'withdraw_offer', orderId: s.id, attempt: current.attempt, providerId: current.candidate.providerId, cause: 'redispatch' });
    actions.push(...moveOn(order, now, 'redispatch'));
  } else if (s.state === 'declined' || s.state === 'timed_out') {
    // A resting state left by a crash between two steps: continue.
    actions.push(...moveOn(order, now, s.state === 'declined' ? 'declined' : 'accept_timeout'));
  } else if (s.state === 'escalated' && s.priority === 'P1' && s.familyNotifiedAt === null) {
    order.markFamilyNotified(now);
    actions.push({ type: 'notify_family', orderId: s.id, residentId: s.residentId, reason: s.escalationReason ?? 'candidates_exhausted' });
  }
  return actions;
}

/** After an attempt ended: offer the next candidate, or escalate (and, for P1, notify the family). */
function moveOn(order: WorkOrder, now: number, cause: 'declined' | 'accept_timeout' | 'redispatch'): DispatchAction[] {
  const next = order.nextCandidate();
  if (next !== null) {
    const a = order.offerNext(now);
    return [{ type: 'offer_next_candidate', orderId: order.id, attempt: a.attempt, candidate: a.candidate, acceptBy: a.acceptBy, cause }];
  }
  order.escalate('candidates_exhausted', SYSTEM_ACTOR, now, '候选机构均未接单');
  return escalationActions(order, now, 'candidates_exhausted');
}

function escalationActions(order: WorkOrder, now: number, reason: EscalationReason): DispatchAction[] {
  const s = order.snapshot();
  const actions: DispatchAction[] = [{ type: 'escalate_to_duty_officer', orderId: s.id, reason }];
  if (s.priority === 'P1' && s.familyNotifiedAt === null) {
    order.markFamilyNotified(now);
    actions.push({ type: 'notify_family', orderId: s.id, residentId: s.residentId, reason });
  }
  return actions;
}

type Staff = Extract<Actor, { kind: 'staff' }>;

/**
 * The dispatch engine: opens orders, applies console commands and alert
 * events, and on `tick` fires due timers. Every method takes the snapshot and
 * returns the next snapshot with the actions to carry out.
 */
export class DispatchEngine {
  constructor(private readonly sla: SlaConfig = DEFAULT_SLA) {}

  slaFor(priority: Priority): SlaTimes {
    return this.sla[priority];
  }

  /** Opens an order for a planned dispatch: the first offer, or a coverage-gap escalation. */
  open(input: Omit<OpenWorkOrderInput, 'sla'>): EngineResult {
    const order = WorkOrder.open({ ...input, sla: this.sla[input.priority] });
    const s = order.snapshot();
    const a = order.currentAttempt();
    if (a !== null) {
      return { order: s, actions: [{ type: 'offer_next_candidate', orderId: s.id, attempt: a.attempt, candidate: a.candidate, acceptBy: a.acceptBy, cause: 'opened' }] };
    }
    const actions = escalationActions(order, Math.max(input.createdAt, input.offeredAt ?? input.createdAt), 'coverage_gap');
    return { order: order.snapshot(), actions };
  }

  /** Fires every due timer on these orders; returns only the orders that changed. */
  tick(orders: readonly WorkOrderSnapshot[], now: number): { readonly changed: readonly WorkOrderSnapshot[]; readonly actions: readonly DispatchAction[] } {
    const changed: WorkOrderSnapshot[] = [];
    const actions: DispatchAction[] = [];
    for (const snapshot of orders) {
      const order = WorkOrder.restore(snapshot);
      const due = step(order, now);
      if (due.length > 0) {
        changed.push(order.snapshot());
        actions.push(...due);
      }
    }
    return { changed, actions };
  }

  /** When the scheduler should next call `tick` (the earliest deadline), or null. */
  nextDeadline(orders: readonly WorkOrderSnapshot[]): number | null {
    let next: number | null = null;
    for (const o of orders) {
      const d = o.state === 'offered' ? o.deadlines.acceptBy : o.state === 'accepted' || o.state === 'en_route' ? o.deadlines.redispatchAt : null;
      if (d !== null && (next === null || d < next)) next = d;
    }
    return next;
  }

  acknowledge(snapshot: WorkOrderSnapshot, attempt: number, providerId: string, now: number): EngineResult {
    return this.run(snapshot, (o) => {
      o.acknowledgeDelivery(attempt, providerId, now);
      return [];
    });
  }

  accept(snapshot: WorkOrderSnapshot, attempt: number, by: Staff, now: number): EngineResult {
    return this.run(snapshot, (o) => {
      o.accept(attempt, by, now);
      return [];
    });
  }

  /** A decline moves straight to the next candidate (or escalates). */
  decline(snapshot: WorkOrderSnapshot, attempt: number, by: Staff, reason: string, now: number): EngineResult {
    return this.run(snapshot, (o) => {
      o.decline(attempt, by, reason, now);
      return moveOn(o, now, 'declined');
    });
  }

  enRoute(snapshot: WorkOrderSnapshot, by: Actor, now: number): EngineResult {
    return this.run(snapshot, (o) => {
      o.markEnRoute(by, now);
      return [];
    });
  }

  onSite(snapshot: WorkOrderSnapshot, by: Actor, now: number): EngineResult {
    return this.run(snapshot, (o) => {
      o.markOnSite(by, now);
      return [];
    });
  }

  resolve(snapshot: WorkOrderSnapshot, outcome: ResolutionOutcome, notes: string, by: Actor, now: number): EngineResult {
    return this.run(snapshot, (o) => {
      o.resolve(outcome, notes, by, now);
      return [];
    });
  }

  /**
   * The alert cleared or was downgraded. Before acceptance the order is
   * cancelled and the live offer withdrawn; once someone accepted, they still
   * go and close it with an outcome (nobody is recalled from a fall on the
   * word of a sensor), so nothing changes.
   */
  alertCleared(snapshot: WorkOrderSnapshot, by: Actor, now: number, note: string | null = null): EngineResult {
    return this.run(snapshot, (o) => {
      const s = o.snapshot();
      if (s.state !== 'offered' && s.state !== 'declined' && s.state !== 'timed_out' && s.state !== 'escalated') return [];
      const a = o.currentAttempt();
      o.cancel(by, now, note);
      return s.state === 'offered' && a !== null
        ? [{ type: 'withdraw_offer', orderId: s.id, attempt: a.attempt, providerId: a.candidate.providerId, cause: 'cancelled' }]
        : [];
    });
  }

  private run(snapshot: WorkOrderSnapshot, f: (o: WorkOrder) => DispatchAction[]): EngineResult {
    const order = WorkOrder.restore(snapshot);
    const actions = f(order);
    return { order: order.snapshot(), actions };
  }
}
