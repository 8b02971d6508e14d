/**
 * Security suite: every REST route the server serves is either guarded or on
 * the explicit public list below, and resident-revealing routes are scoped.
 *
 * The walk reads the HTTP server's own route table (whatever module a route
 * came from), so a controller added without a guard fails here: without a
 * token it must answer 401, with a role the route's OpenAPI entry does not
 * name 403. Routes then check scope against the resource: a district officer
 * sees their district's device records and no readings; provider staff see
 * only the devices and readings of residents their provider was dispatched to.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { ROLES, type Role } from '../../../src/domain/access/principal.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { DeviceRepository } from '../../../src/registry/device.repository.js';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, LOGIN_PROVIDERS, login, makeFallAlert, residentsServedBy } from '../../e2e/dispatch/dispatch.fixtures.js';

/** Routes anyone may call, on purpose: probes, the API description, logging in, district and street names. */
const PUBLIC_ROUTES = ['GET /healthz', 'GET /readyz', 'GET /api/openapi.json', 'POST /api/auth/login', 'GET /api/geography/districts', 'GET /api/geography/streets'];

/** One demo login per role other than the platform admin (the admin passes every role check). */
const LOGINS: Readonly<Record<Exclude<Role, 'platform_admin'>, string>> = {
  district_officer: 'jianghan.officer',
  provider_dispatcher: 'minzu.dispatcher',
  caregiver: 'minzu.caregiver1',
};

interface Operation {
  readonly security?: readonly Record<string, unknown>[];
  readonly description?: string;
}
interface ExpressApp {
  readonly router: { readonly stack: readonly { readonly route?: { readonly path: string; readonly methods: Readonly<Record<string, boolean>> } }[] };
}

const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

function servedRoutes(platform: TestPlatform): { method: string; path: string; id: string }[] {
  const express = platform.app.getHttpAdapter().getInstance() as ExpressApp;
  return express.router.stack.flatMap((layer) =>
    layer.route === undefined
      ? []
      : Object.entries(layer.route.methods)
          .filter(([, on]) => on)
          .map(([method]) => ({ method: method.toUpperCase(), path: layer.route?.path ?? '', id: `${method.toUpperCase()} ${openApiPath(layer.route?.path ?? '')}` })),
  );
}

/** A concrete URL for a route pattern: path parameters get a well-formed id that names nothing. */
const concrete = (path: string): string => path.replace(/:(\w+)/g, 'bed-nobody0001');

