import { describe, expect, it } from '@jest/globals';
import { canAccess, decideAccess, hasRole, listingScope, type AccessResource } from './access-policy.js';
import { scopeProblem, type Principal, type Role } from './principal.js';

const JIANGHAN = '420103';
const WUCHANG = '420106';

function makePrincipal(role: Role, scope: Partial<Principal['scope']> = {}): Pick<Principal, 'role' | 'scope'> {
  return { role, scope: { districtCode: null, providerId: null, staffId: null, ...scope } };
}

const admin = makePrincipal('platform_admin');
const jianghanOfficer = makePrincipal('district_officer', { districtCode: JIANGHAN });
const dispatcherA = makePrincipal('provider_dispatcher', { providerId: 'A' });
const caregiverA1 = makePrincipal('caregiver', { providerId: 'A', staffId: 'A-1' });

const providerAInJianghan: AccessResource = { districtCode: JIANGHAN, providerId: 'A' };
const providerBInWuchang: AccessResource = { districtCode: WUCHANG, providerId: 'B' };
const providerBInJianghan: AccessResource = { districtCode: JIANGHAN, providerId: 'B' };

describe('canAccess', () => {
  it.each<[string, Pick<Principal, 'role' | 'scope'>, AccessResource, boolean | string]>([
    ['a platform admin reaches a 武昌区 provider', admin, providerBInWuchang, true],
    ['a platform admin reaches an unscoped resource', admin, {}, true],
    ['a 江汉区 officer reads a 江汉区 provider', jianghanOfficer, providerAInJianghan, true],
    ['a 江汉区 officer reads another 江汉区 provider', jianghanOfficer, providerBInJianghan, true],
    ['a 江汉区 officer cannot read a 武昌区 provider', jianghanOfficer, providerBInWuchang, 'out_of_district'],
    ['a 江汉区 officer cannot read a 武昌区 resident', jianghanOfficer, { districtCode: WUCHANG }, 'out_of_district'],
    ['a district officer cannot reach a resource without a district', jianghanOfficer, { providerId: 'A' }, 'unscoped_resource'],
    ['a dispatcher of A touches A’s orders', dispatcherA, providerAInJianghan, true],
    ['a dispatcher of A touches any A staff member', dispatcherA, { providerId: 'A', staffId: 'A-2' }, true],
    ['a dispatcher of A cannot touch B’s orders, even in the same district', dispatcherA, providerBInJianghan, 'other_provider'],
    ['a dispatcher cannot reach a district-only resource', dispatcherA, { districtCode: JIANGHAN }, 'unscoped_resource'],
    ['a caregiver of A reads provider A', caregiverA1, providerAInJianghan, true],
    ['a caregiver reports their own location', caregiverA1, { providerId: 'A', staffId: 'A-1' }, true],
    ['a caregiver cannot report a colleague’s location', caregiverA1, { providerId: 'A', staffId: 'A-2' }, 'other_staff'],
    ['a caregiver of A cannot reach provider B', caregiverA1, providerBInWuchang, 'other_provider'],
  ])('%s', (_name, principal, resource, expected) => {
    const decision = decideAccess(principal, resource);
    if (expected === true) expect(decision).toEqual({ allowed: true });
    else if (expected === false) expect(decision.allowed).toBe(false);
    else expect(decision).toEqual({ allowed: false, reason: expected });
    expect(canAccess(principal, resource)).toBe(expected === true);
  });
});

describe('hasRole', () => {
  it.each<[Role, readonly Role[], boolean]>([
    ['platform_admin', ['district_officer'], true],
    ['district_officer', ['district_officer', 'provider_dispatcher'], true],
    ['caregiver', ['provider_dispatcher'], false],
    ['provider_dispatcher', [], false],
  ])('%s against %j → %s', (role, roles, expected) => {
    expect(hasRole({ role }, roles)).toBe(expected);
  });
});

describe('listingScope', () => {
  it('lists everything for an admin, one district for an officer, one provider for provider staff', () => {
    expect(listingScope(admin)).toEqual({ kind: 'all' });
    expect(listingScope(jianghanOfficer)).toEqual({ kind: 'district', districtCode: JIANGHAN });
    expect(listingScope(dispatcherA)).toEqual({ kind: 'provider', providerId: 'A' });
    expect(listingScope(caregiverA1)).toEqual({ kind: 'provider', providerId: 'A' });
  });
});

describe('scopeProblem', () => {
  it.each<[Role, Partial<Principal['scope']>, string | undefined]>([
    ['platform_admin', {}, undefined],
    ['platform_admin', { districtCode: JIANGHAN }, 'a platform admin has no district, provider or staff scope'],
    ['district_officer', { districtCode: JIANGHAN }, undefined],
    ['district_officer', {}, 'a district officer needs a districtCode'],
    ['district_officer', { districtCode: JIANGHAN, providerId: 'A' }, 'a district officer has no provider or staff scope'],
    ['provider_dispatcher', { providerId: 'A' }, undefined],
    ['provider_dispatcher', { providerId: 'A', staffId: 'A-0' }, undefined],
    ['provider_dispatcher', {}, 'a provider dispatcher needs a providerId'],
    ['caregiver', { providerId: 'A', staffId: 'A-1' }, undefined],
    ['caregiver', { providerId: 'A' }, 'a caregiver needs a providerId and a staffId'],
  ])('%s with %j → %s', (role, scope, expected) => {
    expect(scopeProblem(role, makePrincipal(role, scope).scope)).toBe(expected);
  });
});
