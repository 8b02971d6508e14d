/**
 * The role and scope decision: may principal P touch resource R? Pure and
 * deny-by-default (STYLE.md §2, §8): controllers, the socket gateway and the
 * dispatch service all ask this one function.
 *
 * A resource is described by the scope attributes it lives in: the district
 * of the resident or provider, the provider that holds it, and for a staff
 * member's own data (duty, location) the staff id.
 *
 * @example
 * canAccess(officerOfJianghan, { districtCode: '420106' })          // false: 武昌区 is not theirs
 * canAccess(dispatcherOfA, { providerId: 'B', districtCode: '…' })   // false
 * canAccess(caregiver, { providerId: own, staffId: someoneElse })   // false: a caregiver acts only for themself
 */
import type { Principal, Role } from './principal.js';

export interface AccessResource {
  /** District the resource belongs to (a provider's district, a resident's district). */
  readonly districtCode?: string;
  /** Provider that holds the resource (a provider, its staff, an order offered to it). */
  readonly providerId?: string;
  /** Set when the resource is one staff member's own data. */
  readonly staffId?: string;
}

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'out_of_district' | 'other_provider' | 'other_staff' | 'unscoped_resource' };

export function decideAccess(principal: Pick<Principal, 'role' | 'scope'>, resource: AccessResource): AccessDecision {
  const { scope } = principal;
  switch (principal.role) {
    case 'platform_admin':
      return { allowed: true };
    case 'district_officer':
      // A district officer sees everything in their district, providers included, and nothing else.
      if (resource.districtCode === undefined) return { allowed: false, reason: 'unscoped_resource' };
      return resource.districtCode === scope.districtCode ? { allowed: true } : { allowed: false, reason: 'out_of_district' };
    case 'provider_dispatcher':
      if (resource.providerId === undefined) return { allowed: false, reason: 'unscoped_resource' };
      return resource.providerId === scope.providerId ? { allowed: true } : { allowed: false, reason: 'other_provider' };
    case 'caregiver':
      if (resource.providerId === undefined) return { allowed: false, reason: 'unscoped_resource' };
      if (resource.providerId !== scope.providerId) return { allowed: false, reason: 'other_provider' };
      return resource.staffId === undefined || resource.staffId === scope.staffId ? { allowed: true } : { allowed: false, reason: 'other_staff' };
  }
}

export function canAccess(principal: Pick<Principal, 'role' | 'scope'>, resource: AccessResource): boolean {
  return decideAccess(principal, resource).allowed;
}

/** A platform admin holds every role; everyone else exactly their own. */
export function hasRole(principal: Pick<Principal, 'role'>, roles: readonly Role[]): boolean {
  return principal.role === 'platform_admin' || roles.includes(principal.role);
}

/**
 * The filter a listing must apply for this principal: everything, one
 * district or one provider. Listings use it instead of filtering after the
 * fact, so a page is never short.
 */
export type ListingScope = { readonly kind: 'all' } | { readonly kind: 'district'; readonly districtCode: string } | { readonly kind: 'provider'; readonly providerId: string };

export function listingScope(principal: Pick<Principal, 'role' | 'scope'>): ListingScope {
  const { scope } = principal;
  switch (principal.role) {
    case 'platform_admin':
      return { kind: 'all' };
    case 'district_officer':
      return { kind: 'district', districtCode: scope.districtCode ?? '\u0000none' };
    case 'provider_dispatcher':
    case 'caregiver':
      return { kind: 'provider', providerId: scope.providerId ?? '\u0000none' };
  }
}
