/**
 * Seeds the demo providers once, after the demo geography (all or nothing,
 * marked in `meta` so a restart or a second call does nothing).
 */
import { withTransaction, type RegistryDb } from '../../registry/database.js';
import { GeographyRepository } from '../../registry/geography.repository.js';
import { DEMO_EPOCH_MS } from '../../registry/demo/seed-demo.js';
import { ProviderRepository } from '../provider.repository.js';
import { buildDemoProviders, DEMO_PROVIDER_SEED } from './demo-providers.js';

export const DEMO_PROVIDERS_META_KEY = 'demo_providers_seed';

export interface SeedDemoProvidersResult {
  readonly seeded: boolean;
  readonly providers: number;
  readonly staff: number;
}

export async function seedDemoProviders(db: RegistryDb, seed = DEMO_PROVIDER_SEED): Promise<SeedDemoProvidersResult> {
  return withTransaction(db, async (trx) => {
    const marker = await trx.selectFrom('meta').select('value').where('key', '=', DEMO_PROVIDERS_META_KEY).executeTakeFirst();
    if (marker) return { seeded: false, providers: 0, staff: 0 };
    const geography = new GeographyRepository(trx);
    const items = buildDemoProviders(await geography.listDistricts(), await geography.listStreets(), seed);
    if (items.length === 0) return { seeded: false, providers: 0, staff: 0 };
    await new ProviderRepository(trx).insertMany(items, DEMO_EPOCH_MS);
    const staff = items.reduce((n, i) => n + i.staff.length, 0);
    await trx.insertInto('meta').values({ key: DEMO_PROVIDERS_META_KEY, value: JSON.stringify({ seed, providers: items.length, staff }) }).execute();
    return { seeded: true, providers: items.length, staff };
  });
}
