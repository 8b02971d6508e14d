/**
 * The work-order lifecycle as a pure state machine over plain data:
 * offered → accepted → en_route → on_site → resolved, with declined and
 * timed_out paths (the next candidate gets a new attempt on the same order),
 * escalated (district duty officer) and cancelled (alert cleared before
 * anyone accepted). Every transition records who and when; an illegal one
 * throws a typed `WorkOrderError`. At most one attempt is ever `pending`.
 */
import type { Priority } from '../alerts/alert.schema.js';
import type { ServiceType } from './provider.schema.js';
import {
  SYSTEM_ACTOR,
  workOrderSnapshotSchema,
  type Actor,
  type Attempt,
  type Candidate,
  type DispatchReason,
  type EscalationReason,
  type ResolutionOutcome,
  type SlaTimes,
  type WorkOrderSnapshot,
  type WorkOrderState,
} from './work-order.schema.js';

export type WorkOrderErrorCode = 'illegal_transition' | 'stale_attempt' | 'wrong_provider' | 'no_candidate';

export class WorkOrderError extends Error {
  constructor(
    readonly code: WorkOrderErrorCode,
    readonly orderId: string,
    readonly state: WorkOrderState,
    detail: string,
  ) {
    super(`work order ${orderId} (${state}): ${code}: ${detail}`);
    this.name = 'WorkOrderError';
  }
}

/** Which state may follow which. Terminal: resolved, cancelled. */
export const TRANSITIONS: Readonly<Record<WorkOrderState, readonly WorkOrderState[]>> = {
  offered: ['accepted', 'declined', 'timed_out', 'escalated', 'cancelled'],
  declined: ['offered', 'escalated', 'cancelled'],
  timed_out: ['offered', 'escalated', 'cancelled'],
  // Accepted may skip en_route (a caregiver already in the building).
  accepted: ['en_route', 'on_site', 'timed_out'],
  en_route: ['on_site', 'timed_out'],
  on_site: ['resolved'],
  // The duty officer may offer it again by hand, close it, or cancel it.
  escalated: ['offered', 'resolved', 'cancelled'],
  resolved: [],
  cancelled: [],
};

export function canTransition(from: WorkOrderState, to: WorkOrderState): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface OpenWorkOrderInput {
  readonly id: string;
  readonly alertId: string | null;
  readonly residentId: string | null;
  readonly districtCode: string;
  readonly streetCode: string;
  readonly reason: DispatchReason;
  readonly service: ServiceType;
  readonly priority: Priority;
  readonly instructions: readonly string[];
  readonly candidates: readonly Candidate[];
  readonly sla: SlaTimes;
  /** Alert raise time: the SLA clock starts here. */
  readonly createdAt: number;
  /**
   * When the first offer goes out; createdAt when omitted. Later for an alert
   * that waited (a fall confirmed at the end of its cancel window, an alert
   * re-graded hours after it was raised): the on-site clock still runs from
   * the raise, but the first provider gets its whole accept time.
   */
  readonly offeredAt?: number;
}

export class WorkOrder {
  private constructor(private data: WorkOrderSnapshot) {}

  /**
   * Opens an order and offers it to the first candidate; with no candidate
   * it is escalated at once as a coverage gap.
   */
  static open(input: OpenWorkOrderInput): WorkOrder {
    const at = input.createdAt;
    const order = new WorkOrder({
      id: input.id,
      alertId: input.alertId,
      residentId: input.residentId,
      districtCode: input.districtCode,
      streetCode: input.streetCode,
      reason: input.reason,
      service: input.service,
      priority: input.priority,
      instructions: [...input.instructions],
      sla: { ...input.sla },
      createdAt: at,
      state: 'offered',
      candidates: input.candidates.map((c) => ({ ...c })),
      attempts: [],
      deadlines: { acceptBy: null, onSiteBy: at + input.sla.onSiteMs, redispatchAt: null },
      transitions: [{ from: null, to: 'offered', at, by: SYSTEM_ACTOR, attempt: null, note: null }],
      firstAcceptedAt: null,
      onSiteAt: null,
      resolvedAt: null,
      outcome: null,
      notes: null,
      coverageGap: input.candidates.length === 0,
      escalatedAt: null,
      escalationReason: null,
      familyNotifiedAt: null,
      revision: 0,
    });
    const first = input.candidates[0];
    const offerAt = Math.max(at, input.offeredAt ?? at);
    if (first === undefined) {
      // No offer was ever made: the first recorded state is the escalation.
      order.data.transitions = [];
      order.data.state = 'escalated';
      order.data.escalatedAt = offerAt;
      order.data.escalationReason = 'coverage_gap';
      order.data.transitions.push({ from: null, to: 'escalated', at: offerAt, by: SYSTEM_ACTOR, attempt: null, note: '15分钟服务圈内无可派机构' });
      return order;
    }
    order.data.transitions = [];
    order.pushAttempt(first, offerAt);
    order.data.transitions.push({ from: null, to: 'offered', at: offerAt, by: SYSTEM_ACTOR, attempt: 1, note: first.reason });
    return order;
  }

