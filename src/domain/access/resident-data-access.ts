/**
 * Who may read what about a resident (PIPL Art. 28: health and location are
 * sensitive personal information; Art. 6: no more than the purpose needs).
 * Pure and deny-by-default, like `decideAccess`.
 *
 * Two kinds of data:
 * - `device_record`: which devices a resident or home has, their state
 *   (online, battery, firmware). A district officer needs it for fleet health
 *   in their district; it carries ids, not names or readings.
 * - `health_and_location`: readings (heart rate, SpO2, in bed, door and
 *   motion, a wearable's position) and vitals. Only the platform admin and
 *   the staff of a provider dispatched to the resident: the district screen
 *   works on aggregates and never needs one elder's readings.
 *
 * @example
 * decideResidentDataAccess(jianghanOfficer, { districtCode: '420103', servedByOwnProvider: false }, 'device_record') // allowed
 * decideResidentDataAccess(jianghanOfficer, { districtCode: '420103', servedByOwnProvider: false }, 'health_and_location') // not_in_role
 * decideResidentDataAccess(dispatcherA, { districtCode: '420103', servedByOwnProvider: false }, 'device_record') // not_served
 */
import type { Principal } from './principal.js';

export type ResidentDataKind = 'device_record' | 'health_and_location';

export interface ResidentDataSubject {
  /** District of the resident or home the data is about; null when the device is bound to nobody. */
  readonly districtCode: string | null;
  /** The principal's provider holds, or was offered, a work order for the resident (or a resident of the home). */
  readonly servedByOwnProvider: boolean;
}

export type ResidentDataDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'out_of_district' | 'not_served' | 'not_in_role' | 'unscoped_resource' };

export function decideResidentDataAccess(principal: Pick<Principal, 'role' | 'scope'>, subject: ResidentDataSubject, kind: ResidentDataKind): ResidentDataDecision {
  switch (principal.role) {
    case 'platform_admin':
      return { allowed: true };
    case 'district_officer':
      if (kind === 'health_and_location') return { allowed: false, reason: 'not_in_role' };
      if (subject.districtCode === null) return { allowed: false, reason: 'unscoped_resource' };
      return subject.districtCode === principal.scope.districtCode ? { allowed: true } : { allowed: false, reason: 'out_of_district' };
    case 'provider_dispatcher':
    case 'caregiver':
      return subject.servedByOwnProvider ? { allowed: true } : { allowed: false, reason: 'not_served' };
  }
}

/** Roles that can be allowed `kind` for some resident (what a route's role check lets through to the scope check). */
export function rolesThatMayRead(kind: ResidentDataKind): readonly Principal['role'][] {
  return kind === 'device_record' ? ['platform_admin', 'district_officer', 'provider_dispatcher', 'caregiver'] : ['platform_admin', 'provider_dispatcher', 'caregiver'];
}
