/**
 * The provider registry over REST, role by role: who may list and read
 * providers, who may set a staff member's duty or report their location, and
 * the directory the dispatch policy reads staying current after each change.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Provider } from '../../../src/domain/dispatch/provider.schema.js';
import { ProviderDirectory } from '../../../src/providers/provider.directory.js';
import { TEST_ADMIN_TOKEN, type TestPlatform } from '../../support/test-platform.js';
import { call, startDemoPlatform, T0, tokenOf } from '../accounts/access.fixtures.js';

const MINZU = 'prv-420103-minzu';
const TANGJIADUN = 'prv-420103-tangjiadun';
const ZHONGNANLU = 'prv-420106-zhongnanlu';
const MINZU_STREET = '420103001';

type Who = 'admin-token' | 'anonymous' | 'jianghan.officer' | 'wuchang.officer' | 'minzu.dispatcher' | 'minzu.caregiver1' | 'tangjiadun.dispatcher';

describe('provider registry: role and scope over REST', () => {
  let platform: TestPlatform;
  const tokens = new Map<Who, string | undefined>();

  beforeAll(async () => {
    platform = await startDemoPlatform({ now: () => T0 });
    tokens.set('admin-token', TEST_ADMIN_TOKEN);
    tokens.set('anonymous', undefined);
    for (const who of ['jianghan.officer', 'wuchang.officer', 'minzu.dispatcher', 'minzu.caregiver1', 'tangjiadun.dispatcher'] as const) tokens.set(who, await tokenOf(platform, who));
  });

  afterAll(async () => {
    await platform.dispose();
  });

  it.each<[string, Who, string, string, unknown, number]>([
    ['anyone without a token is refused', 'anonymous', 'GET', '/api/providers', undefined, 401],
    ['the admin token reads any provider', 'admin-token', 'GET', `/api/providers/${ZHONGNANLU}`, undefined, 200],
    ['a 江汉区 officer reads a 江汉区 provider', 'jianghan.officer', 'GET', `/api/providers/${MINZU}`, undefined, 200],
    ['a 江汉区 officer gets 403 for a 武昌区 provider', 'jianghan.officer', 'GET', `/api/providers/${ZHONGNANLU}`, undefined, 403],
    ['a 江汉区 officer gets 403 listing 武昌区', 'jianghan.officer', 'GET', '/api/providers?districtCode=420106', undefined, 403],
    ['a 武昌区 officer reads a 武昌区 provider', 'wuchang.officer', 'GET', `/api/providers/${ZHONGNANLU}`, undefined, 200],
    ['a district officer may not set a caregiver’s duty', 'jianghan.officer', 'PATCH', '/api/staff/stf-420103-minzu-2/duty', { onDuty: false }, 403],
    ['a dispatcher reads their own provider', 'minzu.dispatcher', 'GET', `/api/providers/${MINZU}`, undefined, 200],
    ['a dispatcher of A gets 403 for provider B in the same district', 'minzu.dispatcher', 'GET', `/api/providers/${TANGJIADUN}`, undefined, 403],
    ['a dispatcher sets the duty of their own caregiver', 'minzu.dispatcher', 'PATCH', '/api/staff/stf-420103-minzu-2/duty', { onDuty: true }, 200],
    ['a dispatcher of A cannot set the duty of B’s staff', 'minzu.dispatcher', 'PATCH', '/api/staff/stf-420103-tangjiadun-1/duty', { onDuty: false }, 403],
    ['a dispatcher of B cannot report A’s caregiver location', 'tangjiadun.dispatcher', 'POST', '/api/staff/stf-420103-minzu-1/location', { lat: 30.58, lon: 114.29 }, 403],
    ['a dispatcher reports their caregiver’s location', 'minzu.dispatcher', 'POST', '/api/staff/stf-420103-minzu-2/location', { lat: 30.578, lon: 114.288 }, 200],
    ['a caregiver reports their own location', 'minzu.caregiver1', 'POST', '/api/staff/stf-420103-minzu-1/location', { lat: 30.5775, lon: 114.2885 }, 200],
    ['a caregiver cannot report a colleague’s location', 'minzu.caregiver1', 'POST', '/api/staff/stf-420103-minzu-2/location', { lat: 30.5775, lon: 114.2885 }, 403],
    ['a caregiver sets their own duty', 'minzu.caregiver1', 'PATCH', '/api/staff/stf-420103-minzu-1/duty', { onDuty: true }, 200],
    ['a caregiver cannot set a colleague’s duty', 'minzu.caregiver1', 'PATCH', '/api/staff/stf-420103-minzu-2/duty', { onDuty: false }, 403],
    ['an unknown staff member is 404 for the admin', 'admin-token', 'PATCH', '/api/staff/stf-nobody/duty', { onDuty: true }, 404],
    ['an unknown provider is 404', 'admin-token', 'GET', '/api/providers/prv-nobody', undefined, 404],
    ['a location off the globe is 400 naming the field', 'minzu.caregiver1', 'POST', '/api/staff/stf-420103-minzu-1/location', { lat: 91, lon: 114.2885 }, 400],
  ])('%s', async (_name, who, method, path, body, status) => {
    const res = await call(platform, tokens.get(who), method, path, body);
    expect(res.status).toBe(status);
  });

  it.each<[Who, (p: Provider) => boolean, number]>([
    ['admin-token', () => true, 24],
    ['jianghan.officer', (p) => p.districtCode === '420103', 3],
    ['minzu.dispatcher', (p) => p.id === MINZU, 1],
    ['minzu.caregiver1', (p) => p.id === MINZU, 1],
  ])('lists only the providers in scope for %s', async (who, inScope, count) => {
    const res = await call(platform, tokens.get(who), 'GET', '/api/providers');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Provider[] };
    expect(items).toHaveLength(count);
    expect(items.every(inScope)).toBe(true);
  });

  it('filters providers by street and service', async () => {
    const res = await call(platform, TEST_ADMIN_TOKEN, 'GET', `/api/providers?streetCode=${MINZU_STREET}&service=meal`);
    const { items } = (await res.json()) as { items: Provider[] };
    expect(items.map((p) => p.id)).toContain(MINZU);
    expect(items.every((p) => p.streetCodes.includes(MINZU_STREET) && p.services.includes('meal'))).toBe(true);
  });

  it('keeps the dispatch directory current: off duty drops a caregiver from the candidates, a location is visible at once', async () => {
    const directory = platform.get(ProviderDirectory);
    const before = directory.candidatesFor(MINZU_STREET, 'remote_care').find((c) => c.provider.id === MINZU);
    expect(before?.staffOnDuty.map((s) => s.id)).toContain('stf-420103-minzu-1');

    const caregiver = tokens.get('minzu.caregiver1');
    expect((await call(platform, caregiver, 'PATCH', '/api/staff/stf-420103-minzu-1/duty', { onDuty: false })).status).toBe(200);
    const after = directory.candidatesFor(MINZU_STREET, 'remote_care').find((c) => c.provider.id === MINZU);
    expect(after?.staffOnDuty.map((s) => s.id)).not.toContain('stf-420103-minzu-1');

    const res = await call(platform, caregiver, 'POST', '/api/staff/stf-420103-minzu-1/location', { lat: 30.5771, lon: 114.2881 });
    expect(await res.json()).toMatchObject({ id: 'stf-420103-minzu-1', onDuty: false, location: { lat: 30.5771, lon: 114.2881, at: T0 } });
    expect(directory.staff('stf-420103-minzu-1')?.location).toEqual({ lat: 30.5771, lon: 114.2881, at: T0 });
    expect((await call(platform, caregiver, 'PATCH', '/api/staff/stf-420103-minzu-1/duty', { onDuty: true })).status).toBe(200);
  });

  it('shows a provider with its staff, duty status and last location', async () => {
    const res = await call(platform, tokens.get('minzu.dispatcher'), 'GET', `/api/providers/${MINZU}`);
    const body = (await res.json()) as Provider & { staff: { id: string; role: string }[] };
    expect(body).toMatchObject({ id: MINZU, name: '江汉区民族街道综合养老服务中心', districtCode: '420103', services: expect.arrayContaining(['remote_care', 'meal']) });
    expect(body.staff[0]).toMatchObject({ id: 'stf-420103-minzu-0', role: 'dispatcher' });
    expect(body.staff.length).toBeGreaterThanOrEqual(3);
  });
});
