/**
 * SQL for dispatch (STYLE.md §3: all I/O behind one class): work orders with
 * optimistic concurrency on `revision`, their transition log, the per-stream
 * outbox consoles resync from, offer deliveries, the 待确认 notices and the
 * notification outbox.
 * Every multi-row change runs in one transaction (`transaction`), so an order
 * and the events it emits are committed together or not at all.
 */
import { workOrderSnapshotSchema, type WorkOrderSnapshot, type WorkOrderState } from '../domain/dispatch/work-order.schema.js';
import type { DispatchDb, NotificationOutboxTable } from './dispatch.tables.js';

export class WorkOrderConflictError extends Error {
  constructor(readonly orderId: string, readonly expectedRevision: number) {
    super(`work order ${orderId}: revision ${expectedRevision} is no longer current`);
    this.name = 'WorkOrderConflictError';
  }
}

export interface OutboxRow {
  readonly stream: string;
  readonly cursor: number;
  readonly event: string;
  readonly payload: unknown;
  readonly orderId: string | null;
  readonly at: number;
}

export interface OrderListFilter {
  readonly providerId?: string;
  readonly residentId?: string;
  readonly districtCode?: string;
  readonly state?: WorkOrderState;
  readonly limit: number;
}

export interface PendingDelivery {
  readonly orderId: string;
  readonly attempt: number;
  readonly providerId: string;
  readonly cursor: number;
  readonly lastSentAt: number;
}

export interface NotificationRow {
  readonly id: string;
  readonly channel: 'family' | 'duty_officer';
  readonly idempotencyKey: string;
  readonly orderId: string | null;
  readonly payload: unknown;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
}

const LIVE_STATES: readonly WorkOrderState[] = ['offered', 'accepted', 'en_route', 'on_site'];

const parseSnapshot = (text: string): WorkOrderSnapshot => workOrderSnapshotSchema.parse(JSON.parse(text));

