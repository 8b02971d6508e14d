/**
 * The two platform endpoints the simulator reads, over plain fetch: the fleet
 * manifest and the alerts a scenario raised. Shapes are zod schemas so a
 * platform that drifts from the contract fails loudly here.
 */
import { z } from 'zod';
import { fleetManifestSchema, type FleetManifest } from '../manifest/fleet-manifest.js';
import { observedAlertSchema, type ObservedAlert } from '../scenarios/check-scenario.js';

const alertPageSchema = z.object({ items: z.array(observedAlertSchema) });

export interface PlatformClientOptions {
  readonly baseUrl: string;
  readonly adminToken: string;
  readonly fetch?: typeof fetch;
}

export class PlatformClient {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: PlatformClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
  }

  /** GET /api/fleet/manifest?homes=N (no secrets: derive them with the demo key). */
  async fetchManifest(homes: number): Promise<FleetManifest> {
    return fleetManifestSchema.parse(await this.get(`/api/fleet/manifest?homes=${homes}`));
  }

  /** GET /api/alerts?residentId=…&from=…&to=… */
  async fetchAlerts(residentId: string, from: number, to: number): Promise<ObservedAlert[]> {
    const query = new URLSearchParams({ residentId, from: String(from), to: String(to) });
    return alertPageSchema.parse(await this.get(`/api/alerts?${query.toString()}`)).items;
  }

  private async get(path: string): Promise<unknown> {
    const url = new URL(path, this.options.baseUrl);
    const response = await this.fetchFn(url, { headers: { authorization: `Bearer ${this.options.adminToken}`, accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status} ${response.statusText}`);
    return response.json();
  }
}
