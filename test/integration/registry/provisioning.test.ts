import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceIdSchema } from '../../../devices/protocol.js';
import { DEVICE_TYPES } from '../../../devices/device-type.js';
import type { RegistryDb } from '../../../src/registry/database.js';
import { DeviceRepository } from '../../../src/registry/device.repository.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ProvisioningService, verifyDeviceSecret } from '../../../src/registry/provisioning.service.js';
import { DeviceAlreadyExistsError, InvalidDeviceRequestError, UnknownDeviceError } from '../../../src/registry/registry.errors.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import { makeTempDir, openTempRegistry, seedSmallGeography, T0, type TempDir } from './registry.factory.js';

describe('ProvisioningService', () => {
  let tmp: TempDir;
  let db: RegistryDb;
  let devices: DeviceRepository;
  let service: ProvisioningService;

  beforeEach(async () => {
    tmp = makeTempDir();
    db = await openTempRegistry(tmp);
    await seedSmallGeography(db);
    devices = new DeviceRepository(db);
    service = new ProvisioningService({ devices, residents: new ResidentRepository(db), geography: new GeographyRepository(db), now: () => T0 });
  });
  afterEach(async () => {
    await db.destroy();
    tmp.remove();
  });

  it('returns a secret that verifies against the stored hash, and a wrong one that does not', async () => {
    const { deviceId, secret } = await service.provisionDevice({ type: 'care-bed', residentId: 'r-test-1', label: '主卧床垫' });
    const stored = await devices.findById(deviceId);
    expect(stored).toMatchObject({ type: 'care-bed', residentId: 'r-test-1', homeId: null, label: '主卧床垫', disabled: false, createdAt: T0, provisionedBy: 'system', secretAlgo: 'sha256' });
    expect(stored?.secretHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(verifyDeviceSecret(secret, stored?.secretHash ?? '')).toBe(true);
    expect(verifyDeviceSecret(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, stored?.secretHash ?? '')).toBe(false);
    expect(verifyDeviceSecret('', stored?.secretHash ?? '')).toBe(false);
  });

  it.each([['sha256:abc'], ['md5:' + '0'.repeat(64)], [''], ['sha256:' + 'G'.repeat(64)]])(
    'treats a malformed stored hash %j as a failed verification, not an error',
    (hash) => {
      expect(verifyDeviceSecret('anything', hash)).toBe(false);
    },
  );

  it('never writes the secret to the database file or its WAL', async () => {
    const issued = [
      await service.provisionDevice({ type: 'wearable', residentId: 'r-test-1' }),
      await service.provisionDevice({ type: 'smoke-detector', homeId: 'h-test-1' }),
    ];
    const rotated = await service.rotateSecret(issued[0]?.deviceId ?? '');
    await db.destroy();
    const bytes = readdirSync(tmp.dir).map((f) => readFileSync(join(tmp.dir, f)).toString('latin1')).join('\n');
    for (const { deviceId, secret } of [...issued, rotated]) {
      expect(bytes).toContain(deviceId);
      expect(bytes).not.toContain(secret);
    }
    db = await openTempRegistry(tmp); // for afterEach
  });

  it.each(DEVICE_TYPES.map((t) => [t]))('generates a protocol-valid id with a type prefix for a %s', async (type) => {
    const { deviceId } = await service.provisionDevice({ type });
    expect(deviceIdSchema.safeParse(deviceId).success).toBe(true);
    expect(deviceId).toMatch(/^[a-z]+-[0-9a-z]{10}$/);
  });

  it('keeps a caller-chosen id and refuses to issue it twice', async () => {
    await expect(service.provisionDevice({ type: 'door-contact', id: 'door-0001', homeId: 'h-test-1' })).resolves.toMatchObject({ deviceId: 'door-0001' });
    await expect(service.provisionDevice({ type: 'door-contact', id: 'door-0001' })).rejects.toBeInstanceOf(DeviceAlreadyExistsError);
  });

  it.each([
    ['an id outside the protocol', { type: 'care-bed' as const, id: 'Bed_1' }],
    ['an unknown resident', { type: 'care-bed' as const, residentId: 'r-nobody' }],
    ['an unknown home', { type: 'pir-motion' as const, homeId: 'h-nowhere' }],
  ])('rejects %s', async (_case, request) => {
    await expect(service.provisionDevice(request)).rejects.toBeInstanceOf(InvalidDeviceRequestError);
    expect(await devices.count()).toBe(0);
  });

  it('rotating a secret invalidates the old one', async () => {
    const first = await service.provisionDevice({ type: 'sos-button', residentId: 'r-test-1' });
    const second = await service.rotateSecret(first.deviceId);
    const hash = (await devices.findById(first.deviceId))?.secretHash ?? '';
    expect(second.secret).not.toBe(first.secret);
    expect(verifyDeviceSecret(second.secret, hash)).toBe(true);
    expect(verifyDeviceSecret(first.secret, hash)).toBe(false);
  });

  it('disables a device and reports unknown ids', async () => {
    const { deviceId } = await service.provisionDevice({ type: 'fall-radar', homeId: 'h-test-1' });
    await service.disableDevice(deviceId);
    expect((await devices.findById(deviceId))?.disabled).toBe(true);
    expect((await devices.loadAllBindings()).get(deviceId)?.disabled).toBe(true);
    await expect(service.disableDevice('radar-missing')).rejects.toBeInstanceOf(UnknownDeviceError);
    await expect(service.rotateSecret('radar-missing')).rejects.toBeInstanceOf(UnknownDeviceError);
  });
});
