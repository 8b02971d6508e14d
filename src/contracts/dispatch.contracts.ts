/**
 * socket.io event contracts for dispatch, shared by the backend gateway and
 * the web apps (apps/ import this file through Vite; it imports only zod and
 * domain schemas). Schema first (STYLE.md §10): every payload is a zod schema,
 * its type is `z.infer`, and both sides validate with `parseServerEvent` /
 * `parseClientEvent`. The event maps follow socket.io's typed-events pattern:
 *
 * @example
 * // backend
 * const ns: Namespace<DispatchClientToServerEvents, DispatchServerToClientEvents> = io.of(DISPATCH_NAMESPACE);
 * // console
 * const socket: Socket<DispatchServerToClientEvents, DispatchClientToServerEvents> =
 *   io(`${url}${DISPATCH_NAMESPACE}`, { auth: { token, cursor: lastCursor } });
 *
 * Two namespaces:
 * - `/dispatch`: provider consoles, authenticated by a per-staff token; rooms
 *   per provider and per staff member. A console only ever receives its own
 *   provider's offers and orders.
 * - `/district`: duty officers and the 大屏 screen, scoped to one district.
 *   NO PERSONAL DATA: no names, phone or ID numbers, no addresses or exact
 *   home positions. Its payloads are strict objects whose strings are enums,
 *   area codes or opaque ASCII identifiers (never CJK text, never a phone- or
 *   ID-number-shaped string), so they cannot carry such data even by mistake.
 *
 * Delivery: every server event carries `cursor`, a sequence that increases by
 * one per event and per provider (on /dispatch) or per district (on
 * /district). A console remembers the last cursor it saw and sends it in the
 * handshake (`auth.cursor`) or with `resync`; the server answers with every
 * event after it (from SQL). An offer counts as delivered only after `offer:ack`.
 */
import { z } from 'zod';
import { alertKindSchema, prioritySchema, severitySchema } from '../domain/alerts/alert.schema.js';
import { geoPointSchema, serviceTypeSchema, travelModeSchema } from '../domain/dispatch/provider.schema.js';
import { areaCodeSchema, districtKpisSchema } from '../domain/dispatch/kpi.schema.js';
import { pendingAlertStatusSchema } from '../domain/dispatch/pending-alert.js';
import {
  attemptOutcomeSchema,
  dispatchReasonSchema,
  escalationReasonSchema,
  resolutionOutcomeSchema,
  workOrderStateSchema,
} from '../domain/dispatch/work-order.schema.js';
import { capabilityLevelSchema, genderSchema, livingSituationSchema, residentConditionSchema } from '../domain/residents/resident.js';

export const DISPATCH_NAMESPACE = '/dispatch';
export const DISTRICT_NAMESPACE = '/district';

// ───────────────────────────── shared pieces ─────────────────────────────

const idSchema = z.string().min(1).max(64);
/** Per-provider (or per-district) event sequence, starting at 1. */
export const cursorSchema = z.number().int().nonnegative();
const epochMs = z.number().int().nonnegative();

/**
 * An identifier safe for /district: ASCII only (so never a name in Chinese)
 * and never shaped like a phone or ID number (digits only, 7 or more).
 * UUIDs and prefixed ids (`ord-42`, `prov-jh-01`) pass.
 */
export const districtSafeIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/)
  .refine((s) => !/^\+?\d{7,}$/.test(s.replace(/[-.:_]/g, '')) && !/\d{14,}[Xx]/.test(s), {
    message: 'looks like a phone or ID number, not an opaque identifier',
  });

