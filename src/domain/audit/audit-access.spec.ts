import { describe, expect, it } from '@jest/globals';
import type { Principal, Role } from '../access/principal.js';
import { decideAuditQuery, type AuditQueryDecision } from './audit-access.js';

const JIANGHAN = '420103';
const WUCHANG = '420106';

function makePrincipal(role: Role, scope: Partial<Principal['scope']> = {}): Pick<Principal, 'role' | 'scope'> {
  return { role, scope: { districtCode: null, providerId: null, staffId: null, ...scope } };
}

describe('who may query the audit trail', () => {
  it.each<[string, Pick<Principal, 'role' | 'scope'>, { districtCode?: string }, AuditQueryDecision]>([
    ['a platform admin queries everything', makePrincipal('platform_admin'), {}, { allowed: true, districtCode: undefined }],
    ['a platform admin narrows to any district', makePrincipal('platform_admin'), { districtCode: WUCHANG }, { allowed: true, districtCode: WUCHANG }],
    ['a district officer is narrowed to their district without asking', makePrincipal('district_officer', { districtCode: JIANGHAN }), {}, { allowed: true, districtCode: JIANGHAN }],
    ['a district officer may name their own district', makePrincipal('district_officer', { districtCode: JIANGHAN }), { districtCode: JIANGHAN }, { allowed: true, districtCode: JIANGHAN }],
    ['a district officer is refused another district', makePrincipal('district_officer', { districtCode: JIANGHAN }), { districtCode: WUCHANG }, { allowed: false, reason: 'out_of_district' }],
    ['a district officer without a district sees nothing', makePrincipal('district_officer'), {}, { allowed: false, reason: 'out_of_district' }],
    ['a provider dispatcher is refused', makePrincipal('provider_dispatcher', { providerId: 'A' }), {}, { allowed: false, reason: 'not_in_role' }],
    ['a caregiver is refused', makePrincipal('caregiver', { providerId: 'A', staffId: 'A-1' }), {}, { allowed: false, reason: 'not_in_role' }],
  ])('%s', (_name, principal, requested, expected) => {
    expect(decideAuditQuery(principal, requested)).toEqual(expected);
  });
});
