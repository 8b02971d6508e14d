/**
 * Provisioning: issuing device identities and secrets. The secret is returned
 * exactly once, to the caller that provisions the device (printed on the
 * installer's sheet or flashed into the firmware); the registry keeps only
 * its hash and nothing here logs it.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEVICE_TYPES, type DeviceType } from '../../devices/device-type.js';
import { deviceIdSchema } from '../../devices/protocol.js';
import { generateDeviceSecret, hashDeviceSecret, SECRET_ALGO } from './device-secret.js';
import type { DeviceRepository } from './device.repository.js';
import type { GeographyRepository } from './geography.repository.js';
import { DeviceAlreadyExistsError, InvalidDeviceRequestError, UnknownDeviceError } from './registry.errors.js';
import type { ResidentRepository } from './resident.repository.js';

export { verifyDeviceSecret, hashDeviceSecret } from './device-secret.js';

/** Id prefix per device type: `bed-k3v9q2m7xa`, `wear-…`. Short, readable on a label. */
export const DEVICE_ID_PREFIXES: Readonly<Record<DeviceType, string>> = {
  'care-bed': 'bed',
  wearable: 'wear',
  'fall-radar': 'radar',
  'sos-button': 'sos',
  'smoke-detector': 'smoke',
  'gas-detector': 'gas',
  'water-leak': 'leak',
  'door-contact': 'door',
  'pir-motion': 'pir',
};

/**
 * What an operator, the CLI or the REST API sends to provision a device.
 *
 * @example { type: 'care-bed', residentId: 'r-000042', label: '主卧床垫' }
 */
export const provisionDeviceRequestSchema = z.object({
  type: z.enum(DEVICE_TYPES),
  id: deviceIdSchema.optional(),
  residentId: z.string().min(1).max(64).optional(),
  homeId: z.string().min(1).max(64).optional(),
  label: z.string().min(1).max(64).optional(),
  /** Who provisions (operator account, 'cli'); defaults to 'system'. */
  provisionedBy: z.string().min(1).max(64).optional(),
});
export type ProvisionDeviceRequest = z.infer<typeof provisionDeviceRequestSchema>;

export interface ProvisionedDevice {
  readonly deviceId: string;
  /** 32 random bytes, base64url. Shown once; only its hash is stored. */
  readonly secret: string;
}

// Crockford-ish lowercase alphabet: no i, l, o, u to keep labels readable; 32
// symbols so each random byte maps without modulo bias (256 = 8 × 32).
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_RANDOM_CHARS = 10; // 50 bits: collisions are negligible at millions of devices

/** `<type-prefix>-<10 random chars>`, always valid under `deviceIdSchema`. */
export function generateDeviceId(type: DeviceType): string {
  const bytes = randomBytes(ID_RANDOM_CHARS);
  let suffix = '';
  for (const byte of bytes) suffix += ID_ALPHABET[byte % 32];
  return `${DEVICE_ID_PREFIXES[type]}-${suffix}`;
}

export interface ProvisioningServiceDeps {
  readonly devices: DeviceRepository;
  readonly residents: ResidentRepository;
  readonly geography: GeographyRepository;
  /** Epoch ms; injected so tests control created_at. */
  readonly now?: () => number;
}

export class ProvisioningService {
  private readonly now: () => number;

  constructor(private readonly deps: ProvisioningServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Registers a device and returns its id and secret (once).
   *
   * @throws InvalidDeviceRequestError for a bad request or an unknown resident/home
   * @throws DeviceAlreadyExistsError when `id` is taken
   */
  async provisionDevice(request: ProvisionDeviceRequest): Promise<ProvisionedDevice> {
    const parsed = provisionDeviceRequestSchema.safeParse(request);
    if (!parsed.success) throw new InvalidDeviceRequestError(z.prettifyError(parsed.error));
    const { type, id, residentId, homeId, label, provisionedBy } = parsed.data;

    if (residentId !== undefined && (await this.deps.residents.getById(residentId)) === undefined) {
      throw new InvalidDeviceRequestError(`unknown resident ${residentId}`);
    }
    if (homeId !== undefined && (await this.deps.geography.findHome(homeId)) === undefined) {
      throw new InvalidDeviceRequestError(`unknown home ${homeId}`);
    }

    const deviceId = id ?? (await this.freshDeviceId(type));
    if (id !== undefined && (await this.deps.devices.findById(id)) !== undefined) {
      throw new DeviceAlreadyExistsError(id);
    }

    const secret = generateDeviceSecret();
    await this.deps.devices.insert({
      id: deviceId,
      type,
      secretHash: hashDeviceSecret(secret),
      secretAlgo: SECRET_ALGO,
      residentId: residentId ?? null,
      homeId: homeId ?? null,
      label: label ?? null,
      createdAt: this.now(),
      provisionedBy: provisionedBy ?? 'system',
    });
    return { deviceId, secret };
  }

  /**
   * Issues a new secret; the old one stops working at the device's next
   * CONNECT (the broker's cache must be refreshed by the caller).
   *
   * @throws UnknownDeviceError
   */
  async rotateSecret(deviceId: string): Promise<ProvisionedDevice> {
    const secret = generateDeviceSecret();
    const found = await this.deps.devices.updateSecretHash(deviceId, hashDeviceSecret(secret), SECRET_ALGO);
    if (!found) throw new UnknownDeviceError(deviceId);
    return { deviceId, secret };
  }

  /**
   * Marks the device disabled: it keeps its history and binding but may no
   * longer connect.
   *
   * @throws UnknownDeviceError
   */
  async disableDevice(deviceId: string): Promise<void> {
    const found = await this.deps.devices.setDisabled(deviceId, true);
    if (!found) throw new UnknownDeviceError(deviceId);
  }

  private async freshDeviceId(type: DeviceType): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidate = generateDeviceId(type);
      if ((await this.deps.devices.findById(candidate)) === undefined) return candidate;
    }
    // 50 random bits colliding five times in a row means the RNG is broken.
    throw new Error('could not generate a free device id');
  }
}
