/**
 * Devices and their bindings (which resident, which home, which district and
 * street). All SQL for the device aggregate lives here.
 */
import { sql, type Selectable } from 'kysely';
import { DEVICE_TYPES, type DeviceType } from '../../devices/device-type.js';
import type { DeviceBinding } from '../domain/events/domain-events.js';
import { withTransaction, type DeviceTable, type RegistryDb } from './database.js';
import { clampPageSize, toPage, type Page, type PageRequest } from './paging.js';

export interface DeviceRecord {
  readonly id: string;
  readonly type: DeviceType;
  readonly secretHash: string;
  readonly secretAlgo: string;
  readonly residentId: string | null;
  readonly homeId: string | null;
  readonly label: string | null;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly provisionedBy: string;
}

/**
 * The devices a principal may list: all, one district's, or those of a set of
 * residents (the residents a provider was dispatched to) and their homes.
 */
export type DeviceScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'district'; readonly districtCode: string }
  | { readonly kind: 'residents'; readonly residentIds: readonly string[] };

export type NewDevice = Omit<DeviceRecord, 'disabled'> & { readonly disabled?: boolean };

/** What the broker's authenticate hook and ingest keep in memory per device. */
export type CachedDeviceBinding = DeviceBinding & { readonly secretHash: string; readonly disabled: boolean };

export class RegistryDataError extends Error {
  override readonly name = 'RegistryDataError';
}

function toDeviceType(value: string, deviceId: string): DeviceType {
  const type = DEVICE_TYPES.find((t) => t === value);
  if (type === undefined) throw new RegistryDataError(`device ${deviceId} has unknown type ${value}`);
  return type;
}

function toRecord(row: Selectable<DeviceTable>): DeviceRecord {
  return {
    id: row.id,
    type: toDeviceType(row.type, row.id),
    secretHash: row.secret_hash,
    secretAlgo: row.secret_algo,
    residentId: row.resident_id,
    homeId: row.home_id,
    label: row.label,
    disabled: row.disabled === 1,
    createdAt: Number(row.created_at),
    provisionedBy: row.provisioned_by,
  };
}

export class DeviceRepository {
  constructor(private readonly db: RegistryDb) {}

  async findById(deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /**
   * Where the device sits, as copied onto every domain event. The home is the
   * device's own or, for a device bound only to a resident (a wearable), the
   * resident's home. District and street come from the resident's community
   * or, for a home-only device, the home's community.
   */
  async findBinding(deviceId: string): Promise<DeviceBinding | undefined> {
    const row = await this.bindingQuery().where('d.id', '=', deviceId).executeTakeFirst();
    return row === undefined ? undefined : toBinding(row);
  }

  /**
   * Every device with its binding, secret hash and disabled flag, for warming
   * the in-memory cache at startup (10k devices is one query of about 1 MB).
   */
  async loadAllBindings(): Promise<Map<string, CachedDeviceBinding>> {
    const rows = await this.bindingQuery().select(['d.secret_hash', 'd.disabled']).orderBy('d.id').execute();
    return new Map(rows.map((row) => [row.deviceId, { ...toBinding(row), secretHash: row.secret_hash, disabled: row.disabled === 1 }]));
  }

  async insert(device: NewDevice): Promise<void> {
    await this.insertMany([device]);
  }

  /** Inserts in one transaction (all or none). */
  async insertMany(devices: readonly NewDevice[]): Promise<void> {
    if (devices.length === 0) return;
    const rows = devices.map((d) => ({
      id: d.id,
      type: d.type,
      secret_hash: d.secretHash,
      secret_algo: d.secretAlgo,
      resident_id: d.residentId,
      home_id: d.homeId,
      label: d.label,
      disabled: d.disabled === true ? 1 : 0,
      created_at: d.createdAt,
      provisioned_by: d.provisionedBy,
    }));
    await withTransaction(this.db, async (trx) => {
      // 10 columns × 200 rows stays far below SQLite's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 200) {
        await trx.insertInto('devices').values(rows.slice(i, i + 200)).execute();
      }
    });
  }

  async listByHome(homeId: string): Promise<DeviceRecord[]> {
    const rows = await this.db.selectFrom('devices').selectAll().where('home_id', '=', homeId).orderBy('id').execute();
    return rows.map(toRecord);
  }

  async listByResident(residentId: string): Promise<DeviceRecord[]> {
    const rows = await this.db.selectFrom('devices').selectAll().where('resident_id', '=', residentId).orderBy('id').execute();
    return rows.map(toRecord);
  }

