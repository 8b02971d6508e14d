/**
 * SQL for providers and their staff. Rows are parsed with the domain's zod
 * schemas on read (providerSchema, staffSchema), so what leaves this class is
 * exactly what the dispatch policy expects.
 */
import type { RegistryDb } from '../registry/database.js';
import { withTransaction } from '../registry/database.js';
import {
  providerSchema,
  staffSchema,
  type GeoPoint,
  type Provider,
  type ServiceType,
  type Staff,
} from '../domain/dispatch/provider.schema.js';
import { providersDb, type ProvidersDb, type StaffTable } from './providers.tables.js';

export interface ProviderFilter {
  readonly districtCode?: string;
  readonly streetCode?: string;
  readonly service?: ServiceType;
  readonly providerId?: string;
}

export class ProviderRepository {
  private readonly db: ProvidersDb;

  constructor(private readonly registry: RegistryDb) {
    this.db = providersDb(registry);
  }

  /** Providers matching every given filter, ordered by id. */
  async list(filter: ProviderFilter = {}): Promise<Provider[]> {
    let query = this.db.selectFrom('providers').selectAll('providers').orderBy('providers.id');
    if (filter.districtCode !== undefined) query = query.where('providers.district_code', '=', filter.districtCode);
    if (filter.providerId !== undefined) query = query.where('providers.id', '=', filter.providerId);
    if (filter.streetCode !== undefined) {
      const street = filter.streetCode;
      query = query.where('providers.id', 'in', (eb) => eb.selectFrom('provider_streets').select('provider_id').where('street_code', '=', street));
    }
    if (filter.service !== undefined) {
      const service = filter.service;
      query = query.where('providers.id', 'in', (eb) => eb.selectFrom('provider_services').select('provider_id').where('service', '=', service));
    }
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [services, streets] = await Promise.all([
      this.db.selectFrom('provider_services').selectAll().where('provider_id', 'in', ids).orderBy('service').execute(),
      this.db.selectFrom('provider_streets').selectAll().where('provider_id', 'in', ids).orderBy('street_code').execute(),
    ]);
    const servicesOf = group(services, (s) => s.provider_id, (s) => s.service);
    const streetsOf = group(streets, (s) => s.provider_id, (s) => s.street_code);
    return rows.map((r) =>
      providerSchema.parse({
        id: r.id,
        name: r.name,
        districtCode: r.district_code,
        services: servicesOf.get(r.id) ?? [],
        streetCodes: streetsOf.get(r.id) ?? [],
        base: { lat: r.base_lat, lon: r.base_lon },
        dutyPhone: r.duty_phone,
      }),
    );
  }

  async get(id: string): Promise<Provider | undefined> {
    return (await this.list({ providerId: id }))[0];
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('providers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Staff of one provider (or of every provider), ordered by id. */
  async listStaff(options: { readonly providerId?: string; readonly onDutyOnly?: boolean } = {}): Promise<Staff[]> {
    let query = this.db.selectFrom('staff').selectAll().orderBy('id');
    if (options.providerId !== undefined) query = query.where('provider_id', '=', options.providerId);
    if (options.onDutyOnly === true) query = query.where('on_duty', '=', 1);
    return (await query.execute()).map(toStaff);
  }

  async staffOnDuty(providerId: string): Promise<Staff[]> {
    return this.listStaff({ providerId, onDutyOnly: true });
  }

  async getStaff(id: string): Promise<Staff | undefined> {
    const row = await this.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toStaff(row) : undefined;
  }

  /** Returns the updated staff member, or undefined when the id is unknown. */
  async setOnDuty(staffId: string, onDuty: boolean, at: number): Promise<Staff | undefined> {
    await this.db.updateTable('staff').set({ on_duty: onDuty ? 1 : 0, updated_at: at }).where('id', '=', staffId).execute();
    return this.getStaff(staffId);
  }

  async updateLocation(staffId: string, point: GeoPoint, at: number): Promise<Staff | undefined> {
    await this.db
      .updateTable('staff')
      .set({ last_lat: point.lat, last_lon: point.lon, last_located_at: at, updated_at: at })
      .where('id', '=', staffId)
      .execute();
    return this.getStaff(staffId);
  }

  /** Inserts providers with their services, streets and staff in one transaction. */
  async insertMany(items: readonly { readonly provider: Provider; readonly staff: readonly Staff[] }[], at: number): Promise<void> {
    await withTransaction(this.registry, async (trx) => {
      const db = providersDb(trx);
      for (const { provider: p, staff } of items) {
        await db
          .insertInto('providers')
          .values({ id: p.id, name: p.name, district_code: p.districtCode, base_lat: p.base.lat, base_lon: p.base.lon, duty_phone: p.dutyPhone, created_at: at, updated_at: at })
          .execute();
        await db.insertInto('provider_services').values(p.services.map((service) => ({ provider_id: p.id, service }))).execute();
        await db.insertInto('provider_streets').values(p.streetCodes.map((street_code) => ({ provider_id: p.id, street_code }))).execute();
        if (staff.length > 0) {
          await db
            .insertInto('staff')
            .values(
              staff.map((s) => ({
                id: s.id,
                provider_id: p.id,
                name: s.name,
                role: s.role,
                on_duty: s.onDuty ? 1 : 0,
                travel_mode: s.travelMode,
                last_lat: s.location?.lat ?? null,
                last_lon: s.location?.lon ?? null,
                last_located_at: s.location?.at ?? null,
                updated_at: at,
              })),
            )
            .execute();
        }
      }
    });
  }
}

function toStaff(row: StaffTable): Staff {
  const located = row.last_lat !== null && row.last_lon !== null && row.last_located_at !== null;
  return staffSchema.parse({
    id: row.id,
    providerId: row.provider_id,
    name: row.name,
    role: row.role,
    onDuty: row.on_duty === 1,
    travelMode: row.travel_mode,
    location: located ? { lat: row.last_lat, lon: row.last_lon, at: Number(row.last_located_at) } : null,
  });
}

function group<T, V>(rows: readonly T[], key: (row: T) => string, value: (row: T) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(value(row));
    else out.set(k, [value(row)]);
  }
  return out;
}
