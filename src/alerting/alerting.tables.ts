/**
 * The alerting tables (migration 0100-alerts) as kysely types. The registry's
 * `Database` interface belongs to the registry; alerting widens the same
 * connection with `withTables`, so one SQLite file and one transaction scope
 * serve both.
 */
import type { Generated, Kysely } from 'kysely';
import type { Database, RegistryDb } from '../registry/database.js';

export type AlertTable = {
  id: string;
  resident_id: string | null;
  home_id: string | null;
  device_id: string | null;
  kind: string;
  vital: string | null;
  severity: string;
  priority: string;
  state: string;
  acknowledged: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  count: number;
  first_raised_at: number;
  last_triggered_at: number;
  detected_at: number;
  cleared_at: number | null;
  cleared_by: string | null;
  evidence: string;
  data: string;
  version: number;
  updated_at: number;
};

export type AlertEventTable = {
  id: Generated<number>;
  alert_id: string;
  type: string;
  reason: string | null;
  actor: string;
  at: number;
  severity: string;
  state: string;
};

export type CarePlanTable = {
  resident_id: string;
  version: number;
  plan: string;
  updated_at: number;
  updated_by: string;
};

export type CarePlanAuditTable = {
  id: Generated<number>;
  resident_id: string;
  from_version: number;
  to_version: number;
  patch: string;
  changes: string;
  changed_by: string;
  changed_at: number;
};

export type RuleSettingsTable = {
  scope: string;
  version: number;
  settings: string;
  updated_at: number;
  updated_by: string;
};

export type RuleSettingsAuditTable = {
  id: Generated<number>;
  scope: string;
  from_version: number;
  to_version: number;
  patch: string;
  changed_by: string;
  changed_at: number;
};

export type RuleEngineStateTable = {
  name: string;
  snapshot: string;
  taken_at: number;
  last_inbox_id: number | null;
};

export type AlertingTables = {
  alerts: AlertTable;
  alert_events: AlertEventTable;
  care_plans: CarePlanTable;
  care_plan_audit: CarePlanAuditTable;
  rule_settings: RuleSettingsTable;
  rule_settings_audit: RuleSettingsAuditTable;
  rule_engine_state: RuleEngineStateTable;
};

export type AlertingDb = Kysely<Database & AlertingTables>;

export function alertingDb(db: RegistryDb): AlertingDb {
  return db.withTables<AlertingTables>();
}
