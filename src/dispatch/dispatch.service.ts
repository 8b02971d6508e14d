/**
 * Dispatch: thin around the domain (src/domain/dispatch). Alerts become work
 * orders offered to the nearest covering 三助一护 provider; console and REST
 * commands go through the work-order state machine with who and when; a
 * scheduler fires the SLA timers, which are data on the orders (a restarted
 * backend re-reads `next_deadline` from SQL and fires on time).
 *
 * Every change is one pipeline: engine step → [persist order + transitions +
 * outbox events + offer deliveries + notifications in ONE transaction] →
 * emit the committed events → kick the notifier → reschedule → KPIs.
 * Changes are serialised (one queue), so revisions never race.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  districtMissedEventSchema,
  type AlertSummary,
  type CommandErrorCode,
  type DispatchMissedEvent,
  type DispatchResyncPayload,
  type DistrictResyncPayload,
  type OrderUpdatePayload,
  type ResidentCard,
} from '../contracts/dispatch.contracts.js';
import { canAccess, listingScope } from '../domain/access/access-policy.js';
import type { Principal } from '../domain/access/principal.js';
import { isDispatchable, type Alert, type AlertCleared, type AlertDowngraded, type AlertRaised, type AlertUpdated } from '../domain/alerts/alert.schema.js';
import { planDispatch, requirementFor, type DispatchPlan, type ProviderAvailability } from '../domain/dispatch/dispatch-policy.js';
import { nextPendingNotice } from '../domain/dispatch/pending-alert.js';
import type { WorkOrderResolved } from '../domain/events/domain-events.js';
import { computeDistrictKpis } from '../domain/dispatch/kpis.js';
import type { DistrictKpis } from '../domain/dispatch/kpi.schema.js';
import type { Provider, ServiceType, Staff } from '../domain/dispatch/provider.schema.js';
import { DispatchEngine, type DispatchAction, type EngineResult } from '../domain/dispatch/sla.js';
import { WorkOrderError } from '../domain/dispatch/work-order.js';
import { SYSTEM_ACTOR, type Actor, type ResolutionOutcome, type WorkOrderSnapshot, type WorkOrderState } from '../domain/dispatch/work-order.schema.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../platform.tokens.js';
import type { GeographyRepository } from '../registry/geography.repository.js';
import type { ResidentRepository } from '../registry/resident.repository.js';
import { unattributedReasonOf, type UnattributedReason } from '../domain/residents/home-residents.js';
import type { Resident } from '../domain/residents/resident.js';
import type { DispatchConfig } from './dispatch.config.js';
import type { DispatchMetrics } from './dispatch.metrics.js';
import {
  cellOf,
  districtOrderUpdatePayload,
  holderOf,
  maskedResidentCard,
  offerPayload,
  orderUpdatePayload,
  pendingAnnouncementPayload,
  pendingEndPayload,
  residentCard,
  type OrderContext,
} from './dispatch.views.js';
import type { WebhookNotifier } from './webhook.notifier.js';
import { WorkOrderConflictError, type WorkOrderRepository } from './work-order.repository.js';

export type DistrictMissedEvent = z.infer<typeof districtMissedEventSchema>;

/** The socket edge (the gateways implement it); the service never touches socket.io. */
export interface DispatchEmitter {
  toProvider(providerId: string, event: DispatchMissedEvent): void;
  toDistrict(districtCode: string, event: DistrictMissedEvent): void;
}

/** The console's error codes (one list, in the contracts). */
export type DispatchErrorCode = CommandErrorCode;

export class DispatchError extends Error {
  constructor(
    readonly code: DispatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DispatchError';
  }
}

export type OrderCommand =
  | { readonly type: 'accept'; readonly attempt: number }
  | { readonly type: 'decline'; readonly attempt: number; readonly reason: string }
  | { readonly type: 'en_route' }
  | { readonly type: 'on_site' }
  | { readonly type: 'resolve'; readonly outcome: ResolutionOutcome; readonly notes: string };

type DirectoryCandidate = { readonly provider: Provider; readonly staffOnDuty: readonly Staff[] };

export interface DirectoryPort {
  /** Providers contracted for the street that offer the service. */
  candidatesFor(streetCode: string, service: ServiceType): readonly DirectoryCandidate[];
  /** Every provider of the district that offers the service (the wider pool). */
  districtProvidersFor(districtCode: string, service: ServiceType): readonly DirectoryCandidate[];
}

/**
 * The providers the dispatch policy weighs for a resident: those contracted
 * for the street and the rest of the district (the policy prefers the
 * former), once each, with their open orders.
 */
export function providersToConsider(
  directory: DirectoryPort,
  where: { readonly streetCode: string; readonly districtCode: string },
  services: readonly ServiceType[],
  openOrders: (providerId: string) => number,
): ProviderAvailability[] {
  const seen = new Map<string, ProviderAvailability>();
  for (const service of services) {
    for (const c of [...directory.candidatesFor(where.streetCode, service), ...directory.districtProvidersFor(where.districtCode, service)]) {
      if (!seen.has(c.provider.id)) seen.set(c.provider.id, { provider: c.provider, staff: c.staffOnDuty, openOrders: openOrders(c.provider.id) });
    }
  }
  return [...seen.values()];
}

