/**
 * The dispatch tables (migrations 0120-dispatch and 0160-pending-alert-notices)
 * as kysely types, widening the registry connection like alerting and
 * providers do.
 */
import type { Kysely } from 'kysely';
import type { Database, RegistryDb } from '../registry/database.js';

export type WorkOrderTable = {
  id: string;
  alert_id: string | null;
  resident_id: string | null;
  district_code: string;
  street_code: string;
  priority: string;
  state: string;
  provider_id: string | null;
  snapshot: string;
  revision: number;
  context: string;
  next_deadline: number | null;
  created_at: number;
  updated_at: number;
};

export type WorkOrderEventTable = {
  id: number | undefined;
  order_id: string;
  revision: number;
  from_state: string | null;
  to_state: string;
  attempt: number | null;
  actor: string;
  note: string | null;
  at: number;
};

export type DispatchOutboxTable = { stream: string; cursor: number; event: string; payload: string; order_id: string | null; at: number };

export type OfferDeliveryTable = {
  order_id: string;
  attempt: number;
  provider_id: string;
  cursor: number;
  first_sent_at: number;
  last_sent_at: number;
  sends: number;
  acked_at: number | null;
  acked_by_staff: string | null;
  acked_socket: string | null;
  ended_at: number | null;
};

/** Migration 0160: the console told that an alert is 待确认. */
export type PendingAlertNoticeTable = { alert_id: string; provider_id: string; announced_at: number; ended_at: number | null };

export type NotificationOutboxTable = {
  id: string;
  channel: string;
  idempotency_key: string;
  order_id: string | null;
  payload: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
};

export type DispatchTables = {
  work_orders: WorkOrderTable;
  work_order_events: WorkOrderEventTable;
  dispatch_outbox: DispatchOutboxTable;
  offer_deliveries: OfferDeliveryTable;
  notification_outbox: NotificationOutboxTable;
  pending_alert_notices: PendingAlertNoticeTable;
};

export type DispatchDb = Kysely<Database & DispatchTables>;

export function dispatchDb(db: RegistryDb): DispatchDb {
  return db.withTables<DispatchTables>();
}
