import { DEVICE_TYPES } from '../../../devices/device-type.js';
import { deviceIdSchema } from '../../../devices/protocol.js';
import type { RegistryDb } from '../../../src/registry/database.js';
import { buildDemoDataset, demoDeviceSecret, seedDemoData } from '../../../src/registry/demo/seed-demo.js';
import { WUHAN_CENTRAL_DISTRICTS } from '../../../src/registry/demo/wuhan-geography.js';
import { DeviceRepository } from '../../../src/registry/device.repository.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { verifyDeviceSecret } from '../../../src/registry/provisioning.service.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import { makeTempDir, openTempRegistry, type TempDir } from './registry.factory.js';

const DEMO_KEY = 'test-demo-key-0123456789';

async function dumpTables(db: RegistryDb): Promise<unknown[]> {
  return Promise.all([
    db.selectFrom('districts').selectAll().orderBy('code').execute(),
    db.selectFrom('streets').selectAll().orderBy('code').execute(),
    db.selectFrom('communities').selectAll().orderBy('code').execute(),
    db.selectFrom('homes').selectAll().orderBy('id').execute(),
    db.selectFrom('residents').selectAll().orderBy('id').execute(),
    db.selectFrom('devices').selectAll().orderBy('id').execute(),
  ]);
}

describe('demo dataset', () => {
  let tmp: TempDir;
  let db: RegistryDb;

  beforeAll(async () => {
    tmp = makeTempDir();
    db = await openTempRegistry(tmp);
    await seedDemoData(db, { demoKey: DEMO_KEY });
  });
  afterAll(async () => {
    await db.destroy();
    tmp.remove();
  });

  it('seeds the seven central districts of Wuhan with their adcodes and streets near Wuhan', async () => {
    const geography = new GeographyRepository(db);
    expect(await geography.listDistricts()).toEqual([
      { code: '420102', name: '江岸区', adcode: '420102' },
      { code: '420103', name: '江汉区', adcode: '420103' },
      { code: '420104', name: '硚口区', adcode: '420104' },
      { code: '420105', name: '汉阳区', adcode: '420105' },
      { code: '420106', name: '武昌区', adcode: '420106' },
      { code: '420107', name: '青山区', adcode: '420107' },
      { code: '420111', name: '洪山区', adcode: '420111' },
    ]);
    for (const district of WUHAN_CENTRAL_DISTRICTS) {
      const streets = await geography.listStreets(district.adcode);
      expect(streets.length).toBeGreaterThanOrEqual(8);
      for (const street of streets) {
        expect(street.name).toMatch(/街道$/);
        expect(street.code).toMatch(new RegExp(`^${district.adcode}\\d{3}$`));
        expect(Math.abs(street.lat - 30.58)).toBeLessThan(0.15);
        expect(Math.abs(street.lon - 114.3)).toBeLessThan(0.2);
        const communities = await geography.listCommunities(street.code);
        expect(communities.length).toBeGreaterThanOrEqual(1);
        expect(communities.length).toBeLessThanOrEqual(3);
      }
    }
    expect((await geography.listStreets('420103')).map((s) => s.name)).toEqual(expect.arrayContaining(['民族街道', '花楼街道', '唐家墩街道', '汉兴街道']));
  });

  it('has 300 residents aged 65–98, mostly capability level 0–2, all three living situations', async () => {
    const residents = await db.selectFrom('residents').selectAll().execute();
    expect(residents).toHaveLength(300);
    const ages = residents.map((r) => 2025 - r.birth_year);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(65);
    expect(Math.max(...ages)).toBeLessThanOrEqual(98);
    const levels = residents.map((r) => r.capability_level);
    expect(levels.filter((l) => l <= 2).length / levels.length).toBeGreaterThan(0.6);
    expect(levels.filter((l) => l >= 3).length).toBeGreaterThan(0);
    expect(new Set(residents.map((r) => r.living_situation))).toEqual(new Set(['alone', 'couple', 'with_family']));
    const conditions = new Set(residents.flatMap((r) => JSON.parse(r.conditions) as string[]));
    expect([...conditions]).toEqual(expect.arrayContaining(['hypertension', 'COPD', 'dementia', 'bradycardia', 'atrial_fibrillation', 'diabetes']));
  });

  it('equips every home with the full bed kit and some homes with gas and water-leak detectors', async () => {
    const homes = await db.selectFrom('homes').select('id').execute();
    const devices = new DeviceRepository(db);
    for (const { id } of homes) {
      const homeDevices = await devices.listByHome(id);
      const types = new Set(homeDevices.map((d) => d.type));
      for (const type of ['care-bed', 'wearable', 'fall-radar', 'sos-button', 'smoke-detector', 'door-contact', 'pir-motion'] as const) {
        expect(types).toContain(type);
      }
    }
    const allTypes = new Set(Array.from((await devices.loadAllBindings()).values(), (b) => b.deviceType));
    expect([...allTypes].sort()).toEqual([...DEVICE_TYPES].sort());
    // Three per resident (bed, wearable, SOS), four per home, plus the optional gas and water-leak detectors.
    const optional = (await devices.count()) - 3 * 300 - 4 * homes.length;
    expect(optional).toBeGreaterThan(0);
    expect(optional).toBeLessThan(2 * homes.length);
  });

  it('gives every demo device a protocol-valid id, a full binding and a secret derived from the demo key', async () => {
    const bindings = await new DeviceRepository(db).loadAllBindings();
    expect(bindings.size).toBe(await new DeviceRepository(db).count());
    for (const [deviceId, binding] of bindings) {
      expect(deviceIdSchema.safeParse(deviceId).success).toBe(true);
      expect(binding.homeId).not.toBeNull();
      expect(binding.districtCode).not.toBeNull();
      expect(binding.streetCode?.startsWith(binding.districtCode ?? '?')).toBe(true);
      expect(verifyDeviceSecret(demoDeviceSecret(DEMO_KEY, deviceId), binding.secretHash)).toBe(true);
      expect(verifyDeviceSecret(demoDeviceSecret('another-demo-key-000', deviceId), binding.secretHash)).toBe(false);
    }
  });

  it('shows no full name or phone number of any resident or contact in masked list views', async () => {
    const repo = new ResidentRepository(db);
    const full = await Promise.all((await db.selectFrom('residents').select('id').execute()).map(async ({ id }) => repo.getById(id, { unmasked: true })));
    const secrets = full.flatMap((r) => [r?.displayName ?? '', ...(r?.emergencyContacts ?? []).flatMap((c) => [c.name, c.phone])]);
    expect(secrets.length).toBeGreaterThan(600);

    const listed: unknown[] = [];
    let page = await repo.list({ limit: 77 });
    listed.push(...page.items);
    while (page.nextCursor !== null) {
      page = await repo.list({ limit: 77, cursor: page.nextCursor });
      listed.push(...page.items);
    }
    expect(listed).toHaveLength(300);
    const masked = JSON.stringify(listed);
    const leaked = secrets.filter((s) => masked.includes(s));
    expect(leaked).toEqual([]);
    expect(masked).toMatch(/"phone":"1\d\d\*\*\*\*\d{4}"/);
    const oneMasked = await repo.getById('r-000001');
    expect(JSON.stringify(oneMasked)).not.toContain(full[0]?.displayName);
  });

  it('filters the resident list by district and by street', async () => {
    const repo = new ResidentRepository(db);
    const byDistrict = await repo.list({ districtCode: '420106', limit: 500 });
    expect(byDistrict.items.length).toBeGreaterThan(0);
    expect(byDistrict.items.every((r) => r.districtCode === '420106')).toBe(true);
    expect(await repo.count({ districtCode: '420106' })).toBe(byDistrict.items.length);
    const street = byDistrict.items[0]?.streetCode ?? '';
    const byStreet = await repo.list({ streetCode: street, limit: 500 });
    expect(byStreet.items.length).toBeGreaterThan(0);
    expect(byStreet.items.every((r) => r.streetCode === street)).toBe(true);
    const perDistrict = await Promise.all(WUHAN_CENTRAL_DISTRICTS.map((d) => repo.count({ districtCode: d.adcode })));
    expect(perDistrict.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('does not seed again when the registry already has districts', async () => {
    expect(await seedDemoData(db, { demoKey: DEMO_KEY, seed: 7 })).toEqual({ seeded: false, residents: 0, devices: 0 });
    expect(await new ResidentRepository(db).count()).toBe(300);
  });

  it('writes the same rows for the same seed into a fresh file, and different rows for another seed', async () => {
    const other = makeTempDir();
    const same = await openTempRegistry(other, 'same.sqlite');
    const different = await openTempRegistry(other, 'different.sqlite');
    try {
      const result = await seedDemoData(same, { demoKey: DEMO_KEY });
      expect(result).toEqual({ seeded: true, residents: 300, devices: (await new DeviceRepository(db).count()) });
      expect(await dumpTables(same)).toEqual(await dumpTables(db));
      await seedDemoData(different, { demoKey: DEMO_KEY, seed: 42 });
      expect(await dumpTables(different)).not.toEqual(await dumpTables(db));
    } finally {
      await same.destroy();
      await different.destroy();
      other.remove();
    }
  });

  it('honours the residents option and never splits a couple across the limit', () => {
    for (const residents of [1, 2, 17]) {
      const data = buildDemoDataset({ residents, seed: 3, now: Date.UTC(2025, 0, 1), demoKey: DEMO_KEY });
      expect(data.residents).toHaveLength(residents);
    }
  });

  it('refuses a demo key too short to be a key', async () => {
    await expect(seedDemoData(db, { demoKey: 'demo' })).rejects.toThrow(RangeError);
  });
});
