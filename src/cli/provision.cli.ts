/**
 * `npm run provision -- --type care-bed [--resident R] [--home H]`
 *
 * Registers a device and prints its credentials once (the secret is stored
 * only as a hash). Talks to the running platform's REST API by default, so
 * the broker knows the device at once; with --offline it writes the registry
 * database directly (the platform must be stopped, and picks it up at start)
 * and appends the audit entry the API would have written, with the operating
 * system's user as the actor.
 */
import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { AuditRepository } from '../audit/audit.repository.js';
import { DEVICE_TYPES } from '../../devices/device-type.js';
import { openRegistryDatabase } from '../registry/database.js';
import { DeviceRepository } from '../registry/device.repository.js';
import { GeographyRepository } from '../registry/geography.repository.js';
import { ProvisioningService } from '../registry/provisioning.service.js';
import { ResidentRepository } from '../registry/resident.repository.js';

interface Options {
  type: (typeof DEVICE_TYPES)[number];
  id?: string;
  resident?: string;
  home?: string;
  label?: string;
  api: string;
  adminToken?: string;
  offline?: boolean;
  dataDir: string;
}

async function provisionOverApi(o: Options): Promise<unknown> {
  if (!o.adminToken) throw new Error('--admin-token (or ANXIN_ADMIN_TOKEN) is required to provision over the API');
  const body = { type: o.type, ...(o.id && { id: o.id }), ...(o.resident && { residentId: o.resident }), ...(o.home && { homeId: o.home }), ...(o.label && { label: o.label }) };
  const response = await fetch(new URL('/api/devices', o.api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${o.adminToken}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the platform refused (HTTP ${response.status}): ${text}`);
  return JSON.parse(text) as unknown;
}

async function provisionOffline(o: Options): Promise<unknown> {
  const db = await openRegistryDatabase({ filename: join(o.dataDir, 'registry.sqlite') });
  try {
    const devices = new DeviceRepository(db);
    const service = new ProvisioningService({ devices, residents: new ResidentRepository(db), geography: new GeographyRepository(db) });
    const provisioned = await service.provisionDevice({
      type: o.type,
      provisionedBy: 'cli',
      ...(o.id && { id: o.id }),
      ...(o.resident && { residentId: o.resident }),
      ...(o.home && { homeId: o.home }),
      ...(o.label && { label: o.label }),
    });
    const binding = await devices.findBinding(provisioned.deviceId);
    await new AuditRepository(db).append({
      at: Date.now(),
      action: 'device.provision',
      actorId: 'cli',
      actorName: userInfo().username.slice(0, 64) || 'cli',
      role: 'system',
      residentId: binding?.residentId ?? null,
      districtCode: binding?.districtCode ?? null,
      targetKind: 'device',
      targetId: provisioned.deviceId,
      purpose: null,
      address: null,
      detail: { via: 'provision --offline' },
    });
    return provisioned;
  } finally {
    await db.destroy();
  }
}

const program = new Command('provision')
  .description('Register a device and print its MQTT credentials (the secret is shown once)')
  .addOption(new Option('--type <type>', 'device type').choices(DEVICE_TYPES).makeOptionMandatory())
  .option('--id <id>', 'device id (generated when absent)')
  .option('--resident <residentId>', 'bind to a resident')
  .option('--home <homeId>', 'bind to a home')
  .option('--label <label>', 'a label, e.g. 卧室床垫')
  .addOption(new Option('--api <url>', 'platform base URL').env('ANXIN_API_URL').default('http://127.0.0.1:8080'))
  .addOption(new Option('--admin-token <token>', 'admin bearer token').env('ANXIN_ADMIN_TOKEN'))
  .option('--offline', 'write the registry database directly (platform stopped)')
  .addOption(new Option('--data-dir <dir>', 'data directory for --offline').env('ANXIN_DATA_DIR').default('var'))
  .action(async (o: Options) => {
    const result = o.offline ? await provisionOffline(o) : await provisionOverApi(o);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`provision: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
