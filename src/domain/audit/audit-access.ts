/**
 * Who may read the audit trail, and over what. Pure and deny-by-default
 * (STYLE.md §2, §8): the platform admin reads all of it; a district officer
 * (区民政局, who supervises the providers of their district) reads the
 * entries about their district and nothing else; provider staff never read
 * it, since it is the record that watches them.
 *
 * @example
 * decideAuditQuery(admin, {})                                  // { allowed: true, districtCode: undefined }
 * decideAuditQuery(jianghanOfficer, {})                        // { allowed: true, districtCode: '420103' }
 * decideAuditQuery(jianghanOfficer, { districtCode: '420106' }) // { allowed: false, reason: 'out_of_district' }
 * decideAuditQuery(dispatcher, {})                             // { allowed: false, reason: 'not_in_role' }
 */
import type { Principal } from '../access/principal.js';

export type AuditQueryDecision =
  | { readonly allowed: true; /** The district the query must be narrowed to; undefined: no narrowing. */ readonly districtCode: string | undefined }
  | { readonly allowed: false; readonly reason: 'not_in_role' | 'out_of_district' };

export function decideAuditQuery(principal: Pick<Principal, 'role' | 'scope'>, requested: { readonly districtCode?: string }): AuditQueryDecision {
  switch (principal.role) {
    case 'platform_admin':
      return { allowed: true, districtCode: requested.districtCode };
    case 'district_officer': {
      const own = principal.scope.districtCode;
      // An officer without a district is an inconsistent account (scopeProblem refuses it): it sees nothing.
      if (own === null) return { allowed: false, reason: 'out_of_district' };
      if (requested.districtCode !== undefined && requested.districtCode !== own) return { allowed: false, reason: 'out_of_district' };
      return { allowed: true, districtCode: own };
    }
    case 'provider_dispatcher':
    case 'caregiver':
      return { allowed: false, reason: 'not_in_role' };
  }
}

/** The roles that pass the audit routes' role check (scope is decided by `decideAuditQuery`). */
export const AUDIT_READER_ROLES = ['platform_admin', 'district_officer'] as const;