let platform: TestPlatform;
let operations: Map<string, Operation>;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  platform = await startTestPlatform({ config: DEMO_CONFIG });
  const doc = (await (await fetch(`${platform.httpUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
  operations = new Map(Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const)));
  for (const [role, username] of Object.entries(LOGINS) as [Role, string][]) tokens.set(role, await login(platform, username));
});

afterAll(async () => {
  await platform?.dispose();
});

const call = (method: string, path: string, token?: string): Promise<Response> =>
  fetch(platform.httpUrl + path, { method, headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) } });

/** The roles a route lets through its role check, from its OpenAPI entry. */
function allowedRoles(id: string): readonly Role[] {
  const op = operations.get(id);
  const scheme = Object.keys(op?.security?.[0] ?? {})[0];
  if (scheme === 'adminToken' || scheme === 'metricsToken') return ['platform_admin'];
  const listed = /^Roles: ([a-z_, ]+) \(/.exec(op?.description ?? '')?.[1];
  return listed === undefined ? [] : (listed.split(', ') as Role[]);
}

describe('the route walk', () => {
  it('walks a route table that holds the resident-revealing routes', () => {
    expect(servedRoutes(platform).map((r) => r.id)).toEqual(
      expect.arrayContaining(['GET /api/devices', 'GET /api/devices/{id}', 'GET /api/devices/{id}/telemetry/latest', 'GET /api/residents/{id}/vitals', 'GET /api/orders/{id}/resident', 'GET /metrics', 'GET /api/audit', 'GET /api/audit.csv']),
    );
  });

  it('finds no route that is neither guarded nor on the public list (401 without a token)', async () => {
    const open: string[] = [];
    for (const route of servedRoutes(platform)) {
      if (PUBLIC_ROUTES.includes(route.id)) continue;
      const res = await call(route.method, concrete(route.path));
      if (res.status !== 401) open.push(`${route.id} answered ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('answers the public routes without a token', async () => {
    for (const id of PUBLIC_ROUTES) {
      const [method = '', path = ''] = id.split(' ');
      expect(servedRoutes(platform).map((r) => r.id)).toContain(id);
      if (method === 'GET') expect([200, 503]).toContain((await call(method, path)).status);
    }
  });

  it('declares in OpenAPI the security of every route: none for exactly the public ones', () => {
    const undeclared = servedRoutes(platform).filter((r) => operations.get(r.id)?.security === undefined);
    const declaredPublic = servedRoutes(platform).filter((r) => operations.get(r.id)?.security?.length === 0).map((r) => r.id);

    expect(undeclared).toEqual([]);
    expect(declaredPublic.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('refuses every role a route does not name (403)', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const route of servedRoutes(platform)) {
      if (PUBLIC_ROUTES.includes(route.id)) continue;
      const allowed = allowedRoles(route.id);
      expect(allowed.length).toBeGreaterThan(0);
      for (const role of ROLES.filter((r) => r !== 'platform_admin' && !allowed.includes(r))) {
        const res = await call(route.method, concrete(route.path), tokens.get(role));
        checked += 1;
        if (res.status !== 403) wrong.push(`${route.id} as ${role} answered ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });
});

describe('scope of the device and telemetry routes', () => {
  let minzuResident: Resident;
  let minzuDeviceId: string;
  let otherDistrictDeviceId: string;

  beforeAll(async () => {
    const served = await residentsServedBy(platform, LOGIN_PROVIDERS.minzu?.[1] ?? '');
    const devices = platform.get(DeviceRepository);
    const withDevice = [];
    for (const r of served) if ((await devices.listByResident(r.id)).length > 0) withDevice.push(r);
    minzuResident = withDevice[0] as Resident;
    expect(minzuResident).toBeDefined();
    minzuDeviceId = (await devices.listByResident(minzuResident.id))[0]?.id ?? '';
    const all = (await devices.list({ limit: 500 })).items;
    for (const d of all) {
      const binding = await devices.findBinding(d.id);
      if (binding?.districtCode !== null && binding?.districtCode !== undefined && binding.districtCode !== '420103') {
        otherDistrictDeviceId = d.id;
        break;
      }
    }
    expect(otherDistrictDeviceId).toBeDefined();
  });

  it('shows a district officer the device records of their district only, and none of the readings', async () => {
    const officer = tokens.get('district_officer');
    const page = (await (await call('GET', '/api/devices?limit=500', officer)).json()) as { items: { id: string }[] };
    const devices = platform.get(DeviceRepository);
    for (const d of page.items) expect((await devices.findBinding(d.id))?.districtCode).toBe('420103');
    expect(page.items.length).toBeGreaterThan(0);
    expect((await call('GET', `/api/devices/${minzuDeviceId}`, officer)).status).toBe(200);
    expect((await call('GET', `/api/devices/${otherDistrictDeviceId}`, officer)).status).toBe(403);
    expect((await call('GET', `/api/devices/${minzuDeviceId}/telemetry/latest`, officer)).status).toBe(403);
  });

  it('shows provider staff nothing before their provider is dispatched to the resident, and the resident’s devices and readings after', async () => {
    const caregiver = tokens.get('caregiver');
    const before = (await (await call('GET', '/api/devices?limit=500', caregiver)).json()) as { items: unknown[] };
    expect(before.items).toEqual([]);
    expect((await call('GET', `/api/devices/${minzuDeviceId}`, caregiver)).status).toBe(403);
    expect((await call('GET', `/api/devices/${minzuDeviceId}/telemetry/latest`, caregiver)).status).toBe(403);
    expect((await call('GET', `/api/residents/${minzuResident.id}/vitals`, caregiver)).status).toBe(403);

    platform.get(DomainEventBus).publish('AlertRaised', { type: 'AlertRaised', alert: makeFallAlert(minzuResident.id, Date.now()) });
    const orders = platform.get(WorkOrderRepository);
    await eventually(async () => ((await orders.residentsServedBy(LOGIN_PROVIDERS.minzu?.[1] ?? '')).includes(minzuResident.id) ? true : undefined));

    const after = (await (await call('GET', `/api/devices?residentId=${minzuResident.id}`, caregiver)).json()) as { items: { id: string; residentId: string | null; homeId: string | null }[] };
    expect(after.items.map((d) => d.id)).toContain(minzuDeviceId);
    expect((await call('GET', `/api/devices/${minzuDeviceId}`, caregiver)).status).toBe(200);
    expect((await call('GET', `/api/devices/${minzuDeviceId}/telemetry/latest`, caregiver)).status).toBe(200);
    expect((await call('GET', `/api/residents/${minzuResident.id}/vitals`, caregiver)).status).toBe(200);
    // Still nothing of a resident nobody sent them to.
    expect((await call('GET', `/api/devices/${otherDistrictDeviceId}/telemetry/latest`, caregiver)).status).toBe(403);
  });

  it('lets the metrics token read /metrics and nothing else', async () => {
    const scoped = await startTestPlatform({ config: { http: { host: '127.0.0.1', port: 0, metricsToken: 'prometheus-scrape-token-01', allowedOrigins: [] } } });
    try {
      const metrics = (token?: string): Promise<Response> => fetch(`${scoped.httpUrl}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
      expect((await metrics()).status).toBe(401);
      expect((await metrics('not-the-metrics-token')).status).toBe(401);
      expect((await metrics('prometheus-scrape-token-01')).status).toBe(200);
      expect((await fetch(`${scoped.httpUrl}/api/devices`, { headers: { authorization: 'Bearer prometheus-scrape-token-01' } })).status).toBe(401);
    } finally {
      await scoped.dispose();
    }
  });
});
