/**
 * What the rule engine asks about a resident (capability level, home
 * position and radius, care plan, time zone), answered synchronously from
 * memory: the engine runs on ingest's hot path and must not wait for SQL.
 *
 * Built at start from residents + homes + care plans; a resident the cache
 * does not know yet (provisioned after start) is loaded in the background on
 * first sight, and the whole cache is reloaded periodically. Until it is
 * loaded, the engine still runs event rules (fall, SOS, smoke, gas) on
 * defaults: a fall is never dropped for a missing context.
 *
 * Homes: the residents of every home, primary first (orderHomeResidents), for
 * home devices. A home the cache has not loaded (registered after the last
 * reload) is loaded on demand with `loadHome`, which alerting awaits before
 * it evaluates that home's first input: a smoke detector in a home registered
 * a minute ago must still reach its resident.
 */
import type { CarePlan } from '../domain/care-plans/care-plan.schema.js';
import type { ResidentRuleContext } from '../domain/rules/rule-engine.js';
import { orderHomeResidents, type HomeResident } from '../domain/residents/home-residents.js';
import { capabilityLevelSchema } from '../domain/residents/resident.js';
import type { Logger } from '../observability/logger.js';
import type { AlertingDb } from './alerting.tables.js';
import type { CarePlanRepository } from './care-plan.repository.js';

/** Used when a resident has no home recorded: the community's centre, with a generous radius. */
const FALLBACK_RADIUS_M = 300;

interface ResidentPlace {
  readonly residentId: string;
  readonly homeId: string | null;
  readonly registeredAt: number;
  readonly capabilityLevel: number;
  readonly lat: number;
  readonly lon: number;
  readonly radiusM: number;
}

export class ResidentContextCache {
  private readonly contexts = new Map<string, ResidentRuleContext>();
  /** homeId → its residents; a home loaded and found empty is kept (empty) until the next reload. */
  private readonly homes = new Map<string, HomeResident[]>();
  private readonly loading = new Set<string>();

  constructor(
    private readonly db: AlertingDb,
    private readonly carePlans: CarePlanRepository,
    /** IANA zone of the district(s) this deployment serves; night windows are local time. */
    private readonly timeZone: string,
    private readonly logger: Logger,
  ) {}

  /** The engine's lookup: never blocks, never throws. */
  get(residentId: string): ResidentRuleContext | undefined {
    const ctx = this.contexts.get(residentId);
    if (!ctx && !this.loading.has(residentId)) {
      this.loading.add(residentId);
      this.refresh(residentId)
        .catch((error: unknown) => this.logger.error({ residentId, err: String(error) }, 'resident context load failed'))
        .finally(() => this.loading.delete(residentId));
    }
    return ctx;
  }

  /** The engine's lookup for home devices: the residents of `homeId`, primary first. */
  residentsOfHome(homeId: string): readonly string[] {
    return orderHomeResidents(this.homes.get(homeId) ?? []);
  }

  /** Whether `homeId`'s residents are loaded (possibly none): false for a home registered since the last reload. */
  knowsHome(homeId: string): boolean {
    return this.homes.has(homeId);
  }

  /** Loads the residents of one home (and their contexts); remembers a home without residents as such. */
  async loadHome(homeId: string): Promise<void> {
    const places = await this.places({ homeId });
    const plans = await Promise.all(places.map((p) => this.carePlans.get(p.residentId)));
    if (!this.homes.has(homeId)) this.homes.set(homeId, []);
    places.forEach((place, i) => {
      this.contexts.set(place.residentId, this.toContext(place, plans[i]));
      this.placeInHome(place);
    });
  }

  size(): number {
    return this.contexts.size;
  }

  async loadAll(): Promise<void> {
    const [places, plans] = await Promise.all([this.places(), this.carePlans.listAll()]);
    const byResident = new Map(plans.map((p) => [p.residentId, p]));
    this.contexts.clear();
    this.homes.clear();
    for (const place of places) {
      this.contexts.set(place.residentId, this.toContext(place, byResident.get(place.residentId)));
      this.placeInHome(place);
    }
  }

  /** Reloads one resident (after a registry or care-plan change). */
  async refresh(residentId: string): Promise<ResidentRuleContext | undefined> {
    const [place] = await this.places({ residentId });
    if (!place) {
      this.contexts.delete(residentId);
      return undefined;
    }
    const ctx = this.toContext(place, await this.carePlans.get(residentId));
    this.contexts.set(residentId, ctx);
    this.placeInHome(place);
    return ctx;
  }

  /** A care plan was saved: the engine sees it on the next sample (its settings cache is keyed by plan version). */
  setCarePlan(plan: CarePlan): void {
    const ctx = this.contexts.get(plan.residentId);
    if (ctx) this.contexts.set(plan.residentId, { ...ctx, carePlan: plan });
  }

  private placeInHome(place: ResidentPlace): void {
    for (const [homeId, residents] of this.homes) {
      if (homeId !== place.homeId && residents.some((r) => r.residentId === place.residentId)) this.homes.set(homeId, residents.filter((r) => r.residentId !== place.residentId));
    }
    if (place.homeId === null) return;
    const residents = (this.homes.get(place.homeId) ?? []).filter((r) => r.residentId !== place.residentId);
    this.homes.set(place.homeId, [...residents, { residentId: place.residentId, registeredAt: place.registeredAt }]);
  }

  private toContext(place: ResidentPlace, carePlan: CarePlan | undefined): ResidentRuleContext {
    return {
      residentId: place.residentId,
      timeZone: this.timeZone,
      capabilityLevel: capabilityLevelSchema.parse(place.capabilityLevel),
      home: { lat: place.lat, lon: place.lon, radiusM: place.radiusM },
      carePlan,
    };
  }

  private async places(only: { readonly residentId?: string; readonly homeId?: string } = {}): Promise<ResidentPlace[]> {
    let query = this.db
      .selectFrom('residents as r')
      .innerJoin('communities as c', 'c.code', 'r.community_code')
      .leftJoin('homes as h', 'h.id', 'r.home_id')
      .select(['r.id', 'r.home_id', 'r.created_at', 'r.capability_level', 'h.lat as home_lat', 'h.lon as home_lon', 'h.home_radius_m', 'c.lat as community_lat', 'c.lon as community_lon']);
    if (only.residentId !== undefined) query = query.where('r.id', '=', only.residentId);
    if (only.homeId !== undefined) query = query.where('r.home_id', '=', only.homeId);
    const rows = await query.execute();
    return rows.map((r) => ({
      residentId: r.id,
      homeId: r.home_id,
      registeredAt: Number(r.created_at),
      capabilityLevel: r.capability_level,
      lat: r.home_lat ?? r.community_lat,
      lon: r.home_lon ?? r.community_lon,
      radiusM: r.home_radius_m ?? FALLBACK_RADIUS_M,
    }));
  }
}