export const handshakeAuthSchema = z.object({
  token: z.string().min(1).max(4096),
  /** Last cursor the client saw; the server pushes a `resync` with everything after it. */
  cursor: cursorSchema.optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

// ───────────────────────────── /dispatch: server → console ─────────────────────────────

export const alertSummarySchema = z.object({
  alertId: idSchema.nullable(),
  kind: dispatchReasonSchema,
  severity: severitySchema,
  priority: prioritySchema,
  /** zh-CN evidence, e.g. "跌倒雷达检测到卫生间跌倒，30 秒内未取消" */
  evidenceSummary: z.string().min(1).max(300),
  raisedAt: epochMs,
  /**
   * How often the alert's condition ended and came back within the episode
   * merge window (a flapping sensor), when the order opened; alert:update
   * carries it on. Absent in orders opened before it was sent: 0.
   */
  flaps: z.number().int().nonnegative().default(0),
});
export type AlertSummary = z.infer<typeof alertSummarySchema>;

export const maskedContactSchema = z.object({
  relation: z.string().min(1).max(16),
  /** Masked (张*华) unless the card is unmasked. */
  name: z.string().min(1).max(32),
  /** Masked (138****5678) unless the card is unmasked. */
  phone: z.string().min(1).max(24),
});

/**
 * What the console shows about the elder. `masked` is true on offers and for
 * every staff member but the assigned one (GB/T 35273 minimum necessity):
 * then `displayName` and the contacts are masked with src/domain/residents/masking.ts.
 */
export const residentCardSchema = z.object({
  residentId: idSchema.nullable(),
  masked: z.boolean(),
  displayName: z.string().min(1).max(40),
  age: z.number().int().min(0).max(130),
  gender: genderSchema,
  capabilityLevel: capabilityLevelSchema,
  livingSituation: livingSituationSchema,
  conditions: z.array(residentConditionSchema),
  emergencyContacts: z.array(maskedContactSchema).max(8),
  /** e.g. 武汉市江汉区民族街道前进四路 18 号 3 单元 502 */
  address: z.string().min(1).max(160),
  home: geoPointSchema,
});
export type ResidentCard = z.infer<typeof residentCardSchema>;

export const slaDeadlinesSchema = z.object({
  /** The offer moves to the next candidate after this. */
  acceptBy: epochMs,
  /** Someone should be on site by this (alert time + on-site SLA). */
  onSiteBy: epochMs,
});

/**
 * A work order offered to this console's provider. Acknowledge with
 * `offer:ack`; until then the server re-sends it.
 *
 * @example
 * socket.on('offer', (offer) => {
 *   // { cursor: 17, orderId: 'ord-42', attempt: 1, providerId: 'prov-jh-01', service: 'remote_care',
 *   //   alert: { kind: 'fall', severity: 'critical', priority: 'P1', evidenceSummary: '卫生间跌倒，30 秒内未取消', ... },
 *   //   resident: { masked: true, displayName: '张*华', age: 82, capabilityLevel: 2, ... },
 *   //   reason: '2.1 km，电动车约 9 分钟，当前 1 单在办', instructions: [],
 *   //   sla: { acceptBy: 1736906460000, onSiteBy: 1736907300000 }, offeredAt: 1736906400000 }
 *   socket.emit('offer:ack', { orderId: offer.orderId, attempt: offer.attempt, cursor: offer.cursor });
 * });
 */
export const offerSchema = z.object({
  cursor: cursorSchema,
  orderId: idSchema,
  /** 1 for the first offer of the order; a re-offer after decline/timeout is a new attempt. */
  attempt: z.number().int().positive(),
  providerId: idSchema,
  /** Suggested responder (nearest on-duty staff), or null when measured from the base. */
  suggestedStaffId: idSchema.nullable(),
  service: serviceTypeSchema,
  alert: alertSummarySchema,
  resident: residentCardSchema,
  reach: z.object({
    distanceKm: z.number().nonnegative(),
    travelMinutes: z.number().int().nonnegative(),
    travelMode: travelModeSchema,
  }),
  /** zh-CN, e.g. "2.1 km，电动车约 9 分钟，当前 1 单在办" */
  reason: z.string().min(1).max(200),
  /** zh-CN, e.g. ["请立即拨打119"] for smoke or gas. */
  instructions: z.array(z.string().max(200)),
  sla: slaDeadlinesSchema,
  offeredAt: epochMs,
});
export type OfferPayload = z.infer<typeof offerSchema>;

export const dispatchActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('staff'), staffId: idSchema, providerId: idSchema }),
  z.object({ kind: z.literal('duty_officer'), officerId: idSchema }),
  z.object({ kind: z.literal('system') }),
]);

export const orderDeadlinesSchema = z.object({
  acceptBy: epochMs.nullable(),
  onSiteBy: epochMs.nullable(),
  redispatchAt: epochMs.nullable(),
});