  /**
   * Devices in id order, one page at a time: optionally of one type, of one
   * resident (their own devices and their home's shared ones), and always
   * within `scope` (the listing a principal may see).
   */
  async list(request: PageRequest & { readonly type?: DeviceType; readonly residentId?: string; readonly scope?: DeviceScope } = {}): Promise<Page<DeviceRecord>> {
    const limit = clampPageSize(request.limit);
    let query = this.scoped(request.scope ?? { kind: 'all' }).selectAll('d').orderBy('d.id').limit(limit + 1);
    if (request.cursor !== undefined) query = query.where('d.id', '>', request.cursor);
    if (request.type !== undefined) query = query.where('d.type', '=', request.type);
    if (request.residentId !== undefined) {
      const residentId = request.residentId;
      query = query.where((eb) =>
        eb.or([eb('d.resident_id', '=', residentId), eb('d.home_id', 'in', eb.selectFrom('residents').select('home_id').where('id', '=', residentId))]),
      );
    }
    const rows = await query.execute();
    return toPage(rows, limit, (r) => r.id, toRecord);
  }

  /** The device exists and lies within `scope`. */
  async isWithin(deviceId: string, scope: DeviceScope): Promise<boolean> {
    const row = await this.scoped(scope).select('d.id').where('d.id', '=', deviceId).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Devices joined to where they sit (as `bindingQuery`), narrowed to a scope:
   * a district by the binding's district; a set of residents by their own
   * devices and their homes' shared ones.
   */
  private scoped(scope: DeviceScope) {
    const query = this.db
      .selectFrom('devices as d')
      .leftJoin('residents as r', 'r.id', 'd.resident_id')
      .leftJoin('homes as h', (join) => join.on((eb) => eb('h.id', '=', eb.fn.coalesce('d.home_id', 'r.home_id'))))
      .leftJoin('communities as c', (join) => join.on((eb) => eb('c.code', '=', eb.fn.coalesce('r.community_code', 'h.community_code'))))
      .leftJoin('streets as s', 's.code', 'c.street_code');
    switch (scope.kind) {
      case 'all':
        return query;
      case 'district':
        return query.where('s.district_code', '=', scope.districtCode);
      case 'residents': {
        // An empty IN list is invalid SQL: no residents, no devices.
        if (scope.residentIds.length === 0) return query.where(sql<boolean>`1 = 0`);
        const ids = [...scope.residentIds];
        return query.where((eb) => eb.or([eb('d.resident_id', 'in', ids), eb('d.home_id', 'in', eb.selectFrom('residents').select('home_id').where('id', 'in', ids))]));
      }
    }
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Replaces the stored hash; true when the device exists. */
  async updateSecretHash(deviceId: string, secretHash: string, secretAlgo: string): Promise<boolean> {
    const result = await this.db
      .updateTable('devices')
      .set({ secret_hash: secretHash, secret_algo: secretAlgo })
      .where('id', '=', deviceId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** True when the device exists. */
  async setDisabled(deviceId: string, disabled: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('devices')
      .set({ disabled: disabled ? 1 : 0 })
      .where('id', '=', deviceId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private bindingQuery() {
    return this.db
      .selectFrom('devices as d')
      .leftJoin('residents as r', 'r.id', 'd.resident_id')
      .leftJoin('homes as h', (join) => join.on((eb) => eb('h.id', '=', eb.fn.coalesce('d.home_id', 'r.home_id'))))
      .leftJoin('communities as c', (join) => join.on((eb) => eb('c.code', '=', eb.fn.coalesce('r.community_code', 'h.community_code'))))
      .leftJoin('streets as s', 's.code', 'c.street_code')
      .select([
        'd.id as deviceId',
        'd.type as deviceType',
        'd.resident_id as residentId',
        'h.id as homeId',
        's.district_code as districtCode',
        's.code as streetCode',
      ]);
  }
}

interface BindingRow {
  deviceId: string;
  deviceType: string;
  residentId: string | null;
  homeId: string | null;
  districtCode: string | null;
  streetCode: string | null;
}

function toBinding(row: BindingRow): DeviceBinding {
  return {
    deviceId: row.deviceId,
    deviceType: toDeviceType(row.deviceType, row.deviceId),
    residentId: row.residentId,
    homeId: row.homeId,
    districtCode: row.districtCode,
    streetCode: row.streetCode,
  };
}
