/**
 * The demo providers and accounts: seeded once with the demo dataset,
 * deterministic, idempotent across restarts, and covering every street of
 * the demo geography with a 远程照护 provider inside the dispatch policy's
 * 15-minute circle — except the deliberate coverage gaps.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountRepository } from '../../../src/accounts/account.repository.js';
import { listDemoAccounts } from '../../../src/accounts/demo/demo-accounts.js';
import { DEFAULT_REACH, estimateReach } from '../../../src/domain/dispatch/dispatch-policy.js';
import type { Provider, Staff } from '../../../src/domain/dispatch/provider.schema.js';
import { buildDemoProviders, DEMO_COVERAGE_GAPS } from '../../../src/providers/demo/demo-providers.js';
import { seedDemoProviders } from '../../../src/providers/demo/seed-demo-providers.js';
import { ProviderDirectory } from '../../../src/providers/provider.directory.js';
import { ProviderRepository } from '../../../src/providers/provider.repository.js';
import { REGISTRY_DB } from '../../../src/platform.tokens.js';
import type { RegistryDb } from '../../../src/registry/database.js';
import { GeographyRepository, type Street } from '../../../src/registry/geography.repository.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { login, startDemoPlatform, T0 } from '../accounts/access.fixtures.js';

describe('demo providers and accounts', () => {
  let platform: TestPlatform;
  let providers: Provider[];
  let staff: Staff[];
  let streets: Street[];

  beforeAll(async () => {
    platform = await startDemoPlatform({ now: () => T0 });
    providers = await platform.get(ProviderRepository).list();
    staff = await platform.get(ProviderRepository).listStaff();
    streets = await platform.get(GeographyRepository).listStreets();
  });

  afterAll(async () => {
    await platform.dispose();
  });

  it('seeds 3–4 providers per district with the realistic names of the plan', async () => {
    const districts = await platform.get(GeographyRepository).listDistricts();
    expect(districts).toHaveLength(7);
    for (const d of districts) {
      const own = providers.filter((p) => p.districtCode === d.code);
      expect(own.length).toBeGreaterThanOrEqual(3);
      expect(own.length).toBeLessThanOrEqual(4);
      expect(own.filter((p) => p.name === `${d.name}医养结合服务中心`)).toHaveLength(1);
    }
    expect(providers.map((p) => p.name)).toEqual(expect.arrayContaining(['江汉区民族街道综合养老服务中心', '武昌区中南路街道社区嵌入式养老服务站', '洪山区珞南街道居家养老服务中心']));
  });

  it('gives every provider a dispatcher and 2–5 caregivers, at least one on duty on an e-bike or car', () => {
    for (const p of providers) {
      const own = staff.filter((s) => s.providerId === p.id);
      expect(own.filter((s) => s.role === 'dispatcher')).toHaveLength(1);
      expect(own.length).toBeGreaterThanOrEqual(3);
      expect(own.length).toBeLessThanOrEqual(6);
      expect(own.some((s) => s.role === 'caregiver' && s.onDuty && s.travelMode !== 'walk')).toBe(true);
    }
  });

  it('covers every street with a 远程照护 provider reachable within 15 minutes, except the deliberate gaps', () => {
    const gapNames = new Set(DEMO_COVERAGE_GAPS.map((g) => `${g.districtCode}/${g.streetName}`));
    const uncovered: string[] = [];
    for (const street of streets) {
      const covering = providers.filter((p) => p.streetCodes.includes(street.code) && p.services.includes('remote_care'));
      const fastest = Math.min(
        ...covering.flatMap((p) => staff.filter((s) => s.providerId === p.id && s.onDuty).map((s) => estimateReach(p.base, street, s.travelMode).minutes)),
      );
      if (gapNames.has(`${street.districtCode}/${street.name}`)) {
        // A gap: no provider covers it, and no base is within the 15-minute circle by e-bike either.
        expect(providers.filter((p) => p.streetCodes.includes(street.code))).toEqual([]);
        const nearest = Math.min(...providers.map((p) => estimateReach(p.base, street, 'ebike').minutes));
        expect(nearest).toBeGreaterThan(DEFAULT_REACH.maxTravelMinutes);
      } else if (!(fastest <= DEFAULT_REACH.maxTravelMinutes)) {
        uncovered.push(`${street.name} (${fastest.toFixed(1)} min)`);
      }
    }
    expect(uncovered).toEqual([]);
    expect(DEMO_COVERAGE_GAPS).toHaveLength(2);
  });

  it('loads the directory with every provider, and answers nobody for a gap street', () => {
    const directory = platform.get(ProviderDirectory);
    expect(directory.size).toBe(providers.length);
    const qingling = streets.find((s) => s.name === '青菱街道');
    expect(directory.candidatesFor(qingling!.code, 'remote_care')).toEqual([]);
    const minzu = streets.find((s) => s.name === '民族街道');
    expect(directory.candidatesFor(minzu!.code, 'remote_care').map((c) => c.provider.id)).toContain('prv-420103-minzu');
  });

  it('builds the same providers from the same streets (deterministic)', async () => {
    const districts = await platform.get(GeographyRepository).listDistricts();
    expect(buildDemoProviders(districts, streets)).toEqual(buildDemoProviders(districts, streets));
    // What was stored is what the builder makes (SQL returns ids and services sorted).
    const built = buildDemoProviders(districts, streets)
      .map((b) => ({ ...b.provider, services: [...b.provider.services].sort() }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(built).toEqual(providers);
  });

  it('seeds every listed demo account, each able to log in with the demo password', async () => {
    const demo = listDemoAccounts();
    expect(demo.filter((a) => a.role === 'district_officer')).toHaveLength(7);
    const repo = platform.get(AccountRepository);
    for (const account of demo) {
      const stored = await repo.findByUsername(account.username);
      expect(stored).toMatchObject({ id: account.id, role: account.role, districtCode: account.districtCode ?? null, providerId: account.providerId ?? null, staffId: account.staffId ?? null });
    }
    for (const username of ['admin', 'jianghan.officer', 'minzu.dispatcher', 'luonan.caregiver1']) expect((await login(platform, username)).status).toBe(200);
  });

  it('is idempotent: seeding again and restarting add nothing', async () => {
    const db = platform.app.get<symbol, RegistryDb>(REGISTRY_DB);
    expect(await seedDemoProviders(db)).toEqual({ seeded: false, providers: 0, staff: 0 });
    const accounts = await platform.get(AccountRepository).count();
    await platform.close();
    const again = await startDemoPlatform({ now: () => T0, dataDir: platform.dataDir });
    try {
      expect(await again.get(ProviderRepository).count()).toBe(providers.length);
      expect(await again.get(ProviderRepository).listStaff()).toEqual(staff);
      expect(await again.get(AccountRepository).count()).toBe(accounts);
    } finally {
      platform = again;
    }
  });
});
