import { describe, expect, it } from '@jest/globals';
import type { Principal, Role } from './principal.js';
import { decideResidentDataAccess, rolesThatMayRead, type ResidentDataKind, type ResidentDataSubject } from './resident-data-access.js';

const JIANGHAN = '420103';
const WUCHANG = '420106';

function makePrincipal(role: Role, scope: Partial<Principal['scope']> = {}): Pick<Principal, 'role' | 'scope'> {
  return { role, scope: { districtCode: null, providerId: null, staffId: null, ...scope } };
}

const admin = makePrincipal('platform_admin');
const jianghanOfficer = makePrincipal('district_officer', { districtCode: JIANGHAN });
const dispatcherA = makePrincipal('provider_dispatcher', { providerId: 'A' });
const caregiverA1 = makePrincipal('caregiver', { providerId: 'A', staffId: 'A-1' });

const inJianghanServed: ResidentDataSubject = { districtCode: JIANGHAN, servedByOwnProvider: true };
const inJianghanNotServed: ResidentDataSubject = { districtCode: JIANGHAN, servedByOwnProvider: false };
const inWuchang: ResidentDataSubject = { districtCode: WUCHANG, servedByOwnProvider: false };
const unbound: ResidentDataSubject = { districtCode: null, servedByOwnProvider: false };

describe('who may read what about a resident', () => {
  it.each<[string, Pick<Principal, 'role' | 'scope'>, ResidentDataSubject, ResidentDataKind, true | string]>([
    ['a platform admin reads anyone’s readings', admin, inWuchang, 'health_and_location', true],
    ['a platform admin reads an unbound device', admin, unbound, 'device_record', true],
    ['a district officer reads the device records of their district', jianghanOfficer, inJianghanNotServed, 'device_record', true],
    ['a district officer cannot read device records of another district', jianghanOfficer, inWuchang, 'device_record', 'out_of_district'],
    ['a district officer cannot read an unbound device', jianghanOfficer, unbound, 'device_record', 'unscoped_resource'],
    ['a district officer never reads an elder’s readings, even in their district', jianghanOfficer, inJianghanServed, 'health_and_location', 'not_in_role'],
    ['a dispatcher reads the readings of a resident their provider serves', dispatcherA, inJianghanServed, 'health_and_location', true],
    ['a dispatcher reads the devices of a resident their provider serves', dispatcherA, inJianghanServed, 'device_record', true],
    ['a dispatcher cannot read the devices of a resident nobody sent them to', dispatcherA, inJianghanNotServed, 'device_record', 'not_served'],
    ['a caregiver reads the readings of a resident their provider serves', caregiverA1, inJianghanServed, 'health_and_location', true],
    ['a caregiver cannot read the readings of a resident their provider does not serve', caregiverA1, inJianghanNotServed, 'health_and_location', 'not_served'],
  ])('%s', (_name, principal, subject, kind, expected) => {
    const decision = decideResidentDataAccess(principal, subject, kind);
    expect(decision.allowed ? true : decision.reason).toBe(expected);
  });

  it('lets through to the scope check exactly the roles that can ever be allowed', () => {
    expect(rolesThatMayRead('health_and_location')).not.toContain('district_officer');
    expect(rolesThatMayRead('device_record')).toEqual(['platform_admin', 'district_officer', 'provider_dispatcher', 'caregiver']);
  });
});