/**
 * A change of a work order this provider holds or held. When the order
 * moves on without this provider (declined, timed out, re-dispatched,
 * cancelled), `attemptOutcome` says how this provider's attempt ended and
 * nothing about who has it now.
 *
 * @example
 * socket.on('order:update', (u) => {
 *   // { cursor: 18, orderId: 'ord-42', attempt: 1, state: 'accepted', attemptOutcome: 'accepted',
 *   //   by: { kind: 'staff', staffId: 'st-7', providerId: 'prov-jh-01' }, at: 1736906425000,
 *   //   deadlines: { acceptBy: null, onSiteBy: 1736907300000, redispatchAt: 1736908225000 }, outcome: null, notes: null }
 * });
 */
export const orderUpdateSchema = z.object({
  cursor: cursorSchema,
  orderId: idSchema,
  attempt: z.number().int().positive(),
  state: workOrderStateSchema,
  attemptOutcome: attemptOutcomeSchema,
  by: dispatchActorSchema,
  at: epochMs,
  deadlines: orderDeadlinesSchema,
  outcome: resolutionOutcomeSchema.nullable(),
  notes: z.string().max(2000).nullable(),
  declineReason: z.string().max(200).nullable(),
});
export type OrderUpdatePayload = z.infer<typeof orderUpdateSchema>;

/**
 * The alert behind an order changed (acknowledged, downgraded, cleared, or
 * re-opened: `flaps` counts how often its condition came back within the
 * episode merge window, e.g. an inactivity condition a flapping sensor ends
 * and raises again; the console shows 反复 3 次).
 *
 * @example
 * socket.on('alert:update', (u) => {
 *   // { cursor: 19, alertId: 'al-9', orderIds: ['ord-42'], state: 'cleared', severity: 'warning',
 *   //   downgraded: true, downgradeReason: '老人按下"我没事"', flaps: 0, conditionEnded: false, at: 1736906430000 }
 * });
 */
export const alertUpdateSchema = z.object({
  cursor: cursorSchema,
  alertId: idSchema,
  orderIds: z.array(idSchema),
  kind: alertKindSchema,
  state: z.enum(['active', 'cleared']),
  severity: severitySchema,
  acknowledged: z.boolean(),
  downgraded: z.boolean(),
  downgradeReason: z.string().max(200).nullable(),
  /** Absent in events stored before it was sent (a resync replays them): 0. */
  flaps: z.number().int().nonnegative().default(0),
  /**
   * The machine saw the condition end (the resident moved, the device is back)
   * but the alert waits out the episode merge window before it clears: the
   * console shows 条件已恢复 so nobody sets off for what may be over. Absent in
   * older events: false.
   */
  conditionEnded: z.boolean().default(false),
  at: epochMs,
});
export type AlertUpdatePayload = z.infer<typeof alertUpdateSchema>;

/**
 * 待确认: an alert this provider would be offered is waiting for
 * confirmation (a fall seen by one device, in its cancel window). Nobody is
 * paged yet: the console shows it without a sound cue and with nothing to
 * accept, counting down to `confirmBy`; the resident is masked as on an offer
 * (to the provider the dispatch plan puts first, the one the offer would go to).
 * The same alert's next `alert:pending` says how the wait ended:
 * - `confirmed`: nobody got up, a second device saw the fall, or SOS; its
 *   offer (sent first) replaces the card, usually on this console;
 * - `self_recovered`: the resident got up or pressed im_ok inside the
 *   window; `note` says how, and a P2 welfare call is offered instead;
 * - `cleared`: a person cleared the alert.
 *
 * @example
 * socket.on('alert:pending', (p) => {
 *   // { cursor: 16, alertId: 'al-9', status: 'awaiting_confirmation', confirmBy: 1736906430000,
 *   //   alert: { alertId: 'al-9', kind: 'fall', severity: 'critical', priority: 'P1', evidenceSummary: '跌倒报警（置信度 0.93，卫生间）', raisedAt: 1736906400000, flaps: 0 },
 *   //   service: 'remote_care', reason: '签约本街道，2.1 km，电动车约 9 分钟，当前 1 单在办',
 *   //   resident: { masked: true, displayName: '张*华', age: 82, capabilityLevel: 2, ... }, at: 1736906400000 }
 *   // then: { cursor: 18, alertId: 'al-9', status: 'self_recovered',
 *   //   note: '居民已自行取消/起身：跌倒后 12 秒雷达检测到站立，未派紧急单', at: 1736906412000 }
 * });
 */