export interface DispatchServiceDeps {
  readonly repo: WorkOrderRepository;
  readonly directory: DirectoryPort;
  readonly residents: Pick<ResidentRepository, 'getById'>;
  readonly geography: Pick<GeographyRepository, 'findHome' | 'listStreets'>;
  readonly engine: DispatchEngine;
  readonly notifier: WebhookNotifier;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: DispatchConfig;
  readonly metrics: DispatchMetrics;
  readonly ids?: () => string;
  /** Hears WorkOrderResolved (alerting closes the alert with the order's outcome). */
  readonly events?: { publish(name: 'WorkOrderResolved', event: WorkOrderResolved): void };
}

export const providerStream = (providerId: string): string => `provider:${providerId}`;
export const districtStream = (districtCode: string): string => `district:${districtCode}`;

interface Emission {
  readonly provider?: string;
  readonly district?: string;
  readonly event: DispatchMissedEvent | DistrictMissedEvent;
}

const LIVE: readonly WorkOrderState[] = ['offered', 'accepted', 'en_route', 'on_site'];

type Home = { readonly lat: number; readonly lon: number; readonly address: string };
/** The plan dispatch makes for an alert now, or why nobody can be sent (a registry gap). */
type Planned = { readonly resident: Resident; readonly home: Home; readonly plan: DispatchPlan; readonly now: number } | { readonly nobody: UnattributedReason | 'unknown_resident' };

export class DispatchService {
  private providerOut: DispatchEmitter['toProvider'] | undefined;
  private districtOut: DispatchEmitter['toDistrict'] | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private redeliverTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly kpiCache = new Map<string, Map<string, WorkOrderSnapshot>>();
  private readonly kpiTimers = new Map<string, NodeJS.Timeout>();
  private readonly ids: () => string;

  constructor(private readonly deps: DispatchServiceDeps) {
    this.ids = deps.ids ?? (() => `ord-${randomUUID()}`);
  }

  attachProviders(toProvider: DispatchEmitter['toProvider']): void {
    this.providerOut = toProvider;
  }

  attachDistricts(toDistrict: DispatchEmitter['toDistrict']): void {
    this.districtOut = toDistrict;
  }

  private readonly emitter: DispatchEmitter = {
    toProvider: (providerId, event) => this.guarded(() => this.providerOut?.(providerId, event)),
    toDistrict: (districtCode, event) => this.guarded(() => this.districtOut?.(districtCode, event)),
  };

  // ───────────── lifecycle ─────────────

