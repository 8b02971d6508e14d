/**
 * Dispatch: work orders (the domain snapshot as JSON, with the columns the
 * scheduler and listings filter on), their transition log, the per-stream
 * event outbox that socket.io consoles resync from after a reconnect, offer
 * deliveries (acknowledged by a console) and the durable notification outbox
 * (family and duty-officer webhooks).
 *
 * Same portability rules as the registry (database.ts): text ids, epoch-ms
 * `bigint` timestamps, JSON as text parsed with zod on read.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('work_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text')
    .addColumn('resident_id', 'text')
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('street_code', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    /** The provider holding the current attempt (null: none, e.g. a coverage gap). */
    .addColumn('provider_id', 'text')
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    /** What every offer of the order shows (alert summary, masked resident card, ~1 km cell), JSON, fixed at open. */
    .addColumn('context', 'text', (c) => c.notNull())
    /** When the scheduler must next run `tick` for this order; null: nothing due. Timers are data. */
    .addColumn('next_deadline', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('work_orders_deadline_idx').on('work_orders').column('next_deadline').execute();
  await db.schema.createIndex('work_orders_alert_idx').on('work_orders').column('alert_id').execute();
  await db.schema.createIndex('work_orders_district_idx').on('work_orders').columns(['district_code', 'created_at']).execute();
  await db.schema.createIndex('work_orders_provider_idx').on('work_orders').columns(['provider_id', 'state']).execute();

  await db.schema
    .createTable('work_order_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('order_id', 'text', (c) => c.notNull().references('work_orders.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer')
    /** JSON actor: { kind: 'staff', staffId, providerId } | { kind: 'duty_officer', officerId } | { kind: 'system' } */
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('work_order_events_order_idx').on('work_order_events').columns(['order_id', 'id']).execute();

  await db.schema
    .createTable('dispatch_outbox')
    /** `provider:{id}` (/dispatch) or `district:{code}` (/district). */
    .addColumn('stream', 'text', (c) => c.notNull())
    /** +1 per event and per stream, from 1: the contract's `cursor`. */
    .addColumn('cursor', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    /** The validated payload as emitted (JSON). */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dispatch_outbox_pk', ['stream', 'cursor'])
    .execute();

  await db.schema
    .createTable('offer_deliveries')
    .addColumn('order_id', 'text', (c) => c.notNull().references('work_orders.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    /** The outbox cursor of the offer on the provider's stream. */
    .addColumn('cursor', 'integer', (c) => c.notNull())
    .addColumn('first_sent_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
    .addColumn('sends', 'integer', (c) => c.notNull())
    .addColumn('acked_at', 'bigint')
    .addColumn('acked_by_staff', 'text')
    .addColumn('acked_socket', 'text')
    /** Set when the attempt ended (accepted, declined, timed out, withdrawn): no more re-sends. */
    .addColumn('ended_at', 'bigint')
    .addPrimaryKeyConstraint('offer_deliveries_pk', ['order_id', 'attempt'])
    .execute();
  await db.schema.createIndex('offer_deliveries_open_idx').on('offer_deliveries').columns(['acked_at', 'ended_at']).execute();

  await db.schema
    .createTable('notification_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** `family` or `duty_officer`: which webhook. */
    .addColumn('channel', 'text', (c) => c.notNull())
    /** Sent as the Idempotency-Key header: the receiver drops a repeat. */
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('order_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('notification_outbox_channel', sql`channel in ('family', 'duty_officer')`)
    .execute();
  await db.schema.createIndex('notification_outbox_due_idx').on('notification_outbox').columns(['delivered_at', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['notification_outbox', 'offer_deliveries', 'dispatch_outbox', 'work_order_events', 'work_orders']) await db.schema.dropTable(table).execute();
}