export const alertPendingSchema = z.discriminatedUnion('status', [
  z.object({
    cursor: cursorSchema,
    alertId: idSchema,
    status: pendingAlertStatusSchema.extract(['awaiting_confirmation']),
    /** The end of the cancel window (event time): confirmed then unless the resident gets up first. */
    confirmBy: epochMs,
    alert: alertSummarySchema,
    service: serviceTypeSchema,
    /** zh-CN, why this provider: as an offer's reason. */
    reason: z.string().min(1).max(200),
    resident: residentCardSchema.extend({ masked: z.literal(true) }),
    at: epochMs,
  }),
  z.object({
    cursor: cursorSchema,
    alertId: idSchema,
    status: pendingAlertStatusSchema.exclude(['awaiting_confirmation']),
    /** zh-CN: how the resident got up (self_recovered), else null. */
    note: z.string().max(200).nullable(),
    at: epochMs,
  }),
]);
export type AlertPendingPayload = z.infer<typeof alertPendingSchema>;

export const dispatchMissedEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('offer'), data: offerSchema }),
  z.object({ event: z.literal('order:update'), data: orderUpdateSchema }),
  z.object({ event: z.literal('alert:update'), data: alertUpdateSchema }),
  z.object({ event: z.literal('alert:pending'), data: alertPendingSchema }),
]);
export type DispatchMissedEvent = z.infer<typeof dispatchMissedEventSchema>;

/**
 * Everything after `since`, in cursor order. When `truncated`, ask again
 * with `since: toCursor`. Offers in it still need `offer:ack`.
 *
 * @example
 * socket.on('resync', (r) => {
 *   // { cursor: 25, since: 17, toCursor: 25, truncated: false, events: [{ event: 'offer', data: {...} }, ...] }
 * });
 */
export const dispatchResyncSchema = z.object({
  cursor: cursorSchema,
  since: cursorSchema,
  toCursor: cursorSchema,
  truncated: z.boolean(),
  events: z.array(dispatchMissedEventSchema),
});
export type DispatchResyncPayload = z.infer<typeof dispatchResyncSchema>;

// ───────────────────────────── /dispatch: console → server ─────────────────────────────

/**
 * The console got the offer (delivery acknowledgement, not acceptance).
 * @example socket.emit('offer:ack', { orderId: 'ord-42', attempt: 1, cursor: 17 })
 */
export const offerAckSchema = z.object({ orderId: idSchema, attempt: z.number().int().positive(), cursor: cursorSchema });
export type OfferAck = z.infer<typeof offerAckSchema>;

/** @example socket.emit('order:accept', { orderId: 'ord-42', attempt: 1 }, (r) => r.ok || showError(r.error)) */
export const acceptCommandSchema = z.object({ orderId: idSchema, attempt: z.number().int().positive() });
/** @example socket.emit('order:decline', { orderId: 'ord-42', attempt: 1, reason: '人员均在外出服务' }, cb) */
export const declineCommandSchema = z.object({
  orderId: idSchema,
  attempt: z.number().int().positive(),
  reason: z.string().min(1).max(200),
});
/** @example socket.emit('order:en_route', { orderId: 'ord-42' }, cb) */
export const orderRefCommandSchema = z.object({ orderId: idSchema });
/** @example socket.emit('order:resolve', { orderId: 'ord-42', outcome: 'false_alarm', notes: '老人已自行起身，无外伤' }, cb) */
export const resolveCommandSchema = z.object({
  orderId: idSchema,
  outcome: resolutionOutcomeSchema,
  notes: z.string().max(2000),
});
/**
 * 确认告警: a person of the provider holding the order has taken its alert
 * (idempotent). Only for an order this provider accepted (`not_accepted`
 * while it is only offered, `not_your_order` for any other provider's).
 * @example socket.emit('alert:acknowledge', { orderId: 'ord-42' }, (r) => r.ok && show(r.alert))
 */
export const alertAcknowledgeCommandSchema = z.object({ orderId: idSchema });
/**
 * 解除告警: a person clears the order's alert, saying why (an SOS, fall,
 * smoke or gas alert ends only by a person: this, 结案, or an operator over
 * REST). Same rule as `alert:acknowledge`; the order itself goes on (到达,
 * 结案) as before.
 * @example socket.emit('alert:clear', { orderId: 'ord-42', note: '上门确认老人误按，已安抚' }, cb)
 */
