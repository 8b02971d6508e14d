/**
 * Every provisioned device's binding and secret hash, held in memory: the
 * broker authenticates and ingest resolves bindings for tens of thousands of
 * messages a second, so neither may touch SQL per message. Loaded at start,
 * updated by provisioning.
 */
import type { DeviceBinding } from '../domain/events/domain-events.js';
import type { DeviceDirectory } from '../ingest/ingest.service.js';

export type CachedDevice = DeviceBinding & { readonly secretHash: string; readonly disabled: boolean };

export class DeviceDirectoryCache implements DeviceDirectory {
  private devices = new Map<string, CachedDevice>();

  replaceAll(devices: ReadonlyMap<string, CachedDevice>): void {
    this.devices = new Map(devices);
  }

  upsert(device: CachedDevice): void {
    this.devices.set(device.deviceId, device);
  }

  get(deviceId: string): CachedDevice | undefined {
    return this.devices.get(deviceId);
  }

  /** Disabled devices have no binding: their messages are refused as unknown. */
  binding(deviceId: string): DeviceBinding | undefined {
    const device = this.devices.get(deviceId);
    return device && !device.disabled ? device : undefined;
  }

  size(): number {
    return this.devices.size;
  }

  all(): IterableIterator<CachedDevice> {
    return this.devices.values();
  }
}
