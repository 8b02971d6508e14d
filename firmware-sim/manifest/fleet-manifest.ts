/**
 * A fleet manifest: which homes exist, who lives there and which devices they
 * have. Loaded from a file (`--manifest`), fetched from the platform
 * (`GET /api/fleet/manifest?homes=N`, same shape without secrets), or built
 * locally for demo fleets.
 *
 * @example
 * { "homes": [{ "homeId": "demo-h00001", "residentId": "demo-r00001", "lat": 31.2304, "lon": 121.4737,
 *   "devices": [{ "deviceId": "demo-h00001-care-bed", "type": "care-bed", "secret": "…" }] }] }
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEVICE_TYPES, type DeviceType } from '../../devices/device-type.js';
import { deviceIdSchema } from '../../devices/protocol.js';
import { Prng } from '../util/prng.js';

export const manifestDeviceSchema = z.object({
  deviceId: deviceIdSchema,
  type: z.enum(DEVICE_TYPES),
  secret: z.string().min(1).optional(),
});
export type ManifestDevice = z.infer<typeof manifestDeviceSchema>;

export const manifestHomeSchema = z.object({
  homeId: z.string().min(1),
  residentId: z.string().min(1),
  lat: z.number().min(3).max(54),
  lon: z.number().min(73).max(136),
  devices: z.array(manifestDeviceSchema),
});
export type ManifestHome = z.infer<typeof manifestHomeSchema>;

export const fleetManifestSchema = z.object({ homes: z.array(manifestHomeSchema) });
export type FleetManifest = z.infer<typeof fleetManifestSchema>;

/** A demo device's secret: base64url(HMAC-SHA256(demoKey, deviceId)), as the platform provisions it. */
export function demoDeviceSecret(demoKey: string, deviceId: string): string {
  return createHmac('sha256', demoKey).update(deviceId, 'utf8').digest('base64url');
}

/** Fills in missing secrets from the demo key; throws when a secret is missing and no key is given. */
export function withDemoSecrets(manifest: FleetManifest, demoKey: string | undefined): FleetManifest {
  return {
    homes: manifest.homes.map((home) => ({
      ...home,
      devices: home.devices.map((device) => {
        if (device.secret !== undefined) return device;
        if (demoKey === undefined) throw new Error(`device ${device.deviceId} has no secret: pass --demo-key`);
        return { ...device, secret: demoDeviceSecret(demoKey, device.deviceId) };
      }),
    })),
  };
}

export async function loadManifestFile(path: string): Promise<FleetManifest> {
  const text = await readFile(path, 'utf8');
  return fleetManifestSchema.parse(JSON.parse(text));
}

/** The devices of a full 智能家庭照护床位 home, one of each type. */
export const FULL_HOME: readonly DeviceType[] = DEVICE_TYPES;

/** District centres the demo homes are scattered around (Shanghai, Hangzhou, Chengdu). */
const DEMO_CENTRES: readonly (readonly [number, number])[] = [
  [31.2304, 121.4737],
  [30.2741, 120.1551],
  [30.5728, 104.0668],
];

/**
 * A local demo manifest: `homes` full homes with ids `demo-h00001`,
 * residents `demo-r00001` and devices `demo-h00001-<type>`.
 * Only a broker that accepts these ids (a test broker, or one configured by
 * firmware-sim/mosquitto) lets them in; the platform provisions its own.
 */
export function buildDemoManifest(homes: number, seed: string | number, firstHome = 1): FleetManifest {
  const rng = new Prng(`manifest:${seed}`);
  const out: ManifestHome[] = [];
  for (let i = 0; i < homes; i++) {
    const n = String(firstHome + i).padStart(5, '0');
    const [lat, lon] = rng.pick(DEMO_CENTRES);
    out.push({
      homeId: `demo-h${n}`,
      residentId: `demo-r${n}`,
      lat: round(lat + rng.between(-0.05, 0.05), 5),
      lon: round(lon + rng.between(-0.05, 0.05), 5),
      devices: FULL_HOME.map((type) => ({ deviceId: `demo-h${n}-${type}`, type })),
    });
  }
  return { homes: out };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