export const alertClearCommandSchema = z.object({ orderId: idSchema, note: z.string().trim().min(1).max(500) });
/** The staff member's own position (for the next reach estimate). @example socket.emit('location:update', { lat: 30.58, lon: 114.27, accuracyM: 15, at: 1736906500000 }) */
export const locationUpdateSchema = geoPointSchema.extend({
  accuracyM: z.number().nonnegative().max(10_000).optional(),
  at: epochMs,
});
/** @example socket.emit('resync', { since: 17 }, (r) => r.ok && apply(r.resync)) */
export const resyncRequestSchema = z.object({ since: cursorSchema });

export type AcceptCommand = z.infer<typeof acceptCommandSchema>;
export type DeclineCommand = z.infer<typeof declineCommandSchema>;
export type OrderRefCommand = z.infer<typeof orderRefCommandSchema>;
export type ResolveCommand = z.infer<typeof resolveCommandSchema>;
export type AlertAcknowledgeCommand = z.infer<typeof alertAcknowledgeCommandSchema>;
export type AlertClearCommand = z.infer<typeof alertClearCommandSchema>;
export type LocationUpdate = z.infer<typeof locationUpdateSchema>;
export type ResyncRequest = z.infer<typeof resyncRequestSchema>;

export const COMMAND_ERROR_CODES = [
  'invalid_payload',
  'unauthorized',
  'forbidden',
  'not_found',
  'illegal_transition',
  'stale_attempt',
  'wrong_provider',
  /** Alert commands: the order is another provider's (or left this one). */
  'not_your_order',
  /** Alert commands: the order is only offered; accept it first. */
  'not_accepted',
  /** Alert commands: the order answers no alert (a scheduled service task). */
  'no_alert',
  'already_cleared',
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];
export const commandErrorSchema = z.object({ code: z.enum(COMMAND_ERROR_CODES), message: z.string().max(500) });

/** Socket.io acknowledgement of every command. */
export const commandResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), order: orderUpdateSchema.nullable() }),
  z.object({ ok: z.literal(false), error: commandErrorSchema }),
]);
export type CommandResult = z.infer<typeof commandResultSchema>;

/**
 * The acknowledgement of `alert:acknowledge` and `alert:clear`: the alert as
 * the command left it (the `alert:update` broadcast with the same content follows).
 * @example { ok: true, alert: { alertId: 'al-9', orderId: 'ord-42', kind: 'sos', state: 'cleared', acknowledged: true, clearNote: '上门确认老人误按，已安抚' } }
 */
export const alertCommandResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    alert: z.object({
      alertId: idSchema,
      orderId: idSchema,
      kind: alertKindSchema,
      state: z.enum(['active', 'cleared']),
      acknowledged: z.boolean(),
      clearNote: z.string().max(500).nullable(),
    }),
  }),
  z.object({ ok: z.literal(false), error: commandErrorSchema }),
]);
export type AlertCommandResult = z.infer<typeof alertCommandResultSchema>;

export const resyncResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), resync: dispatchResyncSchema }),
  z.object({ ok: z.literal(false), error: commandErrorSchema }),
]);
export type ResyncResult = z.infer<typeof resyncResultSchema>;

type Ack<R> = (result: R) => void;

export interface DispatchServerToClientEvents {
  offer: (offer: OfferPayload) => void;
  'order:update': (update: OrderUpdatePayload) => void;
  'alert:update': (update: AlertUpdatePayload) => void;
  'alert:pending': (pending: AlertPendingPayload) => void;
  resync: (resync: DispatchResyncPayload) => void;
}

export interface DispatchClientToServerEvents {
  'offer:ack': (ack: OfferAck) => void;
  'order:accept': (cmd: AcceptCommand, ack: Ack<CommandResult>) => void;
  'order:decline': (cmd: DeclineCommand, ack: Ack<CommandResult>) => void;
  'order:en_route': (cmd: OrderRefCommand, ack: Ack<CommandResult>) => void;
  'order:on_site': (cmd: OrderRefCommand, ack: Ack<CommandResult>) => void;
  'order:resolve': (cmd: ResolveCommand, ack: Ack<CommandResult>) => void;
  'alert:acknowledge': (cmd: AlertAcknowledgeCommand, ack: Ack<AlertCommandResult>) => void;
  'alert:clear': (cmd: AlertClearCommand, ack: Ack<AlertCommandResult>) => void;
  'location:update': (location: LocationUpdate) => void;
  resync: (req: ResyncRequest, ack: Ack<ResyncResult>) => void;
}

