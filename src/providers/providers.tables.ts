/**
 * The provider registry tables (migration 0110-providers) as kysely types,
 * widening the registry connection like alerting does (`withTables`).
 */
import type { Kysely } from 'kysely';
import type { Database, RegistryDb } from '../registry/database.js';

export type ProviderTable = {
  id: string;
  name: string;
  district_code: string;
  base_lat: number;
  base_lon: number;
  duty_phone: string | null;
  created_at: number;
  updated_at: number;
};

export type ProviderServiceTable = { provider_id: string; service: string };
export type ProviderStreetTable = { provider_id: string; street_code: string };

export type StaffTable = {
  id: string;
  provider_id: string;
  name: string;
  role: string;
  /** 0 or 1. */
  on_duty: number;
  travel_mode: string;
  last_lat: number | null;
  last_lon: number | null;
  last_located_at: number | null;
  updated_at: number;
};

export type ProviderTables = {
  providers: ProviderTable;
  provider_services: ProviderServiceTable;
  provider_streets: ProviderStreetTable;
  staff: StaffTable;
};

export type ProvidersDb = Kysely<Database & ProviderTables>;

export function providersDb(db: RegistryDb): ProvidersDb {
  return db.withTables<ProviderTables>();
}
