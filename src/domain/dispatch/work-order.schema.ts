/**
 * Work-order data, schema first (STYLE.md §10): the snapshot a repository
 * stores as JSON and parses back on every read, and the vocabulary the
 * socket.io contracts (src/contracts/dispatch.contracts.ts) reuse. Timers are
 * data here (deadlines on the order), so they survive a backend restart.
 */
import { z } from 'zod';
import { alertKindSchema, prioritySchema } from '../alerts/alert.schema.js';
import { serviceTypeSchema, travelModeSchema } from './provider.schema.js';

/**
 * offered → accepted → en_route → on_site → resolved is the happy path.
 * `declined` and `timed_out` are resting states between two attempts (the
 * next offer or the escalation follows at once, but a crash in between still
 * leaves a state that `dueActions` knows how to continue). `escalated` hands
 * the order to the district duty officer; `cancelled` means the alert cleared
 * before anyone accepted (e.g. a fall the resident cancelled).
 */
export const WORK_ORDER_STATES = [
  'offered',
  'accepted',
  'en_route',
  'on_site',
  'resolved',
  'declined',
  'timed_out',
  'escalated',
  'cancelled',
] as const;
export const workOrderStateSchema = z.enum(WORK_ORDER_STATES);
export type WorkOrderState = z.infer<typeof workOrderStateSchema>;

export const WORK_ORDER_STATE_LABELS: Readonly<Record<WorkOrderState, string>> = {
  offered: '待接单',
  accepted: '已接单',
  en_route: '在途',
  on_site: '已到场',
  resolved: '已办结',
  declined: '已拒单',
  timed_out: '已超时',
  escalated: '已上报值班员',
  cancelled: '已取消',
};

/** States in which a provider still owes something (KPI "open orders"). */
export const OPEN_WORK_ORDER_STATES: readonly WorkOrderState[] = ['offered', 'accepted', 'en_route', 'on_site', 'declined', 'timed_out', 'escalated'];

export const RESOLUTION_OUTCOMES = ['real_emergency', 'false_alarm', 'test', 'resident_not_home'] as const;
export const resolutionOutcomeSchema = z.enum(RESOLUTION_OUTCOMES);
export type ResolutionOutcome = z.infer<typeof resolutionOutcomeSchema>;

export const RESOLUTION_OUTCOME_LABELS: Readonly<Record<ResolutionOutcome, string>> = {
  real_emergency: '确有紧急情况',
  false_alarm: '误报',
  test: '测试',
  resident_not_home: '老人不在家',
};

/** How one offer (attempt) ended; `pending` while it is the live offer. */
export const ATTEMPT_OUTCOMES = ['pending', 'accepted', 'declined', 'timed_out', 'redispatched', 'withdrawn', 'completed'] as const;
export const attemptOutcomeSchema = z.enum(ATTEMPT_OUTCOMES);
export type AttemptOutcome = z.infer<typeof attemptOutcomeSchema>;

/** Why something needs a dispatch: an alert kind, or a scheduled service task. */
export const dispatchReasonSchema = z.union([alertKindSchema, z.literal('missed_meal')]);
export type DispatchReason = z.infer<typeof dispatchReasonSchema>;

const idSchema = z.string().min(1).max(64);

/** Who made a transition. `system` is the dispatch engine (timeouts, redispatch). */
export const actorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('staff'), staffId: idSchema, providerId: idSchema }),
  z.object({ kind: z.literal('duty_officer'), officerId: idSchema }),
  z.object({ kind: z.literal('system') }),
]);
export type Actor = z.infer<typeof actorSchema>;
export const SYSTEM_ACTOR: Actor = { kind: 'system' };

/** SLA durations for one priority, copied onto each order when it opens (a config change never moves a running timer). */
export const slaTimesSchema = z.object({
  /** An offer not accepted within this moves to the next candidate. */
  acceptMs: z.number().int().positive(),
  /** Target from alert to someone on site (KPI and the console's countdown). */
  onSiteMs: z.number().int().positive(),
  /** Nobody on site this long after accepting → re-dispatch; null = never. */
  redispatchAfterMs: z.number().int().positive().nullable(),
});
export type SlaTimes = z.infer<typeof slaTimesSchema>;

