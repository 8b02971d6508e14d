import type { RegistryDb } from '../../../src/registry/database.js';
import { DeviceStateRepository, type DeviceStateRow } from '../../../src/registry/device-state.repository.js';
import { DeviceRepository, type NewDevice } from '../../../src/registry/device.repository.js';
import { hashDeviceSecret } from '../../../src/registry/device-secret.js';
import { makeTempDir, openTempRegistry, seedSmallGeography, T0, type TempDir } from './registry.factory.js';

function makeDevice(overrides: Partial<NewDevice> = {}): NewDevice {
  return {
    id: 'bed-test-1',
    type: 'care-bed',
    secretHash: hashDeviceSecret('not-a-real-secret'),
    secretAlgo: 'sha256',
    residentId: null,
    homeId: null,
    label: null,
    createdAt: T0,
    provisionedBy: 'test',
    ...overrides,
  };
}

function makeState(overrides: Partial<DeviceStateRow> = {}): DeviceStateRow {
  return { deviceId: 'bed-test-1', online: true, lastSeenAt: T0 + 1000, battery: 87.5, rssi: -61, firmware: '1.4.2', announcedHeartbeatS: null, updatedAt: T0 + 2000, ...overrides };
}

describe('DeviceRepository', () => {
  let tmp: TempDir;
  let db: RegistryDb;
  let devices: DeviceRepository;

  beforeEach(async () => {
    tmp = makeTempDir();
    db = await openTempRegistry(tmp);
    await seedSmallGeography(db);
    devices = new DeviceRepository(db);
    await devices.insertMany([
      makeDevice({ id: 'bed-test-1', type: 'care-bed', residentId: 'r-test-1', homeId: 'h-test-1' }),
      makeDevice({ id: 'wear-test-1', type: 'wearable', residentId: 'r-test-1' }),
      makeDevice({ id: 'smoke-test-2', type: 'smoke-detector', homeId: 'h-test-2' }),
      makeDevice({ id: 'pir-spare-1', type: 'pir-motion', disabled: true }),
    ]);
  });
  afterEach(async () => {
    await db.destroy();
    tmp.remove();
  });

  it.each([
    ['a device bound to a resident and home', 'bed-test-1', { deviceType: 'care-bed', residentId: 'r-test-1', homeId: 'h-test-1', districtCode: '420103', streetCode: '420103001' }],
    ['a wearable bound only to a resident takes the resident’s home', 'wear-test-1', { deviceType: 'wearable', residentId: 'r-test-1', homeId: 'h-test-1', districtCode: '420103', streetCode: '420103001' }],
    ['a home-only device takes the home’s community', 'smoke-test-2', { deviceType: 'smoke-detector', residentId: null, homeId: 'h-test-2', districtCode: '420106', streetCode: '420106001' }],
    ['an unbound spare has no place', 'pir-spare-1', { deviceType: 'pir-motion', residentId: null, homeId: null, districtCode: null, streetCode: null }],
  ])('resolves the binding of %s', async (_case, deviceId, expected) => {
    expect(await devices.findBinding(deviceId)).toEqual({ deviceId, ...expected });
  });

  it('finds no binding for an unknown device', async () => {
    expect(await devices.findBinding('bed-unknown')).toBeUndefined();
    expect(await devices.findById('bed-unknown')).toBeUndefined();
  });

  it('loads every binding with its secret hash and disabled flag for the cache', async () => {
    const all = await devices.loadAllBindings();
    expect([...all.keys()]).toEqual(['bed-test-1', 'pir-spare-1', 'smoke-test-2', 'wear-test-1']);
    expect(all.get('pir-spare-1')).toMatchObject({ disabled: true, secretHash: hashDeviceSecret('not-a-real-secret') });
    expect(all.get('smoke-test-2')).toEqual({ ...(await devices.findBinding('smoke-test-2')), secretHash: hashDeviceSecret('not-a-real-secret'), disabled: false });
  });

  it('lists devices by home and by resident', async () => {
    expect((await devices.listByHome('h-test-1')).map((d) => d.id)).toEqual(['bed-test-1']);
    expect((await devices.listByResident('r-test-1')).map((d) => d.id)).toEqual(['bed-test-1', 'wear-test-1']);
  });

  it('pages through every device exactly once', async () => {
    const seen: string[] = [];
    let page = await devices.list({ limit: 3 });
    seen.push(...page.items.map((d) => d.id));
    while (page.nextCursor !== null) {
      page = await devices.list({ limit: 3, cursor: page.nextCursor });
      seen.push(...page.items.map((d) => d.id));
    }
    expect(seen).toEqual(['bed-test-1', 'pir-spare-1', 'smoke-test-2', 'wear-test-1']);
    expect((await devices.list({ type: 'wearable' })).items.map((d) => d.id)).toEqual(['wear-test-1']);
  });

  it('inserts a batch all or nothing', async () => {
    await expect(devices.insertMany([makeDevice({ id: 'door-new-1', type: 'door-contact' }), makeDevice({ id: 'bed-test-1' })])).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(await devices.findById('door-new-1')).toBeUndefined();
  });
});

