/**
 * Applies `decideResidentDataAccess` to devices and residents: looks up where
 * a device sits and whether the principal's provider was dispatched to its
 * resident (or a resident of its home), then answers or throws 403. The
 * controllers of device and telemetry routes ask this one class, so the rule
 * is written once.
 */
import { ForbiddenException } from '@nestjs/common';
import type { Principal } from '../domain/access/principal.js';
import { decideResidentDataAccess, type ResidentDataKind } from '../domain/access/resident-data-access.js';
import type { WorkOrderRepository } from '../dispatch/work-order.repository.js';
import type { DeviceRepository, DeviceScope } from '../registry/device.repository.js';

const REFUSALS = {
  out_of_district: 'this device is not in your district',
  not_served: 'only staff of a provider dispatched to this resident may read this',
  not_in_role: "a district officer reads aggregates, not one elder's readings",
  unscoped_resource: 'this device is bound to no resident or home in your scope',
} as const;

export class ResidentAccess {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly orders: WorkOrderRepository,
  ) {}

  /** The devices a principal may list (`GET /api/devices`). */
  async deviceScope(principal: Principal): Promise<DeviceScope> {
    switch (principal.role) {
      case 'platform_admin':
        return { kind: 'all' };
      case 'district_officer':
        return { kind: 'district', districtCode: principal.scope.districtCode ?? '\u0000none' };
      case 'provider_dispatcher':
      case 'caregiver':
        return { kind: 'residents', residentIds: await this.servedResidents(principal) };
    }
  }

  /** Throws 403 unless the principal may read `kind` of data about this (existing) device. */
  async assertDevice(principal: Principal, deviceId: string, kind: ResidentDataKind): Promise<void> {
    if (principal.role === 'platform_admin') return;
    const binding = await this.devices.findBinding(deviceId);
    const served = isProviderStaff(principal) && (await this.devices.isWithin(deviceId, { kind: 'residents', residentIds: await this.servedResidents(principal) }));
    this.enforce(decideResidentDataAccess(principal, { districtCode: binding?.districtCode ?? null, servedByOwnProvider: served }, kind));
  }

  /** Throws 403 unless the principal may read `kind` of data about this resident. */
  async assertResident(principal: Principal, residentId: string, districtCode: string | null, kind: ResidentDataKind): Promise<void> {
    if (principal.role === 'platform_admin') return;
    const served = isProviderStaff(principal) && (await this.servedResidents(principal)).includes(residentId);
    this.enforce(decideResidentDataAccess(principal, { districtCode, servedByOwnProvider: served }, kind));
  }

  private async servedResidents(principal: Principal): Promise<string[]> {
    const providerId = principal.scope.providerId;
    return providerId === null ? [] : this.orders.residentsServedBy(providerId);
  }

  private enforce(decision: ReturnType<typeof decideResidentDataAccess>): void {
    if (!decision.allowed) throw new ForbiddenException({ error: REFUSALS[decision.reason], reason: decision.reason });
  }
}

function isProviderStaff(principal: Principal): boolean {
  return principal.role === 'provider_dispatcher' || principal.role === 'caregiver';
}
