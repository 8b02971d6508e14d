/**
 * Residents. List views return masked personal data (maskResident); the full
 * record only comes out of `getById(id, { unmasked: true })`, so an endpoint
 * has to ask for it explicitly (and can audit that it did).
 */
import type { Selectable } from 'kysely';
import { maskResident } from '../domain/residents/masking.js';
import {
  capabilityLevelSchema,
  conditionsSchema,
  emergencyContactsSchema,
  genderSchema,
  livingSituationSchema,
  type MaskedResident,
  type Resident,
} from '../domain/residents/resident.js';
import { withTransaction, type RegistryDb, type ResidentTable } from './database.js';
import { clampPageSize, toPage, type Page, type PageRequest } from './paging.js';

export interface ResidentFilter {
  readonly districtCode?: string;
  readonly streetCode?: string;
  readonly communityCode?: string;
}

/** What `insertMany` takes: street and district follow from the community. */
export type NewResident = Omit<Resident, 'streetCode' | 'districtCode'>;

type ResidentRow = Selectable<ResidentTable> & { street_code: string; district_code: string };

function toResident(row: ResidentRow): Resident {
  return {
    id: row.id,
    displayName: row.display_name,
    phoneLast4: row.phone_last4,
    birthYear: row.birth_year,
    gender: genderSchema.parse(row.gender),
    capabilityLevel: capabilityLevelSchema.parse(row.capability_level),
    livingSituation: livingSituationSchema.parse(row.living_situation),
    conditions: conditionsSchema.parse(JSON.parse(row.conditions)),
    emergencyContacts: emergencyContactsSchema.parse(JSON.parse(row.emergency_contacts)),
    communityCode: row.community_code,
    streetCode: row.street_code,
    districtCode: row.district_code,
    homeId: row.home_id,
    createdAt: Number(row.created_at),
  };
}

export class ResidentRepository {
  constructor(private readonly db: RegistryDb) {}

  /** One page of residents in id order, masked, optionally within a district, street or community. */
  async list(request: PageRequest & ResidentFilter = {}): Promise<Page<MaskedResident>> {
    const limit = clampPageSize(request.limit);
    let query = this.baseQuery().orderBy('r.id').limit(limit + 1);
    if (request.cursor !== undefined) query = query.where('r.id', '>', request.cursor);
    if (request.districtCode !== undefined) query = query.where('s.district_code', '=', request.districtCode);
    if (request.streetCode !== undefined) query = query.where('s.code', '=', request.streetCode);
    if (request.communityCode !== undefined) query = query.where('r.community_code', '=', request.communityCode);
    const rows = await query.execute();
    return toPage(rows, limit, (r) => r.id, (r) => maskResident(toResident(r)));
  }

  async count(filter: ResidentFilter = {}): Promise<number> {
    let query = this.db
      .selectFrom('residents as r')
      .innerJoin('communities as c', 'c.code', 'r.community_code')
      .innerJoin('streets as s', 's.code', 'c.street_code')
      .select((eb) => eb.fn.countAll<number>().as('n'));
    if (filter.districtCode !== undefined) query = query.where('s.district_code', '=', filter.districtCode);
    if (filter.streetCode !== undefined) query = query.where('s.code', '=', filter.streetCode);
    if (filter.communityCode !== undefined) query = query.where('r.community_code', '=', filter.communityCode);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * One resident, masked unless the caller asks for `{ unmasked: true }`
   * (a care worker opening the resident's file, dispatch calling a contact).
   */
  getById(id: string): Promise<MaskedResident | undefined>;
  getById(id: string, options: { readonly unmasked: true }): Promise<Resident | undefined>;
  getById(id: string, options?: { readonly unmasked?: boolean }): Promise<Resident | MaskedResident | undefined>;
  async getById(id: string, options: { readonly unmasked?: boolean } = {}): Promise<Resident | MaskedResident | undefined> {
    const row = await this.baseQuery().where('r.id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    const resident = toResident(row);
    return options.unmasked === true ? resident : maskResident(resident);
  }

  /** Inserts in one transaction (all or none). */
  async insertMany(residents: readonly NewResident[]): Promise<void> {
    if (residents.length === 0) return;
    const rows = residents.map((r) => ({
      id: r.id,
      display_name: r.displayName,
      phone_last4: r.phoneLast4,
      birth_year: r.birthYear,
      gender: r.gender,
      capability_level: r.capabilityLevel,
      living_situation: r.livingSituation,
      conditions: JSON.stringify(conditionsSchema.parse(r.conditions)),
      emergency_contacts: JSON.stringify(emergencyContactsSchema.parse(r.emergencyContacts)),
      community_code: r.communityCode,
      home_id: r.homeId,
      created_at: r.createdAt,
    }));
    await withTransaction(this.db, async (trx) => {
      for (let i = 0; i < rows.length; i += 200) {
        await trx.insertInto('residents').values(rows.slice(i, i + 200)).execute();
      }
    });
  }

  private baseQuery() {
    return this.db
      .selectFrom('residents as r')
      .innerJoin('communities as c', 'c.code', 'r.community_code')
      .innerJoin('streets as s', 's.code', 'c.street_code')
      .selectAll('r')
      .select(['s.code as street_code', 's.district_code as district_code']);
  }
}