describe('DeviceStateRepository', () => {
  let tmp: TempDir;
  let db: RegistryDb;
  let states: DeviceStateRepository;

  beforeEach(async () => {
    tmp = makeTempDir();
    db = await openTempRegistry(tmp);
    await seedSmallGeography(db);
    await new DeviceRepository(db).insertMany([makeDevice({ id: 'bed-test-1' }), makeDevice({ id: 'wear-test-1', type: 'wearable' })]);
    states = new DeviceStateRepository(db);
  });
  afterEach(async () => {
    await db.destroy();
    tmp.remove();
  });

  it('round-trips a batch, upserting rows that already exist', async () => {
    await states.saveDeviceStates([makeState(), makeState({ deviceId: 'wear-test-1', online: false, lastSeenAt: null, battery: null, rssi: null, firmware: null })]);
    const update = makeState({ online: false, lastSeenAt: T0 + 60_000, battery: 12, updatedAt: T0 + 61_000 });
    expect(await states.saveDeviceStates([update])).toEqual({ saved: 1, unknownDeviceIds: [] });
    expect(await states.loadDeviceStates()).toEqual([
      update,
      makeState({ deviceId: 'wear-test-1', online: false, lastSeenAt: null, battery: null, rssi: null, firmware: null }),
    ]);
  });

  it('survives a re-open (state is on disk, not in memory)', async () => {
    await states.saveDeviceStates([makeState()]);
    await db.destroy();
    db = await openTempRegistry(tmp);
    expect(await new DeviceStateRepository(db).loadDeviceStates()).toEqual([makeState()]);
  });

  it('keeps the last row for a device listed twice and skips unknown devices without failing the batch', async () => {
    const result = await states.saveDeviceStates([makeState({ battery: 50 }), makeState({ deviceId: 'ghost-1' }), makeState({ battery: 49 })]);
    expect(result).toEqual({ saved: 1, unknownDeviceIds: ['ghost-1'] });
    expect(await states.loadDeviceStates()).toEqual([makeState({ battery: 49 })]);
  });

  it('saves a large batch (more than one statement) in one call', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => makeDevice({ id: `pir-bulk-${String(i).padStart(4, '0')}`, type: 'pir-motion' }));
    await new DeviceRepository(db).insertMany(many);
    const result = await states.saveDeviceStates(many.map((d, i) => makeState({ deviceId: d.id, lastSeenAt: T0 + i })));
    expect(result.saved).toBe(1200);
    const loaded = await states.loadDeviceStates();
    expect(loaded).toHaveLength(1200);
    expect(loaded.find((s) => s.deviceId === 'pir-bulk-0777')?.lastSeenAt).toBe(T0 + 777);
  });

  it('does nothing for an empty batch', async () => {
    expect(await states.saveDeviceStates([])).toEqual({ saved: 0, unknownDeviceIds: [] });
  });
});