export const dispatchServerEventSchemas = {
  offer: offerSchema,
  'order:update': orderUpdateSchema,
  'alert:update': alertUpdateSchema,
  'alert:pending': alertPendingSchema,
  resync: dispatchResyncSchema,
} as const satisfies Record<keyof DispatchServerToClientEvents, z.ZodType>;

export const dispatchClientEventSchemas = {
  'offer:ack': offerAckSchema,
  'order:accept': acceptCommandSchema,
  'order:decline': declineCommandSchema,
  'order:en_route': orderRefCommandSchema,
  'order:on_site': orderRefCommandSchema,
  'order:resolve': resolveCommandSchema,
  'alert:acknowledge': alertAcknowledgeCommandSchema,
  'alert:clear': alertClearCommandSchema,
  'location:update': locationUpdateSchema,
  resync: resyncRequestSchema,
} as const satisfies Record<keyof DispatchClientToServerEvents, z.ZodType>;

// ───────────────────────────── /district: server → duty officer / 大屏 ─────────────────────────────
// Strict objects, no free text: see the module comment. Provider and order ids
// are opaque; the district app resolves provider names over REST.

/** ~1 km grid cell (2 decimals) for the screen's heat map; never the exact home. */
const coarseCoordinate = (max: number) =>
  z
    .number()
    .min(-max)
    .max(max)
    .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, { message: 'coarsen to 2 decimals (~1 km)' });
export const coarseCellSchema = z.strictObject({ lat: coarseCoordinate(90), lon: coarseCoordinate(180) });

/** Rounds a home position to the ~1 km cell the district screen may show. */
export function coarsenToCell(p: { readonly lat: number; readonly lon: number }): z.infer<typeof coarseCellSchema> {
  return { lat: Math.round(p.lat * 100) / 100, lon: Math.round(p.lon * 100) / 100 };
}

export const districtActorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('provider'), providerId: districtSafeIdSchema }),
  z.strictObject({ kind: z.literal('duty_officer') }),
  z.strictObject({ kind: z.literal('system') }),
]);

/**
 * A work order in the district changed. Escalations (`state: 'escalated'`)
 * are the duty officer's to-do list; `coverageGap` marks alerts nobody could
 * reach within 15 minutes.
 *
 * @example
 * socket.on('order:update', (u) => {
 *   // { cursor: 311, orderId: 'ord-42', alertId: 'al-9', districtCode: '420103', streetCode: '420103001',
 *   //   kind: 'fall', priority: 'P1', service: 'remote_care', state: 'escalated', attempt: 2,
 *   //   providerId: null, by: { kind: 'system' }, at: 1736906520000, escalationReason: 'candidates_exhausted',
 *   //   coverageGap: false, familyNotified: true, deadlines: { acceptBy: null, onSiteBy: 1736907300000, redispatchAt: null } }
 * });
 */
export const districtOrderUpdateSchema = z.strictObject({
  cursor: cursorSchema,
  orderId: districtSafeIdSchema,
  alertId: districtSafeIdSchema.nullable(),
  districtCode: areaCodeSchema,
  streetCode: areaCodeSchema,
  kind: dispatchReasonSchema,
  priority: prioritySchema,
  service: serviceTypeSchema,
  state: workOrderStateSchema,
  attempt: z.number().int().nonnegative(),
  /** The provider holding the current attempt, if any. */
  providerId: districtSafeIdSchema.nullable(),
  by: districtActorSchema,
  at: epochMs,
  deadlines: z.strictObject({ acceptBy: epochMs.nullable(), onSiteBy: epochMs.nullable(), redispatchAt: epochMs.nullable() }),
  outcome: resolutionOutcomeSchema.nullable(),
  escalationReason: escalationReasonSchema.nullable(),
  coverageGap: z.boolean(),
  familyNotified: z.boolean(),
});
export type DistrictOrderUpdatePayload = z.infer<typeof districtOrderUpdateSchema>;

/**
 * An alert in the district was raised or changed.
 *
 * @example
 * socket.on('alert:update', (u) => {
 *   // { cursor: 310, alertId: 'al-9', districtCode: '420103', streetCode: '420103001', kind: 'fall',
 *   //   severity: 'critical', priority: 'P1', state: 'active', acknowledged: false, downgraded: false,
 *   //   cell: { lat: 30.58, lon: 114.27 }, raisedAt: 1736906400000, at: 1736906400000 }
 * });
 */
