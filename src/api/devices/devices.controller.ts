import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { topics } from '../../../devices/protocol.js';
import { DeviceAdminService } from '../../device-state/device-admin.service.js';
import { DeviceStateService } from '../../device-state/device-state.service.js';
import { RejectionLog } from '../../ingest/rejection-log.js';
import { DeviceRepository, type DeviceRecord } from '../../registry/device.repository.js';
import { TELEMETRY_STORE, type TelemetryStore } from '../../telemetry/telemetry.store.js';
import { CurrentPrincipal, RequireRole } from '../../accounts/api/access.guard.js';
import { Audited } from '../../audit/audited.decorator.js';
import type { Principal } from '../../domain/access/principal.js';
import { rolesThatMayRead } from '../../domain/access/resident-data-access.js';
import { AdminGuard } from '../admin.guard.js';
import { ResidentAccess } from '../resident-access.js';
import { documentRoute } from '../openapi.js';
import { ZodValidationPipe } from '../zod-validation.pipe.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import {
  deviceCredentialsSchema,
  deviceIdParamsSchema,
  devicePageSchema,
  deviceViewSchema,
  latestTelemetrySchema,
  listDevicesQuerySchema,
  provisionDeviceBodySchema,
  rejectionsSchema,
} from './devices.schemas.js';

type DeviceView = z.infer<typeof deviceViewSchema>;

const routes = {
  provision: documentRoute({ method: 'post', path: '/api/devices', tag: 'devices', admin: true, status: 201, summary: 'Provision a device; the secret is returned once', body: provisionDeviceBodySchema, response: deviceCredentialsSchema }),
  list: documentRoute({ method: 'get', path: '/api/devices', tag: 'devices', roles: rolesThatMayRead('device_record'), summary: "Devices with their state: a district officer's district, a provider's dispatched residents and their homes; `residentId` narrows to one resident's devices and their home's", query: listDevicesQuerySchema, response: devicePageSchema }),
  get: documentRoute({ method: 'get', path: '/api/devices/:id', tag: 'devices', roles: rolesThatMayRead('device_record'), summary: 'One device with its state (scoped as the list)', params: deviceIdParamsSchema, response: deviceViewSchema }),
  latest: documentRoute({ method: 'get', path: '/api/devices/:id/telemetry/latest', tag: 'telemetry', roles: rolesThatMayRead('health_and_location'), summary: 'The newest value of every field the device reported; platform admin, or staff of a provider dispatched to its resident', params: deviceIdParamsSchema, response: latestTelemetrySchema }),
  rejections: documentRoute({ method: 'get', path: '/api/devices/:id/rejections', tag: 'devices', admin: true, summary: 'The last rejected messages of a device, for diagnosis', params: deviceIdParamsSchema, response: rejectionsSchema }),
  rotate: documentRoute({ method: 'post', path: '/api/devices/:id/rotate-secret', tag: 'devices', admin: true, summary: 'Issue a new secret (returned once); the old one stops working', params: deviceIdParamsSchema, response: deviceCredentialsSchema }),
  disable: documentRoute({ method: 'post', path: '/api/devices/:id/disable', tag: 'devices', admin: true, status: 204, summary: 'Disable a device: it can no longer connect', params: deviceIdParamsSchema }),
};

const params = new ZodValidationPipe(deviceIdParamsSchema, 'params');

const deviceSubject = (id: string | undefined) => ({ targetKind: 'device', targetId: id ?? null, ...(id !== undefined ? { deviceId: id } : {}) }) as const;

function credentials(deviceId: string, secret: string): z.infer<typeof deviceCredentialsSchema> {
  return { deviceId, secret, mqtt: { clientId: deviceId, username: deviceId, topics: { publish: topics.uplink(deviceId, 'telemetry').replace(/telemetry$/, '{telemetry|event|status|batch|cmd/reply}'), subscribe: topics.command(deviceId) } } };
}

@Controller('api/devices')
export class DevicesController {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly states: DeviceStateService,
    private readonly admin: DeviceAdminService,
    private readonly rejectionLog: RejectionLog,
    private readonly access: ResidentAccess,
    @Inject(TELEMETRY_STORE) private readonly telemetry: TelemetryStore,
  ) {}

  @Post()
  @UseGuards(AdminGuard)
  @Audited<{ deviceId: string }>('device.provision', (_req, r) => ({ targetKind: 'device', targetId: r.deviceId, deviceId: r.deviceId }))
  async provision(@Body(new ZodValidationPipe(routes.provision.body!, 'body')) body: z.infer<typeof provisionDeviceBodySchema>) {
    const { deviceId, secret } = await this.admin.provision(body, 'api');
    return credentials(deviceId, secret);
  }

  @Get()
  @RequireRole(...rolesThatMayRead('device_record'))
  async list(@Query(new ZodValidationPipe(listDevicesQuerySchema, 'query')) query: z.infer<typeof listDevicesQuerySchema>, @CurrentPrincipal() principal: Principal) {
    const page = await this.devices.list({ ...withoutUndefined(query), scope: await this.access.deviceScope(principal) });
    return { items: page.items.map((d) => this.view(d)), nextCursor: page.nextCursor ?? null };
  }

  @Get(':id')
  @RequireRole(...rolesThatMayRead('device_record'))
  async get(@Param(params) { id }: { id: string }, @CurrentPrincipal() principal: Principal): Promise<DeviceView> {
    const device = await this.find(id);
    await this.access.assertDevice(principal, id, 'device_record');
    return this.view(device);
  }

  @Get(':id/telemetry/latest')
  @RequireRole(...rolesThatMayRead('health_and_location'))
  @Audited('device.telemetry.read', ({ params }) => deviceSubject(params.id))
  async latest(@Param(params) { id }: { id: string }, @CurrentPrincipal() principal: Principal) {
    await this.find(id);
    await this.access.assertDevice(principal, id, 'health_and_location');
    return { deviceId: id, values: await this.telemetry.latest(id) };
  }

  @Get(':id/rejections')
  @UseGuards(AdminGuard)
  async rejections(@Param(params) { id }: { id: string }) {
    await this.find(id);
    return { deviceId: id, items: this.rejectionLog.forDevice(id).map(({ deviceId: _d, ...rest }) => rest) };
  }

  @Post(':id/rotate-secret')
  @UseGuards(AdminGuard)
  @Audited('device.secret.rotate', ({ params }) => deviceSubject(params.id))
  async rotate(@Param(params) { id }: { id: string }) {
    await this.find(id);
    return credentials(id, await this.admin.rotateSecret(id));
  }

  @Post(':id/disable')
  @HttpCode(204)
  @UseGuards(AdminGuard)
  @Audited('device.disable', ({ params }) => deviceSubject(params.id))
  async disable(@Param(params) { id }: { id: string }): Promise<void> {
    await this.find(id);
    await this.admin.disable(id);
  }

  private async find(id: string): Promise<DeviceRecord> {
    const device = await this.devices.findById(id);
    if (!device) throw new NotFoundException({ error: `device "${id}" is not provisioned` });
    return device;
  }

  private view(d: DeviceRecord): DeviceView {
    const s = this.states.get(d.id);
    return {
      id: d.id,
      type: d.type,
      label: d.label,
      residentId: d.residentId,
      homeId: d.homeId,
      disabled: d.disabled,
      createdAt: d.createdAt,
      state: { online: s?.online ?? false, lastSeenAt: s?.lastSeenAt ?? null, battery: s?.battery ?? null, rssi: s?.rssi ?? null, firmware: s?.firmware ?? null, announcedHeartbeatS: s?.announcedHeartbeatS ?? null },
    };
  }
}
