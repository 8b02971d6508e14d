/**
 * Factories with overridable defaults (STYLE.md §15) and Wuhan places for the
 * dispatch specs. Home: 江汉区民族街道 (near 江汉路步行街).
 */
import type { GeoPoint, Provider, Staff } from './provider.schema.js';
import type { ProviderAvailability } from './dispatch-policy.js';
import type { Candidate } from './work-order.schema.js';
import type { OpenWorkOrderInput } from './work-order.js';

export const T0 = Date.UTC(2025, 0, 15, 2, 0, 0); // 10:00 Asia/Shanghai
export const SEC = 1000;
export const MIN = 60 * SEC;

/** Degrees of latitude per km (≈ 1 / 111.2). */
export const KM_LAT = 1 / 111.195;

export const HOME: GeoPoint = { lat: 30.5800, lon: 114.2800 };
export const STREET = '420103001';
export const OTHER_STREET = '420103002';
export const DISTRICT = '420103';

/** A point `km` straight north of the home (great-circle). */
export const northOfHome = (km: number): GeoPoint => ({ lat: HOME.lat + km * KM_LAT, lon: HOME.lon });

export function makeProvider(over: Partial<Provider> = {}): Provider {
  return {
    id: 'prov-a',
    name: '江汉区民族街道综合养老服务中心',
    districtCode: DISTRICT,
    services: ['remote_care', 'medical'],
    streetCodes: [STREET],
    base: northOfHome(1),
    dutyPhone: '027-85550000',
    ...over,
  };
}

export function makeStaff(over: Partial<Staff> = {}): Staff {
  return { id: 'st-1', providerId: 'prov-a', name: '李秀英', role: 'caregiver', onDuty: true, travelMode: 'ebike', location: null, ...over };
}

export function makeAvailability(
  provider: Partial<Provider> = {},
  staff: readonly Partial<Staff>[] = [{}],
  openOrders = 0,
): ProviderAvailability {
  const p = makeProvider(provider);
  return { provider: p, staff: staff.map((s, i) => makeStaff({ id: `${p.id}-st-${i + 1}`, providerId: p.id, ...s })), openOrders };
}

export function makeCandidate(over: Partial<Candidate> = {}): Candidate {
  return {
    providerId: 'prov-a',
    service: 'remote_care',
    staffId: null,
    origin: 'base',
    travelMode: 'ebike',
    distanceKm: 1.3,
    travelMinutes: 6,
    openOrders: 0,
    reason: '1.3 km，电动车约 6 分钟，当前 0 单在办',
    ...over,
  };
}

export function makeOrderInput(over: Partial<Omit<OpenWorkOrderInput, 'sla'>> = {}): Omit<OpenWorkOrderInput, 'sla'> {
  return {
    id: 'ord-1',
    alertId: 'al-1',
    residentId: 'res-1',
    districtCode: DISTRICT,
    streetCode: STREET,
    reason: 'fall',
    service: 'remote_care',
    priority: 'P1',
    instructions: [],
    candidates: [makeCandidate({ providerId: 'prov-a' }), makeCandidate({ providerId: 'prov-b' })],
    createdAt: T0,
    ...over,
  };
}

export const staffOf = (providerId: string, staffId = `${providerId}-st-1`) => ({ kind: 'staff', staffId, providerId }) as const;
