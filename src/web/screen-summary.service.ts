/**
 * The district screen's read model beyond the dispatch KPIs: how many
 * residents the platform covers, how many of their devices are online, and
 * the 15-minute coverage per street (share of residents with a provider of
 * each 三助一护 service that covers their street and reaches their home
 * within 15 minutes by e-bike, DEFAULT_REACH). Counts and shares only: no
 * field can carry personal data.
 */
import { z } from 'zod';
import { DEFAULT_REACH, estimateReach } from '../domain/dispatch/dispatch-policy.js';
import { SERVICE_TYPES, type Provider, type ServiceType } from '../domain/dispatch/provider.schema.js';
import type { DeviceStateService } from '../device-state/device-state.service.js';
import type { FleetRepository } from '../registry/fleet.repository.js';
import type { ResidentRepository } from '../registry/resident.repository.js';

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1).nullable();

export const screenSummarySchema = z.strictObject({
  districtCode: z.string(),
  at: z.number(),
  residents: count,
  devices: count,
  devicesOnline: count,
  streets: z.array(
    z.strictObject({
      streetCode: z.string(),
      residents: count,
      /** Share of the street's residents (with a known home) within 15 minutes of a covering provider, per service. */
      coverage: z.strictObject(Object.fromEntries(SERVICE_TYPES.map((s) => [s, share])) as Record<ServiceType, typeof share>),
    }),
  ),
});
export type ScreenSummary = z.infer<typeof screenSummarySchema>;

const MAX_HOMES = 20_000;

export class ScreenSummaryService {
  constructor(
    private readonly residents: ResidentRepository,
    private readonly fleet: FleetRepository,
    private readonly states: DeviceStateService,
    private readonly now: () => number,
  ) {}

  async summarize(districtCode: string, providers: readonly Provider[]): Promise<ScreenSummary> {
    const streetOf = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await this.residents.list({ districtCode, limit: 500, ...(cursor !== undefined ? { cursor } : {}) });
      for (const r of page.items) streetOf.set(r.id, r.streetCode);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    const homes = (await this.fleet.listHomes(MAX_HOMES)).filter((h) => streetOf.has(h.residentId));
    let devices = 0;
    let devicesOnline = 0;
    const perStreet = new Map<string, { residents: number; homes: number; reached: Record<ServiceType, number> }>();
    const rowOf = (streetCode: string) => {
      let row = perStreet.get(streetCode);
      if (!row) {
        row = { residents: 0, homes: 0, reached: { meal: 0, cleaning: 0, medical: 0, remote_care: 0 } };
        perStreet.set(streetCode, row);
      }
      return row;
    };
    for (const street of streetOf.values()) rowOf(street).residents += 1;
    for (const home of homes) {
      for (const d of home.devices) {
        devices += 1;
        if (this.states.get(d.deviceId)?.online === true) devicesOnline += 1;
      }
      const street = streetOf.get(home.residentId)!;
      const row = rowOf(street);
      row.homes += 1;
      for (const service of SERVICE_TYPES) {
        const reached = providers.some(
          (p) => p.services.includes(service) && p.streetCodes.includes(street) && estimateReach(p.base, home, 'ebike').minutes <= DEFAULT_REACH.maxTravelMinutes,
        );
        if (reached) row.reached[service] += 1;
      }
    }
    const streets = [...perStreet.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([streetCode, row]) => ({
        streetCode,
        residents: row.residents,
        coverage: Object.fromEntries(SERVICE_TYPES.map((s) => [s, row.homes === 0 ? null : row.reached[s] / row.homes])) as Record<ServiceType, number | null>,
      }));
    return { districtCode, at: this.now(), residents: streetOf.size, devices, devicesOnline, streets };
  }
}