/** A provider the policy chose, with how it reaches the home and why (zh-CN). */
export const candidateSchema = z.object({
  providerId: idSchema,
  service: serviceTypeSchema,
  /** The on-duty staff member the reach was measured from; null when from the provider base. */
  staffId: idSchema.nullable(),
  origin: z.enum(['staff', 'base']),
  travelMode: travelModeSchema,
  /** Estimated road distance (great-circle × road factor), km, one decimal. */
  distanceKm: z.number().nonnegative(),
  /** Estimated travel time, whole minutes rounded up. */
  travelMinutes: z.number().int().nonnegative(),
  openOrders: z.number().int().nonnegative(),
  /** e.g. "2.1 km，电动车约 9 分钟，当前 1 单在办" */
  reason: z.string().min(1).max(200),
});
export type Candidate = z.infer<typeof candidateSchema>;

export const attemptSchema = z.object({
  /** 1, 2, 3… on the same work order. */
  attempt: z.number().int().positive(),
  candidate: candidateSchema,
  offeredAt: z.number(),
  acceptBy: z.number(),
  /** When the console acknowledged delivery (`offer:ack`); null until then. */
  deliveredAt: z.number().nullable(),
  outcome: attemptOutcomeSchema,
  endedAt: z.number().nullable(),
  /** The staff member who accepted (or declined). */
  staffId: idSchema.nullable(),
  declineReason: z.string().max(200).nullable(),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const transitionSchema = z.object({
  from: workOrderStateSchema.nullable(),
  to: workOrderStateSchema,
  at: z.number(),
  by: actorSchema,
  attempt: z.number().int().positive().nullable(),
  note: z.string().max(500).nullable(),
});
export type Transition = z.infer<typeof transitionSchema>;

/** Timers as data: the engine compares these with `now`. */
export const deadlinesSchema = z.object({
  acceptBy: z.number().nullable(),
  onSiteBy: z.number().nullable(),
  redispatchAt: z.number().nullable(),
});
export type Deadlines = z.infer<typeof deadlinesSchema>;

export const escalationReasonSchema = z.enum(['coverage_gap', 'candidates_exhausted', 'manual']);
export type EscalationReason = z.infer<typeof escalationReasonSchema>;

export const workOrderSnapshotSchema = z.object({
  id: idSchema,
  alertId: idSchema.nullable(),
  residentId: idSchema.nullable(),
  districtCode: z.string().min(1).max(32),
  streetCode: z.string().min(1).max(32),
  reason: dispatchReasonSchema,
  service: serviceTypeSchema,
  priority: prioritySchema,
  instructions: z.array(z.string().max(200)),
  sla: slaTimesSchema,
  /** When the alert was raised (SLA clock start). */
  createdAt: z.number(),
  state: workOrderStateSchema,
  /** Ranked by the dispatch policy when the order opened. */
  candidates: z.array(candidateSchema),
  attempts: z.array(attemptSchema),
  deadlines: deadlinesSchema,
  transitions: z.array(transitionSchema).min(1),
  /** First acceptance of any attempt (KPI accept time). */
  firstAcceptedAt: z.number().nullable(),
  onSiteAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  outcome: resolutionOutcomeSchema.nullable(),
  notes: z.string().max(2000).nullable(),
  coverageGap: z.boolean(),
  escalatedAt: z.number().nullable(),
  escalationReason: escalationReasonSchema.nullable(),
  familyNotifiedAt: z.number().nullable(),
  /** +1 per change: optimistic concurrency for the repository, and the order of updates. */
  revision: z.number().int().nonnegative(),
});
export type WorkOrderSnapshot = z.infer<typeof workOrderSnapshotSchema>;