  /** Restores from stored data (validated: a corrupt row fails loudly, not later). */
  static restore(snapshot: unknown): WorkOrder {
    return new WorkOrder(workOrderSnapshotSchema.parse(snapshot));
  }

  /** A deep copy: plain JSON-safe data. */
  snapshot(): WorkOrderSnapshot {
    return structuredClone(this.data);
  }

  get id(): string {
    return this.data.id;
  }
  get state(): WorkOrderState {
    return this.data.state;
  }

  /** The live or last attempt. */
  currentAttempt(): Attempt | null {
    return this.data.attempts[this.data.attempts.length - 1] ?? null;
  }

  /** The best-ranked candidate not yet offered this order. */
  nextCandidate(): Candidate | null {
    const tried = new Set(this.data.attempts.map((a) => a.candidate.providerId));
    return this.data.candidates.find((c) => !tried.has(c.providerId)) ?? null;
  }

  /** The console acknowledged delivery. Idempotent; not a state change. */
  acknowledgeDelivery(attempt: number, providerId: string, at: number): void {
    const a = this.liveAttempt(attempt, providerId, ['offered', 'accepted', 'en_route', 'on_site']);
    if (a.deliveredAt === null) {
      a.deliveredAt = at;
      this.data.revision++;
    }
  }

  /** A staff member of the offered provider accepts. Wins even a moment after `acceptBy` if no timeout was applied yet. */
  accept(attempt: number, by: Extract<Actor, { kind: 'staff' }>, at: number): void {
    const a = this.liveAttempt(attempt, by.providerId, ['offered']);
    a.outcome = 'accepted';
    a.staffId = by.staffId;
    this.data.firstAcceptedAt ??= at;
    const redispatch = this.data.sla.redispatchAfterMs;
    this.move('accepted', by, at, attempt, null, { acceptBy: null, redispatchAt: redispatch === null ? null : at + redispatch });
  }

  decline(attempt: number, by: Extract<Actor, { kind: 'staff' }>, reason: string, at: number): void {
    const a = this.liveAttempt(attempt, by.providerId, ['offered']);
    a.outcome = 'declined';
    a.endedAt = at;
    a.staffId = by.staffId;
    a.declineReason = reason;
    this.move('declined', by, at, attempt, reason, { acceptBy: null });
  }

  /** Nobody accepted by `acceptBy`. */
  timeOutOffer(at: number): void {
    const a = this.pendingAttempt('offered');
    a.outcome = 'timed_out';
    a.endedAt = at;
    this.move('timed_out', SYSTEM_ACTOR, at, a.attempt, '接单超时', { acceptBy: null });
  }

  /** Accepted but nobody on site by `redispatchAt`: the attempt is abandoned for the next candidate. */
  abandonForRedispatch(at: number): void {
    const a = this.currentAttempt();
    if (a === null || a.outcome !== 'accepted' || (this.data.state !== 'accepted' && this.data.state !== 'en_route')) {
      throw new WorkOrderError('illegal_transition', this.data.id, this.data.state, 'redispatch needs an accepted attempt');
    }
    a.outcome = 'redispatched';
    a.endedAt = at;
    this.move('timed_out', SYSTEM_ACTOR, at, a.attempt, '超时未到场，重新派单', { redispatchAt: null });
  }

  /** A new attempt to `candidate` (default: the next untried one), from declined, timed_out or escalated. */
  offerNext(at: number, acceptMs: number = this.data.sla.acceptMs, by: Actor = SYSTEM_ACTOR, candidate?: Candidate): Attempt {
    const c = candidate ?? this.nextCandidate();
    if (c === null) throw new WorkOrderError('no_candidate', this.data.id, this.data.state, 'every candidate was tried');
    this.assertCan('offered');
    const a = this.pushAttempt(c, at, acceptMs);
    this.move('offered', by, at, a.attempt, c.reason, { acceptBy: a.acceptBy, redispatchAt: null });
    return a;
  }

  markEnRoute(by: Actor, at: number): void {
    this.assertAssignee(by);
    this.move('en_route', by, at, this.currentAttempt()?.attempt ?? null, null, {});
  }

