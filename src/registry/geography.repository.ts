/** Districts (区), streets (街道), communities (社区) and homes: the places residents live in. */
import { withTransaction, type RegistryDb } from './database.js';

export interface District {
  readonly code: string;
  readonly name: string;
  readonly adcode: string;
}

export interface Street {
  readonly code: string;
  readonly districtCode: string;
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

export interface Community {
  readonly code: string;
  readonly streetCode: string;
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

export interface Home {
  readonly id: string;
  readonly communityCode: string;
  readonly address: string;
  readonly lat: number;
  readonly lon: number;
  /** Geofence radius for wearables, metres. */
  readonly homeRadiusM: number;
}

const CHUNK = 200;

export class GeographyRepository {
  constructor(private readonly db: RegistryDb) {}

  async listDistricts(): Promise<District[]> {
    return this.db.selectFrom('districts').select(['code', 'name', 'adcode']).orderBy('code').execute();
  }

  async listStreets(districtCode?: string): Promise<Street[]> {
    let query = this.db
      .selectFrom('streets')
      .select(['code', 'district_code as districtCode', 'name', 'lat', 'lon'])
      .orderBy('code');
    if (districtCode !== undefined) query = query.where('district_code', '=', districtCode);
    return query.execute();
  }

  async listCommunities(streetCode?: string): Promise<Community[]> {
    let query = this.db
      .selectFrom('communities')
      .select(['code', 'street_code as streetCode', 'name', 'lat', 'lon'])
      .orderBy('code');
    if (streetCode !== undefined) query = query.where('street_code', '=', streetCode);
    return query.execute();
  }

  async findHome(id: string): Promise<Home | undefined> {
    return this.homeQuery().where('id', '=', id).executeTakeFirst();
  }

  async listHomes(communityCode: string): Promise<Home[]> {
    return this.homeQuery().where('community_code', '=', communityCode).orderBy('id').execute();
  }

  async countDistricts(): Promise<number> {
    const row = await this.db.selectFrom('districts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Inserts the whole tree in one transaction (all or none). */
  async insertAll(places: {
    readonly districts: readonly District[];
    readonly streets: readonly Street[];
    readonly communities: readonly Community[];
    readonly homes: readonly Home[];
  }): Promise<void> {
    await withTransaction(this.db, async (trx) => {
      for (const chunk of chunks(places.districts)) {
        await trx.insertInto('districts').values(chunk.map((d) => ({ code: d.code, name: d.name, adcode: d.adcode }))).execute();
      }
      for (const chunk of chunks(places.streets)) {
        await trx
          .insertInto('streets')
          .values(chunk.map((s) => ({ code: s.code, district_code: s.districtCode, name: s.name, lat: s.lat, lon: s.lon })))
          .execute();
      }
      for (const chunk of chunks(places.communities)) {
        await trx
          .insertInto('communities')
          .values(chunk.map((c) => ({ code: c.code, street_code: c.streetCode, name: c.name, lat: c.lat, lon: c.lon })))
          .execute();
      }
      for (const chunk of chunks(places.homes)) {
        await trx
          .insertInto('homes')
          .values(
            chunk.map((h) => ({
              id: h.id,
              community_code: h.communityCode,
              address: h.address,
              lat: h.lat,
              lon: h.lon,
              home_radius_m: h.homeRadiusM,
            })),
          )
          .execute();
      }
    });
  }

  private homeQuery() {
    return this.db
      .selectFrom('homes')
      .select(['id', 'community_code as communityCode', 'address', 'lat', 'lon', 'home_radius_m as homeRadiusM']);
  }
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}