export class WorkOrderRepository {
  constructor(private readonly db: DispatchDb) {}

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: (repo: WorkOrderRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new WorkOrderRepository(trx)));
  }

  async insert(order: WorkOrderSnapshot, context: unknown, row: { readonly providerId: string | null; readonly nextDeadline: number | null; readonly at: number }): Promise<void> {
    await this.db
      .insertInto('work_orders')
      .values({
        id: order.id,
        alert_id: order.alertId,
        resident_id: order.residentId,
        district_code: order.districtCode,
        street_code: order.streetCode,
        priority: order.priority,
        state: order.state,
        provider_id: row.providerId,
        snapshot: JSON.stringify(order),
        revision: order.revision,
        context: JSON.stringify(context),
        next_deadline: row.nextDeadline,
        created_at: order.createdAt,
        updated_at: row.at,
      })
      .execute();
    await this.appendTransitions(order, 0);
  }

  /** Stores the next snapshot if nobody changed the order since `previous` (else WorkOrderConflictError). */
  async update(
    previous: WorkOrderSnapshot,
    next: WorkOrderSnapshot,
    row: { readonly providerId: string | null; readonly nextDeadline: number | null; readonly at: number },
  ): Promise<void> {
    const result = await this.db
      .updateTable('work_orders')
      .set({ state: next.state, provider_id: row.providerId, snapshot: JSON.stringify(next), revision: next.revision, next_deadline: row.nextDeadline, updated_at: row.at })
      .where('id', '=', next.id)
      .where('revision', '=', previous.revision)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new WorkOrderConflictError(next.id, previous.revision);
    await this.appendTransitions(next, previous.transitions.length);
  }

  private async appendTransitions(order: WorkOrderSnapshot, from: number): Promise<void> {
    const rows = order.transitions.slice(from).map((t) => ({
      order_id: order.id,
      revision: order.revision,
      from_state: t.from,
      to_state: t.to,
      attempt: t.attempt,
      actor: JSON.stringify(t.by),
      note: t.note,
      at: t.at,
    }));
    if (rows.length > 0) await this.db.insertInto('work_order_events').values(rows).execute();
  }

  async get(id: string): Promise<WorkOrderSnapshot | undefined> {
    const row = await this.db.selectFrom('work_orders').select('snapshot').where('id', '=', id).executeTakeFirst();
    return row ? parseSnapshot(row.snapshot) : undefined;
  }

  async context(id: string): Promise<unknown> {
    const row = await this.db.selectFrom('work_orders').select('context').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.context) as unknown) : undefined;
  }

  async byAlert(alertId: string): Promise<WorkOrderSnapshot[]> {
    const rows = await this.db.selectFrom('work_orders').select('snapshot').where('alert_id', '=', alertId).orderBy('created_at').execute();
    return rows.map((r) => parseSnapshot(r.snapshot));
  }

  /** Orders with a timer due at `now` (timers are data: this is what a restarted backend reads). */
  async due(now: number, limit = 500): Promise<WorkOrderSnapshot[]> {
    const rows = await this.db
      .selectFrom('work_orders')
      .select('snapshot')
      .where('next_deadline', 'is not', null)
      .where('next_deadline', '<=', now)
      .orderBy('next_deadline')
      .limit(limit)
      .execute();
    return rows.map((r) => parseSnapshot(r.snapshot));
  }

  async nextDeadline(): Promise<number | null> {
    const row = await this.db.selectFrom('work_orders').select((eb) => eb.fn.min('next_deadline').as('next')).executeTakeFirst();
    const next = row?.next;
    return next === null || next === undefined ? null : Number(next);
  }

  async list(filter: OrderListFilter): Promise<WorkOrderSnapshot[]> {
    let q = this.db.selectFrom('work_orders').select('snapshot');
    if (filter.providerId !== undefined) {
      // A provider sees the orders it holds now and those it was offered before (its own attempts).
      const providerId = filter.providerId;
      q = q.where((eb) =>
        eb.or([
          eb('provider_id', '=', providerId),
          eb.exists(
            eb
              .selectFrom('offer_deliveries')
              .select('offer_deliveries.order_id')
              .whereRef('offer_deliveries.order_id', '=', 'work_orders.id')
              .where('offer_deliveries.provider_id', '=', providerId),
          ),
        ]),
      );
    }
    if (filter.districtCode !== undefined) q = q.where('district_code', '=', filter.districtCode);
    if (filter.residentId !== undefined) q = q.where('resident_id', '=', filter.residentId);
    if (filter.state !== undefined) q = q.where('state', '=', filter.state);
    const rows = await q.orderBy('created_at', 'desc').limit(filter.limit).execute();
    return rows.map((r) => parseSnapshot(r.snapshot));
  }

  /**
   * Residents of the orders a provider holds or was offered (its own
   * attempts), the set whose devices and readings its staff may read.
   */
  async residentsServedBy(providerId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('work_orders')
      .select('resident_id')
      .distinct()
      .where('resident_id', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('provider_id', '=', providerId),
          eb.exists(eb.selectFrom('offer_deliveries').select('offer_deliveries.order_id').whereRef('offer_deliveries.order_id', '=', 'work_orders.id').where('offer_deliveries.provider_id', '=', providerId)),
        ]),
      )
      .execute();
    return rows.flatMap((r) => (r.resident_id === null ? [] : [r.resident_id]));
  }

  /**
   * The newest work order for `residentId` that `providerId` holds or was
   * offered: the purpose an audited read of that resident by the provider's
   * staff served (src/audit). Null when there is none.
   */
  async latestServing(providerId: string, residentId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('work_orders')
      .select('id')
      .where('resident_id', '=', residentId)
      .where((eb) =>
        eb.or([
          eb('provider_id', '=', providerId),
          eb.exists(eb.selectFrom('offer_deliveries').select('offer_deliveries.order_id').whereRef('offer_deliveries.order_id', '=', 'work_orders.id').where('offer_deliveries.provider_id', '=', providerId)),
        ]),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  async inDistrictSince(districtCode: string, from: number): Promise<WorkOrderSnapshot[]> {
    const rows = await this.db.selectFrom('work_orders').select('snapshot').where('district_code', '=', districtCode).where('created_at', '>=', from).execute();
    return rows.map((r) => parseSnapshot(r.snapshot));
  }

  /** Live orders per provider (the policy's "load"). */
  async openOrdersByProvider(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('work_orders')
      .select(['provider_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', 'in', LIVE_STATES)
      .where('provider_id', 'is not', null)
      .groupBy('provider_id')
      .execute();
    return new Map(rows.map((r) => [r.provider_id ?? '', Number(r.n)]));
  }

  // ───────────── outbox (per provider / per district streams) ─────────────

  /** Appends an event; `build(cursor)` makes the payload carrying its cursor. */
  async append<P>(stream: string, event: string, orderId: string | null, at: number, build: (cursor: number) => P): Promise<P> {
    const last = await this.db.selectFrom('dispatch_outbox').select((eb) => eb.fn.max('cursor').as('c')).where('stream', '=', stream).executeTakeFirst();
    const cursor = Number(last?.c ?? 0) + 1;
    const payload = build(cursor);
    await this.db.insertInto('dispatch_outbox').values({ stream, cursor, event, payload: JSON.stringify(payload), order_id: orderId, at }).execute();
    return payload;
  }

  async readStream(stream: string, after: number, limit: number): Promise<OutboxRow[]> {
    const rows = await this.db.selectFrom('dispatch_outbox').selectAll().where('stream', '=', stream).where('cursor', '>', after).orderBy('cursor').limit(limit).execute();
    return rows.map((r) => ({ stream: r.stream, cursor: Number(r.cursor), event: r.event, payload: JSON.parse(r.payload) as unknown, orderId: r.order_id, at: Number(r.at) }));
  }

  async lastCursor(stream: string): Promise<number> {
    const row = await this.db.selectFrom('dispatch_outbox').select((eb) => eb.fn.max('cursor').as('c')).where('stream', '=', stream).executeTakeFirst();
    return Number(row?.c ?? 0);
  }

  async outboxPayload(stream: string, cursor: number): Promise<unknown> {
    const row = await this.db.selectFrom('dispatch_outbox').select('payload').where('stream', '=', stream).where('cursor', '=', cursor).executeTakeFirst();
    return row ? (JSON.parse(row.payload) as unknown) : undefined;
  }

  // ───────────── offer deliveries ─────────────

  async recordOffer(orderId: string, attempt: number, providerId: string, cursor: number, at: number): Promise<void> {
    await this.db
      .insertInto('offer_deliveries')
      .values({ order_id: orderId, attempt, provider_id: providerId, cursor, first_sent_at: at, last_sent_at: at, sends: 1, acked_at: null, acked_by_staff: null, acked_socket: null, ended_at: null })
      .execute();
  }

  /** True the first time the offer is acknowledged. */
  async ackOffer(orderId: string, attempt: number, providerId: string, staffId: string | null, socketId: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('offer_deliveries')
      .set({ acked_at: at, acked_by_staff: staffId, acked_socket: socketId })
      .where('order_id', '=', orderId)
      .where('attempt', '=', attempt)
      .where('provider_id', '=', providerId)
      .where('acked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async endOffer(orderId: string, attempt: number, at: number): Promise<void> {
    await this.db.updateTable('offer_deliveries').set({ ended_at: at }).where('order_id', '=', orderId).where('attempt', '=', attempt).where('ended_at', 'is', null).execute();
  }

  /** Live, unacknowledged offers last sent at or before `sentBefore` (to re-send). */
  async unackedOffers(sentBefore: number, limit = 500): Promise<PendingDelivery[]> {
    const rows = await this.db
      .selectFrom('offer_deliveries')
      .selectAll()
      .where('acked_at', 'is', null)
      .where('ended_at', 'is', null)
      .where('last_sent_at', '<=', sentBefore)
      .orderBy('last_sent_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ orderId: r.order_id, attempt: Number(r.attempt), providerId: r.provider_id, cursor: Number(r.cursor), lastSentAt: Number(r.last_sent_at) }));
  }

  async markResent(orderId: string, attempt: number, at: number): Promise<void> {
    await this.db
      .updateTable('offer_deliveries')
      .set((eb) => ({ last_sent_at: at, sends: eb('sends', '+', 1) }))
      .where('order_id', '=', orderId)
      .where('attempt', '=', attempt)
      .execute();
  }

  async delivery(orderId: string, attempt: number): Promise<{ ackedAt: number | null; sends: number; ackedBy: string | null } | undefined> {
    const r = await this.db.selectFrom('offer_deliveries').selectAll().where('order_id', '=', orderId).where('attempt', '=', attempt).executeTakeFirst();
    return r ? { ackedAt: r.acked_at === null ? null : Number(r.acked_at), sends: Number(r.sends), ackedBy: r.acked_by_staff } : undefined;
  }

  // ───────────── 待确认 notices ─────────────

  /** The provider told that the alert is 待确认 and not yet told how that ended, if any. */
  async openPendingNotice(alertId: string): Promise<{ providerId: string } | undefined> {
    const row = await this.db.selectFrom('pending_alert_notices').select('provider_id').where('alert_id', '=', alertId).where('ended_at', 'is', null).executeTakeFirst();
    return row ? { providerId: row.provider_id } : undefined;
  }

  async recordPendingNotice(alertId: string, providerId: string, at: number): Promise<void> {
    await this.db
      .insertInto('pending_alert_notices')
      .values({ alert_id: alertId, provider_id: providerId, announced_at: at, ended_at: null })
      .onConflict((oc) => oc.column('alert_id').doUpdateSet({ provider_id: providerId, announced_at: at, ended_at: null }))
      .execute();
  }

  async endPendingNotice(alertId: string, at: number): Promise<void> {
    await this.db.updateTable('pending_alert_notices').set({ ended_at: at }).where('alert_id', '=', alertId).where('ended_at', 'is', null).execute();
  }

  // ───────────── notification outbox ─────────────

  /** Enqueues once per idempotency key (a repeat is ignored). */
  async enqueueNotification(n: { readonly id: string; readonly channel: 'family' | 'duty_officer'; readonly idempotencyKey: string; readonly orderId: string | null; readonly payload: unknown; readonly at: number }): Promise<void> {
    await this.db
      .insertInto('notification_outbox')
      .values({ id: n.id, channel: n.channel, idempotency_key: n.idempotencyKey, order_id: n.orderId, payload: JSON.stringify(n.payload), attempts: 0, next_attempt_at: n.at, last_error: null, delivered_at: null, created_at: n.at })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }

  async dueNotifications(now: number, limit = 50): Promise<NotificationRow[]> {
    const rows = await this.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('delivered_at', 'is', null)
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map(toNotification);
  }

  async nextNotificationAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom('notification_outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('next'))
      .where('delivered_at', 'is', null)
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }

  async notificationDelivered(id: string, at: number): Promise<void> {
    await this.db.updateTable('notification_outbox').set((eb) => ({ delivered_at: at, attempts: eb('attempts', '+', 1), next_attempt_at: null, last_error: null })).where('id', '=', id).execute();
  }

  /** `nextAttemptAt` null: given up (kept for the operator). */
  async notificationFailed(id: string, error: string, nextAttemptAt: number | null): Promise<void> {
    await this.db
      .updateTable('notification_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, last_error: error.slice(0, 500) }))
      .where('id', '=', id)
      .execute();
  }

  async notifications(orderId?: string): Promise<NotificationRow[]> {
    let q = this.db.selectFrom('notification_outbox').selectAll();
    if (orderId !== undefined) q = q.where('order_id', '=', orderId);
    return (await q.orderBy('created_at').execute()).map(toNotification);
  }

  async transitionLog(orderId: string): Promise<{ from: string | null; to: string; actor: unknown; at: number }[]> {
    const rows = await this.db.selectFrom('work_order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    return rows.map((r) => ({ from: r.from_state, to: r.to_state, actor: JSON.parse(r.actor) as unknown, at: Number(r.at) }));
  }
}

function toNotification(r: Omit<NotificationOutboxTable, 'created_at'>): NotificationRow {
  return {
    id: r.id,
    channel: r.channel === 'family' ? 'family' : 'duty_officer',
    idempotencyKey: r.idempotency_key,
    orderId: r.order_id,
    payload: JSON.parse(r.payload) as unknown,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    lastError: r.last_error,
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  };
}
