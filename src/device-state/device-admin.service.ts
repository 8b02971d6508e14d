/**
 * Device provisioning as the running platform sees it: the registry change
 * and the in-memory directory the broker authenticates against move
 * together, so a device provisioned over REST can connect at once.
 */
import type { DeviceRepository } from '../registry/device.repository.js';
import type { ProvisionDeviceRequest, ProvisioningService } from '../registry/provisioning.service.js';
import type { DeviceDirectoryCache } from './device-directory.cache.js';
import type { WithoutUndefined } from '../util/without-undefined.js';

export class DeviceAdminService {
  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly devices: DeviceRepository,
    private readonly directory: DeviceDirectoryCache,
  ) {}

  async provision(request: Omit<ProvisionDeviceRequest, 'provisionedBy'>, by: string): Promise<{ deviceId: string; secret: string }> {
    const result = await this.provisioning.provisionDevice({ ...(request as WithoutUndefined<typeof request>), provisionedBy: by });
    await this.refresh(result.deviceId);
    return { deviceId: result.deviceId, secret: result.secret };
  }

  async rotateSecret(deviceId: string): Promise<string> {
    const { secret } = await this.provisioning.rotateSecret(deviceId);
    await this.refresh(deviceId);
    return secret;
  }

  async disable(deviceId: string): Promise<void> {
    await this.provisioning.disableDevice(deviceId);
    await this.refresh(deviceId);
  }

  private async refresh(deviceId: string): Promise<void> {
    const [record, binding] = await Promise.all([this.devices.findById(deviceId), this.devices.findBinding(deviceId)]);
    if (record && binding) this.directory.upsert({ ...binding, secretHash: record.secretHash, disabled: record.disabled });
  }
}
