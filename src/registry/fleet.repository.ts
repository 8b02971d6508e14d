/**
 * Homes with their residents and devices, in the shape of the simulator's
 * fleet manifest (no secrets: demo secrets are derived from the demo key).
 */
import type { DeviceType } from '../../devices/device-type.js';
import type { RegistryDb } from './database.js';

export interface FleetHome {
  readonly homeId: string;
  readonly residentId: string;
  readonly lat: number;
  readonly lon: number;
  readonly devices: { readonly deviceId: string; readonly type: DeviceType }[];
}

export class FleetRepository {
  constructor(private readonly db: RegistryDb) {}

  /** The first `limit` homes (by id) that have a resident, with every enabled device of the home or its resident. */
  async listHomes(limit: number): Promise<FleetHome[]> {
    const homes = await this.db
      .selectFrom('homes as h')
      .innerJoin('residents as r', 'r.home_id', 'h.id')
      .select(['h.id as homeId', 'h.lat', 'h.lon', (eb) => eb.fn.min('r.id').as('residentId')])
      .groupBy(['h.id', 'h.lat', 'h.lon'])
      .orderBy('h.id')
      .limit(limit)
      .execute();
    if (homes.length === 0) return [];
    const ids = homes.map((h) => h.homeId);
    const devices = await this.db
      .selectFrom('devices as d')
      .leftJoin('residents as r', 'r.id', 'd.resident_id')
      .select(['d.id', 'd.type', (eb) => eb.fn.coalesce('d.home_id', 'r.home_id').as('homeId')])
      .where('d.disabled', '=', 0)
      .where((eb) => eb.or([eb('d.home_id', 'in', ids), eb('r.home_id', 'in', ids)]))
      .orderBy('d.id')
      .execute();
    const byHome = new Map<string, { deviceId: string; type: DeviceType }[]>();
    for (const d of devices) {
      if (d.homeId === null) continue;
      const list = byHome.get(d.homeId) ?? [];
      list.push({ deviceId: d.id, type: d.type as DeviceType });
      byHome.set(d.homeId, list);
    }
    return homes.map((h) => ({ homeId: h.homeId, residentId: String(h.residentId), lat: h.lat, lon: h.lon, devices: byHome.get(h.homeId) ?? [] }));
  }
}