  /** Starts the SLA scheduler (which first fires whatever fell due while the backend was down) and the re-send loop. */
  start(): void {
    this.stopped = false;
    this.deps.notifier.start();
    this.wake(0);
    this.redeliverTimer = setInterval(() => void this.serial(() => this.redeliver()).catch((e: unknown) => this.fail('redeliver', e)), Math.max(100, Math.floor(this.deps.config.redeliverMs / 2)));
    this.redeliverTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.redeliverTimer) clearInterval(this.redeliverTimer);
    for (const t of this.kpiTimers.values()) clearTimeout(t);
    this.kpiTimers.clear();
    await this.queue.catch(() => undefined);
    await this.deps.notifier.stop();
  }

  // ───────────── alerts in ─────────────

  onAlertRaised(change: AlertRaised): Promise<void> {
    return this.serial(async () => {
      await this.openFor(change.alert);
      await this.notePending(change.alert);
      // The district screen counts active alerts from alert:update, so it must hear of a new one too.
      this.emitAlertUpdate(change.alert, await this.deps.repo.byAlert(change.alert.id));
    });
  }

  onAlertUpdated(change: AlertUpdated): Promise<void> {
    return this.serial(async () => {
      await this.answerUpdate(change);
      // After the offer of a confirmed fall, so its console has the offer when the 待确认 card goes.
      await this.notePending(change.alert);
    });
  }

  private async answerUpdate(change: AlertUpdated): Promise<void> {
    const orders = await this.deps.repo.byAlert(change.alert.id);
    this.emitAlertUpdate(change.alert, orders);
    if (change.alert.state !== 'active' || !isDispatchable(change.alert)) return;
    // A confirmed fall, or what its home held while catching up on a
    // backlog, is answered now; a re-triggered or re-graded alert may need
    // a faster answer than its order was opened with (a new fall on one the
    // resident had waved off, a mean moving into a worse band).
    if (!['severity_changed', 'retriggered', 'confirmed', 'caught_up'].includes(change.reason)) return;
    const wanted = requirementFor(change.alert.kind, change.alert.severity, change.alert.priority).priority;
    const live = orders.filter((o) => LIVE.includes(o.state) || o.state === 'escalated');
    const slower = (o: WorkOrderSnapshot): boolean => o.priority > wanted;
    // A re-trigger only escalates what is being answered; it never reopens an alert whose orders are closed.
    if (change.reason === 'retriggered' && live.length === 0) return;
    if (live.length > 0 && !live.every(slower)) return;
    for (const o of live.filter((x) => x.state === 'offered')) await this.apply(o, (s) => this.deps.engine.alertCleared(s, SYSTEM_ACTOR, this.deps.clock(), `告警升级为 ${wanted}，重新派单`));
    if (live.length === 0 || live.every((o) => o.state === 'offered')) {
      await this.openFor(change.alert, true);
      // A confirmed or released alert had no order when it was raised: the district screen hears of it now.
      if (orders.length === 0) this.emitAlertUpdate(change.alert, await this.deps.repo.byAlert(change.alert.id));
    }
  }

  onAlertEnded(change: AlertCleared | AlertDowngraded): Promise<void> {
    return this.serial(async () => {
      const orders = await this.deps.repo.byAlert(change.alert.id);
      const note = change.type === 'AlertDowngraded' ? `告警已降级：${change.reason}`.slice(0, 500) : '告警已解除';
      for (const o of orders) await this.apply(o, (s) => this.deps.engine.alertCleared(s, SYSTEM_ACTOR, this.deps.clock(), note));
      // A self-recovered fall is still a fall: with nobody already on the
      // way, it becomes a welfare call (P2) instead of an emergency.
      if (change.type === 'AlertDowngraded' && change.alert.state === 'active') {
        const after = await this.deps.repo.byAlert(change.alert.id);
        if (!after.some((o) => LIVE.includes(o.state) || o.state === 'escalated')) await this.openFor(change.alert, true);
      }
      await this.notePending(change.alert);
      this.emitAlertUpdate(change.alert, await this.deps.repo.byAlert(change.alert.id));
    });
  }

  private async openFor(alert: Alert, replan = false): Promise<void> {
    // 待确认, or held while its home catches up: answered once released (onAlertUpdated).
    if (!isDispatchable(alert)) return;
    const existing = await this.deps.repo.byAlert(alert.id);
    if (!replan && existing.length > 0) return;
    const planned = await this.planFor(alert);
    // The rules give a home device's alert to the home's primary resident
    // (domain/residents/home-residents.ts); an alert still without one has
    // nobody to send a caregiver to. That is a registry gap, not a dispatch
    // failure: say which, so an operator can fix it.
    if ('nobody' in planned) {
      const reason = planned.nobody;
      this.deps.metrics.notDispatched(reason);
      if (reason === 'unknown_resident') {
        this.deps.logger.error({ alertId: alert.id, kind: alert.kind, residentId: alert.residentId }, 'alert not dispatched: its resident is not in the registry');
      } else {
        const fix = reason === 'device_unbound' ? 'bind the device to a resident or a home' : 'register the resident of this home';
        this.deps.logger.error({ alertId: alert.id, kind: alert.kind, reason, homeId: alert.homeId, deviceId: alert.deviceId, fix }, 'alert not dispatched: nobody to send (no resident)');
      }
      return;
    }
    const { resident, home, plan, now } = planned;
    const context: OrderContext = {
      alert: this.alertSummary(alert),
      resident: maskedResidentCard(resident, home, now),
      cell: cellOf(home),
    };
    const result = this.deps.engine.open({
      id: this.ids(),
      alertId: alert.id,
      residentId: resident.id,
      districtCode: resident.districtCode,
      streetCode: resident.streetCode,
      reason: alert.kind,
      service: plan.service,
      priority: plan.requirement.priority,
      instructions: plan.requirement.instructions,
      candidates: plan.candidates,
      // The SLA clock starts when the platform raised the alert; the offer now.
      createdAt: Math.min(alert.detectedAt, now),
      offeredAt: now,
    });
    if (plan.coverageGap) {
      this.deps.metrics.coverageGap(resident.districtCode);
      this.deps.logger.warn({ orderId: result.order.id, streetCode: resident.streetCode, reason: plan.coverageGap.reason }, 'coverage gap: straight to the district duty officer');
    }
    this.deps.metrics.opened(plan.requirement.priority);
    await this.commit(null, result, context);
  }

  /** Who dispatch would offer the alert to now, in order (the policy over the directory and current loads). */
  private async planFor(alert: Alert): Promise<Planned> {
    if (alert.residentId === null) return { nobody: unattributedReasonOf({ residentId: alert.residentId, homeId: alert.homeId }) };
    const resident = await this.deps.residents.getById(alert.residentId, { unmasked: true });
    if (!resident) return { nobody: 'unknown_resident' };
    const now = this.deps.clock();
    const home = await this.homeOf(resident);
    const requirement = requirementFor(alert.kind, alert.severity, alert.priority);
    const load = await this.deps.repo.openOrdersByProvider();
    const plan = planDispatch(
      { reason: alert.kind, severity: alert.severity, alertPriority: alert.priority, streetCode: resident.streetCode, home: { lat: home.lat, lon: home.lon } },
      providersToConsider(this.deps.directory, resident, requirement.services, (id) => load.get(id) ?? 0),
      now,
    );
    return { resident, home, plan, now };
  }

  /**
   * 待确认 (domain/dispatch/pending-alert.ts): while a one-device fall waits
   * out its cancel window unpaged, the provider the plan puts first, the one
   * its offer would go to, sees it coming on its stream (so a reconnecting
   * console gets it by cursor), and later hears how the wait ended. The
   * notice remembers that provider: the plan may change by then.
   */
  private async notePending(alert: Alert): Promise<void> {
    const told = await this.deps.repo.openPendingNotice(alert.id);
    const status = nextPendingNotice(alert, told !== undefined);
    if (status === null) return;
    const at = this.deps.clock();
    if (status === 'awaiting_confirmation') {
      const planned = await this.planFor(alert);
      if ('nobody' in planned || alert.awaitingConfirmationUntil === null) return;
      const first = planned.plan.candidates[0];
      // A coverage gap: no console to tell; the confirmation reaches the duty officer, as before.
      if (first === undefined) return;
      const confirmBy = alert.awaitingConfirmationUntil;
      const summary = { ...this.alertSummary(alert), alertId: alert.id };
      const card = maskedResidentCard(planned.resident, planned.home, planned.now);
      const data = await this.deps.repo.transaction(async (repo) => {
        await repo.recordPendingNotice(alert.id, first.providerId, at);
        return repo.append(providerStream(first.providerId), 'alert:pending', null, at, (cursor) => pendingAnnouncementPayload(summary, confirmBy, first, card, cursor, at));
      });
      return this.emitter.toProvider(first.providerId, { event: 'alert:pending', data });
    }
    if (told === undefined) return; // (only an announced wait ends)
    const note = status === 'self_recovered' ? alert.downgradeReason : null;
    const data = await this.deps.repo.transaction(async (repo) => {
      await repo.endPendingNotice(alert.id, at);
      return repo.append(providerStream(told.providerId), 'alert:pending', null, at, (cursor) => pendingEndPayload(alert.id, status, note, cursor, at));
    });
    this.emitter.toProvider(told.providerId, { event: 'alert:pending', data });
  }

  private alertSummary(alert: Alert): AlertSummary {
    return {
      alertId: alert.id,
      kind: alert.kind,
      severity: alert.severity,
      priority: alert.priority,
      evidenceSummary: alert.evidence.summary.slice(0, 300) || alert.kind,
      raisedAt: Math.max(0, Math.round(alert.detectedAt)),
      flaps: alert.flaps,
    };
  }

  private async homeOf(resident: Resident): Promise<{ lat: number; lon: number; address: string }> {
    const home = resident.homeId === null ? undefined : await this.deps.geography.findHome(resident.homeId);
    if (home) return home;
    const street = (await this.deps.geography.listStreets(resident.districtCode)).find((s) => s.code === resident.streetCode);
    return { lat: street?.lat ?? 0, lon: street?.lon ?? 0, address: '地址未登记' };
  }

  // ───────────── commands (console and REST) ─────────────

  /** Runs a console/REST command as `principal`; returns the update this principal's provider saw (or null). */
  command(principal: Principal, orderId: string, cmd: OrderCommand): Promise<OrderUpdatePayload | null> {
    return this.serial(async () => {
      const order = await this.deps.repo.get(orderId);
      if (!order) throw new DispatchError('not_found', `work order ${orderId} not found`);
      const actor = this.actorFor(principal, order, cmd);
      const now = this.deps.clock();
      const e = this.deps.engine;
      const emitted = await this.apply(order, (s) => {
        switch (cmd.type) {
          case 'accept':
            return e.accept(s, cmd.attempt, staffActor(actor), now);
          case 'decline':
            return e.decline(s, cmd.attempt, staffActor(actor), cmd.reason, now);
          case 'en_route':
            return e.enRoute(s, actor, now);
          case 'on_site':
            return e.onSite(s, actor, now);
          case 'resolve':
            return e.resolve(s, cmd.outcome, cmd.notes, actor, now);
        }
      });
      if (cmd.type === 'resolve' && emitted.length > 0 && order.alertId !== null) {
        const resolvedBy = actor.kind === 'staff' ? actor.staffId : actor.kind === 'duty_officer' ? actor.officerId : 'system';
        this.deps.events?.publish('WorkOrderResolved', { orderId, alertId: order.alertId, outcome: cmd.outcome, notes: cmd.notes, resolvedBy, at: now });
      }
      const mine = principal.scope.providerId;
      const update = emitted.find((x) => x.provider !== undefined && x.provider === mine && x.event.event === 'order:update');
      return update ? (update.event as Extract<DispatchMissedEvent, { event: 'order:update' }>).data : null;
    });
  }

  private actorFor(principal: Principal, order: WorkOrderSnapshot, cmd: OrderCommand): Actor {
    const holder = order.attempts[order.attempts.length - 1]?.candidate.providerId;
    if (principal.role === 'provider_dispatcher' || principal.role === 'caregiver') {
      if (holder === undefined || !canAccess(principal, { providerId: holder, districtCode: order.districtCode })) {
        throw new DispatchError('forbidden', 'this order is not offered to your provider');
      }
      return { kind: 'staff', staffId: principal.scope.staffId ?? principal.accountId, providerId: principal.scope.providerId ?? holder };
    }
    // District officers (and the platform admin) close escalated orders; they never accept on a provider's behalf.
    if (!canAccess(principal, { districtCode: order.districtCode })) throw new DispatchError('forbidden', 'this order is not in your district');
    if (cmd.type !== 'resolve') throw new DispatchError('forbidden', `a ${principal.role} may only resolve an escalated order`);
    return { kind: 'duty_officer', officerId: principal.accountId };
  }

  /** The console acknowledged an offer (delivery, not acceptance). */
  acknowledge(principal: Principal, orderId: string, attempt: number, socketId: string): Promise<boolean> {
    const providerId = principal.scope.providerId;
    if (providerId === null) return Promise.resolve(false);
    return this.serial(async () => {
      const first = await this.deps.repo.ackOffer(orderId, attempt, providerId, principal.scope.staffId, socketId, this.deps.clock());
      if (!first) return false;
      this.deps.metrics.acked();
      const order = await this.deps.repo.get(orderId);
      if (order) {
        await this.apply(order, (s) => this.deps.engine.acknowledge(s, attempt, providerId, this.deps.clock())).catch((error: unknown) => {
          // An ack that arrives after the attempt ended is still recorded in offer_deliveries.
          if (!(error instanceof DispatchError)) throw error;
        });
      }
      return true;
    });
  }

  // ───────────── queries ─────────────

  async getOrder(principal: Principal, id: string): Promise<WorkOrderSnapshot> {
    const order = await this.deps.repo.get(id);
    if (!order || !this.mayRead(principal, order)) throw new DispatchError('not_found', `work order ${id} not found`);
    return order;
  }

  /**
   * The unmasked resident card, for the staff member who accepted the order
   * (and their provider's dispatcher) while it is theirs: they must find the
   * home and call the family. Everyone else keeps the masked card of the offer.
   */
  async residentCard(principal: Principal, orderId: string): Promise<ResidentCard> {
    const order = await this.getOrder(principal, orderId);
    const accepted = [...order.transitions].reverse().find((t) => t.to === 'accepted');
    const holder = accepted?.by.kind === 'staff' ? accepted.by : undefined;
    const held = holder !== undefined && ['accepted', 'en_route', 'on_site', 'resolved'].includes(order.state) && principal.scope.providerId === holder.providerId;
    const assigned = held && (principal.role === 'provider_dispatcher' || principal.scope.staffId === holder.staffId);
    if (!assigned) throw new DispatchError('forbidden', 'only the staff who accepted this order may see the resident unmasked');
    const resident = order.residentId === null ? undefined : await this.deps.residents.getById(order.residentId, { unmasked: true });
    if (!resident) throw new DispatchError('not_found', `resident of work order ${orderId} not found`);
    return residentCard(resident, await this.homeOf(resident), this.deps.clock(), false);
  }

  private mayRead(principal: Principal, order: WorkOrderSnapshot): boolean {
    if (principal.role === 'platform_admin') return true;
    if (principal.role === 'district_officer') return canAccess(principal, { districtCode: order.districtCode });
    return order.attempts.some((a) => canAccess(principal, { providerId: a.candidate.providerId }));
  }

  async listOrders(principal: Principal, q: { readonly state?: WorkOrderState; readonly providerId?: string; readonly districtCode?: string; readonly limit?: number }): Promise<WorkOrderSnapshot[]> {
    const scope = listingScope(principal);
    const limit = q.limit ?? 100;
    if (scope.kind === 'provider' && q.providerId !== undefined && q.providerId !== scope.providerId) throw new DispatchError('forbidden', 'another provider');
    if (scope.kind === 'district' && q.districtCode !== undefined && q.districtCode !== scope.districtCode) throw new DispatchError('forbidden', 'another district');
    const filter = {
      limit,
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(scope.kind === 'provider' ? { providerId: scope.providerId } : q.providerId !== undefined ? { providerId: q.providerId } : {}),
      ...(scope.kind === 'district' ? { districtCode: scope.districtCode } : q.districtCode !== undefined ? { districtCode: q.districtCode } : {}),
    };
    return this.deps.repo.list(filter);
  }

  async kpis(principal: Principal, districtCode: string): Promise<DistrictKpis> {
    if (principal.role !== 'platform_admin' && principal.role !== 'district_officer') throw new DispatchError('forbidden', 'KPIs are for district officers');
    if (!canAccess(principal, { districtCode })) throw new DispatchError('forbidden', 'another district');
    return this.computeKpis(districtCode);
  }

  /** Every /dispatch event of this provider after `since`, from SQL. */
  async resyncProvider(providerId: string, since: number): Promise<DispatchResyncPayload> {
    const rows = await this.deps.repo.readStream(providerStream(providerId), since, this.deps.config.resyncPageSize + 1);
    const page = rows.slice(0, this.deps.config.resyncPageSize);
    const toCursor = page[page.length - 1]?.cursor ?? since;
    return { cursor: toCursor, since, toCursor, truncated: rows.length > page.length, events: page.map((r) => ({ event: r.event, data: r.payload }) as DispatchMissedEvent) };
  }

  async resyncDistrict(districtCode: string, since: number): Promise<DistrictResyncPayload> {
    const rows = await this.deps.repo.readStream(districtStream(districtCode), since, this.deps.config.resyncPageSize + 1);
    const page = rows.slice(0, this.deps.config.resyncPageSize);
    const toCursor = page[page.length - 1]?.cursor ?? since;
    return { cursor: toCursor, since, toCursor, truncated: rows.length > page.length, events: page.map((r) => ({ event: r.event, data: r.payload }) as DistrictMissedEvent) };
  }

  // ───────────── timers ─────────────

  /** Fires every SLA timer due at the clock's now (the scheduler calls this; tests with an injected clock may too). */
  tick(): Promise<number> {
    return this.serial(async () => {
      const now = this.deps.clock();
      const due = await this.deps.repo.due(now);
      if (due.length === 0) return 0;
      const byId = new Map(due.map((o) => [o.id, o]));
      const { changed, actions } = this.deps.engine.tick(due, now);
      for (const next of changed) {
        const prev = byId.get(next.id);
        if (!prev) continue;
        await this.commit(prev, { order: next, actions: actions.filter((a) => a.orderId === next.id) });
      }
      return changed.length;
    });
  }

  private wake(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick()
        .then(() => this.deps.repo.nextDeadline())
        .then((next) => this.wake(next === null ? this.deps.config.maxSleepMs : Math.min(this.deps.config.maxSleepMs, Math.max(0, next - this.deps.clock()))))
        .catch((e: unknown) => {
          this.fail('tick', e);
          this.wake(this.deps.config.maxSleepMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private rescheduleAfterCommit(nextDeadline: number | null): void {
    if (nextDeadline === null || this.stopped) return;
    const delay = Math.max(0, nextDeadline - this.deps.clock());
    if (delay < this.deps.config.maxSleepMs) this.wake(delay);
  }

  /** Re-sends live offers nobody acknowledged within `redeliverMs`. */
  private async redeliver(): Promise<void> {
    const now = this.deps.clock();
    const pending = await this.deps.repo.unackedOffers(now - this.deps.config.redeliverMs);
    for (const p of pending) {
      const payload = await this.deps.repo.outboxPayload(providerStream(p.providerId), p.cursor);
      if (payload === undefined) continue;
      await this.deps.repo.markResent(p.orderId, p.attempt, now);
      this.emitter.toProvider(p.providerId, { event: 'offer', data: payload } as DispatchMissedEvent);
      this.deps.metrics.resent();
    }
  }

  // ───────────── the pipeline ─────────────

  /** Applies an engine step to a stored order and commits it; domain errors become DispatchErrors. */
  private async apply(order: WorkOrderSnapshot, step: (s: WorkOrderSnapshot) => EngineResult): Promise<Emission[]> {
    let result: EngineResult;
    try {
      result = step(order);
    } catch (error) {
      if (error instanceof WorkOrderError) throw new DispatchError(error.code === 'no_candidate' ? 'illegal_transition' : error.code, error.message);
      throw error;
    }
    if (result.order.revision === order.revision) return [];
    return this.commit(order, result);
  }

  /** Persists the change and its events in one transaction, then emits them. */
  private async commit(prev: WorkOrderSnapshot | null, result: EngineResult, openContext?: OrderContext): Promise<Emission[]> {
    const next = result.order;
    const at = this.deps.clock();
    const nextDeadline = this.nextDeadlineOf(next);
    // Read outside the transaction: the SQLite connection is single, a read on it from inside would wait forever.
    const family = result.actions.some((a) => a.type === 'notify_family')
      ? await this.familyPayload(next, openContext ?? ((await this.deps.repo.context(next.id)) as OrderContext | undefined), 'escalated')
      : undefined;
    let emissions: Emission[];
    try {
      emissions = await this.deps.repo.transaction(async (repo) => {
        if (prev === null) await repo.insert(next, openContext ?? null, { providerId: holderOf(next), nextDeadline, at });
        else await repo.update(prev, next, { providerId: holderOf(next), nextDeadline, at });
        return this.writeEvents(repo, prev, next, result.actions, openContext, at, family);
      });
    } catch (error) {
      if (error instanceof WorkOrderConflictError) throw new DispatchError('illegal_transition', error.message);
      throw error;
    }
    for (const e of emissions) {
      if (e.provider !== undefined) this.emitter.toProvider(e.provider, e.event as DispatchMissedEvent);
      if (e.district !== undefined) this.emitter.toDistrict(e.district, e.event as DistrictMissedEvent);
    }
    if (result.actions.some((a) => a.type === 'notify_family' || a.type === 'escalate_to_duty_officer')) this.deps.notifier.kick();
    for (const a of result.actions) if (a.type === 'escalate_to_duty_officer') this.deps.metrics.escalated(a.reason);
    this.rescheduleAfterCommit(nextDeadline);
    this.noteForKpis(next);
    return emissions;
  }

  private async writeEvents(
    repo: WorkOrderRepository,
    prev: WorkOrderSnapshot | null,
    next: WorkOrderSnapshot,
    actions: readonly DispatchAction[],
    openContext: OrderContext | undefined,
    at: number,
    family: unknown,
  ): Promise<Emission[]> {
    const out: Emission[] = [];
    const stateChanged = prev === null || prev.state !== next.state;
    const outcomeChanged = (n: number): boolean => prev?.attempts[n - 1]?.outcome !== next.attempts[n - 1]?.outcome;
    const touched = next.attempts.filter((a) => outcomeChanged(a.attempt));
    if (!stateChanged && touched.length === 0) return out; // e.g. a delivery ack: no event
    let context = openContext;
    for (const a of touched) {
      const providerId = a.candidate.providerId;
      const stream = providerStream(providerId);
      if (prev?.attempts[a.attempt - 1] === undefined && a.outcome === 'pending') {
        context ??= (await repo.context(next.id)) as OrderContext;
        const ctx = context;
        const data = await repo.append(stream, 'offer', next.id, at, (cursor) => offerPayload(next, a, ctx, cursor));
        await repo.recordOffer(next.id, a.attempt, providerId, data.cursor, at);
        out.push({ provider: providerId, event: { event: 'offer', data } });
      } else {
        const data = await repo.append(stream, 'order:update', next.id, at, (cursor) => orderUpdatePayload(next, a, cursor));
        out.push({ provider: providerId, event: { event: 'order:update', data } });
        if (a.outcome !== 'pending') await repo.endOffer(next.id, a.attempt, at);
      }
    }
    const current = next.attempts[next.attempts.length - 1];
    if (stateChanged && current !== undefined && !touched.includes(current)) {
      const data = await repo.append(providerStream(current.candidate.providerId), 'order:update', next.id, at, (cursor) => orderUpdatePayload(next, current, cursor));
      out.push({ provider: current.candidate.providerId, event: { event: 'order:update', data } });
    }
    const district = await repo.append(districtStream(next.districtCode), 'order:update', next.id, at, (cursor) => districtOrderUpdatePayload(next, cursor));
    out.push({ district: next.districtCode, event: { event: 'order:update', data: district } });
    for (const action of actions) {
      if (action.type === 'notify_family') {
        await repo.enqueueNotification({
          id: randomUUID(),
          channel: 'family',
          idempotencyKey: `family:${next.id}`,
          orderId: next.id,
          at,
          payload: { ...(family as object), reason: action.reason },
        });
      } else if (action.type === 'escalate_to_duty_officer') {
        await repo.enqueueNotification({
          id: randomUUID(),
          channel: 'duty_officer',
          idempotencyKey: `duty:${next.id}:${next.revision}`,
          orderId: next.id,
          at,
          payload: { type: 'escalation', orderId: next.id, alertId: next.alertId, districtCode: next.districtCode, streetCode: next.streetCode, kind: next.reason, priority: next.priority, reason: action.reason, coverageGap: next.coverageGap, at },
        });
      }
    }
    return out;
  }

  /**
   * What the family webhook (an SMS / voice gateway) gets: the emergency
   * contacts in full, since it must reach them; nothing else personal.
   */
  private async familyPayload(order: WorkOrderSnapshot, context: OrderContext | undefined, reason: string): Promise<unknown> {
    const resident = order.residentId === null ? undefined : ((await this.deps.residents.getById(order.residentId, { unmasked: true })));
    return {
      type: 'family_notification',
      orderId: order.id,
      alertId: order.alertId,
      kind: order.reason,
      priority: order.priority,
      reason,
      raisedAt: order.createdAt,
      contacts: resident?.emergencyContacts ?? [],
      message: `【安心】您的家人${context?.resident.displayName ?? ''}触发${context?.alert.evidenceSummary ?? '紧急告警'}，服务机构暂未响应，区值班员已介入处置，请尽快联系老人。`,
    };
  }

  private nextDeadlineOf(o: WorkOrderSnapshot): number | null {
    const last = o.transitions[o.transitions.length - 1]?.at ?? o.createdAt;
    // Resting states left between two steps, and a P1 escalation whose family was not yet told, are due at once.
    if (o.state === 'declined' || o.state === 'timed_out') return last;
    if (o.state === 'escalated' && o.priority === 'P1' && o.familyNotifiedAt === null) return last;
    return this.deps.engine.nextDeadline([o]);
  }

  private emitAlertUpdate(alert: Alert, orders: readonly WorkOrderSnapshot[]): void {
    void this.writeAlertUpdates(alert, orders).catch((e: unknown) => this.fail('alert:update', e));
  }

  private async writeAlertUpdates(alert: Alert, orders: readonly WorkOrderSnapshot[]): Promise<void> {
    const at = this.deps.clock();
    const first = orders[0];
    if (!first) return;
    const context = (await this.deps.repo.context(first.id)) as OrderContext | undefined;
    const emissions = await this.deps.repo.transaction(async (repo) => {
      const out: Emission[] = [];
      const providers = new Set(orders.flatMap((o) => o.attempts.map((a) => a.candidate.providerId)));
      for (const providerId of providers) {
        const data = await repo.append(providerStream(providerId), 'alert:update', null, at, (cursor) => ({
          cursor,
          alertId: alert.id,
          orderIds: orders.filter((o) => o.attempts.some((a) => a.candidate.providerId === providerId)).map((o) => o.id),
          kind: alert.kind,
          state: alert.state,
          severity: alert.severity,
          acknowledged: alert.acknowledged,
          downgraded: alert.downgraded,
          downgradeReason: alert.downgradeReason === null ? null : alert.downgradeReason.slice(0, 200),
          flaps: alert.flaps,
          conditionEnded: alert.state === 'active' && alert.conditionEndedAt !== null,
          at,
        }));
        out.push({ provider: providerId, event: { event: 'alert:update', data } });
      }
      const data = await repo.append(districtStream(first.districtCode), 'alert:update', null, at, (cursor) => ({
        cursor,
        alertId: alert.id,
        districtCode: first.districtCode,
        streetCode: first.streetCode,
        kind: alert.kind,
        severity: alert.severity,
        priority: alert.priority,
        state: alert.state,
        acknowledged: alert.acknowledged,
        downgraded: alert.downgraded,
        cell: context?.cell ?? null,
        raisedAt: Math.round(alert.detectedAt),
        at,
      }));
      out.push({ district: first.districtCode, event: { event: 'alert:update', data } });
      return out;
    });
    for (const e of emissions) {
      if (e.provider !== undefined) this.emitter.toProvider(e.provider, e.event as DispatchMissedEvent);
      if (e.district !== undefined) this.emitter.toDistrict(e.district, e.event as DistrictMissedEvent);
    }
  }

  // ───────────── KPIs (效果全评估) ─────────────

  private async districtOrders(districtCode: string): Promise<Map<string, WorkOrderSnapshot>> {
    let cache = this.kpiCache.get(districtCode);
    if (!cache) {
      const orders = await this.deps.repo.inDistrictSince(districtCode, this.deps.clock() - this.deps.config.kpiWindowMs);
      cache = new Map(orders.map((o) => [o.id, o]));
      this.kpiCache.set(districtCode, cache);
    }
    return cache;
  }

  private async computeKpis(districtCode: string): Promise<DistrictKpis> {
    const now = this.deps.clock();
    const from = now - this.deps.config.kpiWindowMs;
    const cache = await this.districtOrders(districtCode);
    for (const [id, o] of cache) if (o.createdAt < from) cache.delete(id);
    return computeDistrictKpis([...cache.values()], districtCode, { from, to: now + 1 });
  }

  /** Recomputed on every order change, emitted at most once per `kpiThrottleMs` per district (the last change always is). */
  private noteForKpis(order: WorkOrderSnapshot): void {
    const cache = this.kpiCache.get(order.districtCode);
    if (cache) cache.set(order.id, order);
    if (this.kpiTimers.has(order.districtCode) || this.stopped) return;
    const timer = setTimeout(() => {
      this.kpiTimers.delete(order.districtCode);
      void this.emitKpis(order.districtCode).catch((e: unknown) => this.fail('kpi:update', e));
    }, this.deps.config.kpiThrottleMs);
    timer.unref();
    this.kpiTimers.set(order.districtCode, timer);
  }

  private async emitKpis(districtCode: string): Promise<void> {
    const kpis = await this.computeKpis(districtCode);
    const data = await this.deps.repo.transaction((repo) => repo.append(districtStream(districtCode), 'kpi:update', null, this.deps.clock(), (cursor) => ({ ...kpis, cursor })));
    this.emitter.toDistrict(districtCode, { event: 'kpi:update', data });
  }

  // ───────────── plumbing ─────────────

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** An emit that fails (e.g. a payload the contract refuses) is logged; the change is committed and resync serves it. */
  private guarded(f: () => void): void {
    try {
      f();
    } catch (error) {
      this.fail('emit', error);
    }
  }

  private fail(what: string, error: unknown): void {
    this.deps.logger.error({ err: error instanceof Error ? (error.stack ?? error.message) : String(error) }, `dispatch ${what} failed`);
  }
}

function staffActor(actor: Actor): Extract<Actor, { kind: 'staff' }> {
  if (actor.kind !== 'staff') throw new DispatchError('forbidden', 'only provider staff accept or decline offers');
  return actor;
}