export const districtAlertUpdateSchema = z.strictObject({
  cursor: cursorSchema,
  alertId: districtSafeIdSchema,
  districtCode: areaCodeSchema,
  streetCode: areaCodeSchema,
  kind: alertKindSchema,
  severity: severitySchema,
  priority: prioritySchema,
  state: z.enum(['active', 'cleared']),
  acknowledged: z.boolean(),
  downgraded: z.boolean(),
  cell: coarseCellSchema.nullable(),
  raisedAt: epochMs,
  at: epochMs,
});
export type DistrictAlertUpdatePayload = z.infer<typeof districtAlertUpdateSchema>;

/**
 * District KPIs (有效应答率, p50/p90 accept and on-site times, false-alarm
 * share, open orders, coverage gaps, counts by service, one row per street).
 *
 * @example
 * socket.on('kpi:update', (k) => {
 *   // { cursor: 312, districtCode: '420103', from: 1736870400000, to: 1736956800000,
 *   //   district: { alerts: 41, acceptedWithinSla: 39, effectiveResponseRate: 0.951, acceptTime: { samples: 41, p50Ms: 22000, p90Ms: 51000 }, ... },
 *   //   streets: [{ streetCode: '420103001', alerts: 12, ... }] }
 * });
 */
export const kpiUpdateSchema = districtKpisSchema.extend({ cursor: cursorSchema });
export type KpiUpdatePayload = z.infer<typeof kpiUpdateSchema>;

export const districtMissedEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('order:update'), data: districtOrderUpdateSchema }),
  z.strictObject({ event: z.literal('alert:update'), data: districtAlertUpdateSchema }),
  z.strictObject({ event: z.literal('kpi:update'), data: kpiUpdateSchema }),
]);

/** @example socket.on('resync', (r) => r.events.forEach(apply)) // same shape as /dispatch */
export const districtResyncSchema = z.strictObject({
  cursor: cursorSchema,
  since: cursorSchema,
  toCursor: cursorSchema,
  truncated: z.boolean(),
  events: z.array(districtMissedEventSchema),
});
export type DistrictResyncPayload = z.infer<typeof districtResyncSchema>;

export const districtResyncResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), resync: districtResyncSchema }),
  z.object({ ok: z.literal(false), error: commandErrorSchema }),
]);
export type DistrictResyncResult = z.infer<typeof districtResyncResultSchema>;

export interface DistrictServerToClientEvents {
  'order:update': (update: DistrictOrderUpdatePayload) => void;
  'alert:update': (update: DistrictAlertUpdatePayload) => void;
  'kpi:update': (kpis: KpiUpdatePayload) => void;
  resync: (resync: DistrictResyncPayload) => void;
}

export interface DistrictClientToServerEvents {
  resync: (req: ResyncRequest, ack: Ack<DistrictResyncResult>) => void;
}

export const districtServerEventSchemas = {
  'order:update': districtOrderUpdateSchema,
  'alert:update': districtAlertUpdateSchema,
  'kpi:update': kpiUpdateSchema,
  resync: districtResyncSchema,
} as const satisfies Record<keyof DistrictServerToClientEvents, z.ZodType>;

export const districtClientEventSchemas = { resync: resyncRequestSchema } as const satisfies Record<
  keyof DistrictClientToServerEvents,
  z.ZodType
>;

// ───────────────────────────── validation on both sides ─────────────────────────────

type Schemas = Readonly<Record<string, z.ZodType>>;
export type EventPayload<S extends Schemas, E extends keyof S> = z.output<S[E]>;

/**
 * Validates a payload by event name: the gateway before emitting (and on
 * every inbound command), the app on every received event.
 *
 * @example
 * const r = parseEvent(dispatchClientEventSchemas, 'order:decline', raw);
 * if (!r.success) return ack({ ok: false, error: { code: 'invalid_payload', message: r.error.message } });
 */
export function parseEvent<S extends Schemas, E extends keyof S & string>(
  schemas: S,
  event: E,
  payload: unknown,
): z.ZodSafeParseResult<EventPayload<S, E>> {
  const schema = schemas[event] as z.ZodType<EventPayload<S, E>> | undefined;
  if (schema === undefined) throw new Error(`unknown event ${event}`);
  return schema.safeParse(payload);
}
