/**
 * Every device type the platform knows, by type name. The backend ingest, the
 * simulator, the web apps and the tests read device types from here only.
 */
import { careBed } from './care-bed/care-bed.device.js';
import { DEVICE_TYPES, type DeviceType, type DeviceTypeDescriptor } from './device-type.js';
import { doorContact } from './door-contact/door-contact.device.js';
import { fallRadar } from './fall-radar/fall-radar.device.js';
import { gasDetector } from './gas-detector/gas-detector.device.js';
import { pirMotion } from './pir-motion/pir-motion.device.js';
import { smokeDetector } from './smoke-detector/smoke-detector.device.js';
import { sosButton } from './sos-button/sos-button.device.js';
import { waterLeak } from './water-leak/water-leak.device.js';
import { wearable } from './wearable/wearable.device.js';

export const deviceCatalogue: Readonly<Record<DeviceType, DeviceTypeDescriptor>> = Object.freeze({
  'care-bed': careBed,
  wearable,
  'fall-radar': fallRadar,
  'sos-button': sosButton,
  'smoke-detector': smokeDetector,
  'gas-detector': gasDetector,
  'water-leak': waterLeak,
  'door-contact': doorContact,
  'pir-motion': pirMotion,
});

/** Narrows a string from the registry, a topic or a CLI flag. */
export function isDeviceType(s: unknown): s is DeviceType {
  return typeof s === 'string' && (DEVICE_TYPES as readonly string[]).includes(s);
}

/**
 * @example getDeviceType('care-bed').heartbeatIntervalS // 60
 * @throws when `type` is not a known device type (validate untrusted input with isDeviceType first).
 */
export function getDeviceType(type: string): DeviceTypeDescriptor {
  if (!isDeviceType(type)) throw new Error(`unknown device type "${type}"; known: ${DEVICE_TYPES.join(', ')}`);
  return deviceCatalogue[type];
}
