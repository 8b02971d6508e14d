import type { RegistryDb } from '../../../src/registry/database.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import { makeResident, makeTempDir, openTempRegistry, seedSmallGeography, type TempDir } from './registry.factory.js';

describe('ResidentRepository', () => {
  let tmp: TempDir;
  let db: RegistryDb;
  let residents: ResidentRepository;

  beforeEach(async () => {
    tmp = makeTempDir();
    db = await openTempRegistry(tmp);
    await seedSmallGeography(db); // r-test-1: 张桂华, contact 李丽华 13912345678, in 江汉区/民族街道
    residents = new ResidentRepository(db);
  });
  afterEach(async () => {
    await db.destroy();
    tmp.remove();
  });

  it('returns the resident masked by default', async () => {
    const resident = await residents.getById('r-test-1');
    expect(resident).toMatchObject({
      displayName: '张*华',
      phoneLast4: '5678',
      emergencyContacts: [{ relation: '女儿', name: '李*华', phone: '139****5678' }],
      masked: true,
    });
  });

  it('returns full data only when asked with { unmasked: true }, with district and street resolved', async () => {
    expect(await residents.getById('r-test-1', { unmasked: true })).toEqual({
      ...makeResident(),
      streetCode: '420103001',
      districtCode: '420103',
    });
    expect(await residents.getById('r-test-1', { unmasked: false })).toMatchObject({ displayName: '张*华' });
  });

  it('returns undefined for an unknown resident', async () => {
    expect(await residents.getById('r-nobody')).toBeUndefined();
    expect(await residents.getById('r-nobody', { unmasked: true })).toBeUndefined();
  });

  it('filters by district, street and community', async () => {
    await residents.insertMany([makeResident({ id: 'r-test-2', displayName: '王英', communityCode: '420106001001', homeId: 'h-test-2' })]);
    const ids = async (filter: Parameters<ResidentRepository['list']>[0]): Promise<string[]> => (await residents.list(filter)).items.map((r) => r.id);
    expect(await ids({})).toEqual(['r-test-1', 'r-test-2']);
    expect(await ids({ districtCode: '420106' })).toEqual(['r-test-2']);
    expect(await ids({ streetCode: '420103001' })).toEqual(['r-test-1']);
    expect(await ids({ communityCode: '420106001001' })).toEqual(['r-test-2']);
    expect(await ids({ districtCode: '420106', streetCode: '420103001' })).toEqual([]);
    expect((await residents.list({ districtCode: '420106' })).items[0]?.displayName).toBe('王*');
  });

  it('refuses to store a condition outside the vocabulary', async () => {
    // @ts-expect-error: 'flu' is not a ResidentCondition; the runtime check must hold for untyped callers too.
    await expect(residents.insertMany([makeResident({ id: 'r-test-3', conditions: ['flu'] })])).rejects.toThrow();
    expect(await residents.getById('r-test-3')).toBeUndefined();
  });
});