  markOnSite(by: Actor, at: number): void {
    this.assertAssignee(by);
    this.data.onSiteAt = at;
    this.move('on_site', by, at, this.currentAttempt()?.attempt ?? null, null, { onSiteBy: null, redispatchAt: null });
  }

  /** Closes the order: from on_site by the responder, or from escalated by the duty officer. */
  resolve(outcome: ResolutionOutcome, notes: string, by: Actor, at: number): void {
    if (this.data.state === 'on_site') this.assertAssignee(by);
    const a = this.currentAttempt();
    if (a !== null && a.outcome === 'accepted') {
      a.outcome = 'completed';
      a.endedAt = at;
    }
    this.data.outcome = outcome;
    this.data.notes = notes;
    this.data.resolvedAt = at;
    this.move('resolved', by, at, a?.attempt ?? null, notes || null, { acceptBy: null, onSiteBy: null, redispatchAt: null });
  }

  /** Hands the order to the district duty officer; any live offer is withdrawn. */
  escalate(reason: EscalationReason, by: Actor, at: number, note: string | null = null): void {
    this.assertCan('escalated');
    this.withdrawPending(at);
    this.data.escalatedAt = at;
    this.data.escalationReason = reason;
    this.move('escalated', by, at, this.currentAttempt()?.attempt ?? null, note, { acceptBy: null, redispatchAt: null });
  }

  /** The alert cleared before anyone accepted (e.g. a fall the resident cancelled). */
  cancel(by: Actor, at: number, note: string | null = null): void {
    this.assertCan('cancelled');
    this.withdrawPending(at);
    this.move('cancelled', by, at, this.currentAttempt()?.attempt ?? null, note, { acceptBy: null, onSiteBy: null, redispatchAt: null });
  }

  markFamilyNotified(at: number): void {
    if (this.data.familyNotifiedAt === null) {
      this.data.familyNotifiedAt = at;
      this.data.revision++;
    }
  }

  private pushAttempt(candidate: Candidate, at: number, acceptMs: number = this.data.sla.acceptMs): Attempt {
    const a: Attempt = {
      attempt: this.data.attempts.length + 1,
      candidate: { ...candidate },
      offeredAt: at,
      acceptBy: at + acceptMs,
      deliveredAt: null,
      outcome: 'pending',
      endedAt: null,
      staffId: null,
      declineReason: null,
    };
    this.data.attempts.push(a);
    this.data.deadlines.acceptBy = a.acceptBy;
    return a;
  }

  private withdrawPending(at: number): void {
    const a = this.currentAttempt();
    if (a !== null && a.outcome === 'pending') {
      a.outcome = 'withdrawn';
      a.endedAt = at;
    }
  }

  private liveAttempt(attempt: number, providerId: string, states: readonly WorkOrderState[]): Attempt {
    const a = this.currentAttempt();
    if (a === null || a.attempt !== attempt) {
      throw new WorkOrderError('stale_attempt', this.data.id, this.data.state, `attempt ${attempt} is not the live one`);
    }
    if (a.candidate.providerId !== providerId) {
      throw new WorkOrderError('wrong_provider', this.data.id, this.data.state, `attempt ${attempt} was offered to another provider`);
    }
    if (!states.includes(this.data.state) || (states.length === 1 && states[0] === 'offered' && a.outcome !== 'pending')) {
      throw new WorkOrderError('illegal_transition', this.data.id, this.data.state, `attempt ${attempt} is ${a.outcome}`);
    }
    return a;
  }

  private pendingAttempt(state: WorkOrderState): Attempt {
    const a = this.currentAttempt();
    if (this.data.state !== state || a === null || a.outcome !== 'pending') {
      throw new WorkOrderError('illegal_transition', this.data.id, this.data.state, 'no pending offer');
    }
    return a;
  }

  private assertAssignee(by: Actor): void {
    const a = this.currentAttempt();
    if (by.kind === 'staff' && a !== null && a.candidate.providerId !== by.providerId) {
      throw new WorkOrderError('wrong_provider', this.data.id, this.data.state, 'the order is assigned to another provider');
    }
  }

  private assertCan(to: WorkOrderState): void {
    if (!canTransition(this.data.state, to)) {
      throw new WorkOrderError('illegal_transition', this.data.id, this.data.state, `cannot move to ${to}`);
    }
  }

  private move(
    to: WorkOrderState,
    by: Actor,
    at: number,
    attempt: number | null,
    note: string | null,
    deadlines: Partial<WorkOrderSnapshot['deadlines']>,
  ): void {
    this.assertCan(to);
    this.data.transitions.push({ from: this.data.state, to, at, by: structuredClone(by), attempt, note });
    this.data.state = to;
    this.data.deadlines = { ...this.data.deadlines, ...deadlines };
    this.data.revision++;
  }
}
