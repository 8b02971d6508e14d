/**
 * Provider registry commands and queries, with the role/scope decision
 * (`decideAccess`) applied to every resource. Keeps ProviderDirectory (the
 * dispatch policy's snapshot) current after every change.
 */
import { decideAccess, listingScope, type AccessResource } from '../domain/access/access-policy.js';
import type { Principal } from '../domain/access/principal.js';
import type { GeoPoint, Provider, ServiceType, Staff } from '../domain/dispatch/provider.schema.js';
import type { Clock } from '../platform.tokens.js';
import { AccessDeniedError, NotFoundError } from './provider.errors.js';
import type { ProviderDirectory } from './provider.directory.js';
import type { ProviderFilter, ProviderRepository } from './provider.repository.js';

export interface ProviderDetail extends Provider {
  readonly staff: readonly Staff[];
}

export interface ProviderQuery {
  readonly districtCode?: string;
  readonly streetCode?: string;
  readonly service?: ServiceType;
}

export class ProviderService {
  constructor(
    private readonly repository: ProviderRepository,
    private readonly directory: ProviderDirectory,
    private readonly clock: Clock,
  ) {}

  /** Providers the principal may see, narrowed by the query. Asking for another district is refused, not silently emptied. */
  async list(principal: Principal, query: ProviderQuery): Promise<Provider[]> {
    const scope = listingScope(principal);
    const filter: { -readonly [K in keyof ProviderFilter]: ProviderFilter[K] } = { ...query };
    if (scope.kind === 'district') {
      if (query.districtCode !== undefined && query.districtCode !== scope.districtCode) throw new AccessDeniedError('out_of_district');
      filter.districtCode = scope.districtCode;
    } else if (scope.kind === 'provider') {
      filter.providerId = scope.providerId;
    }
    return this.repository.list(filter);
  }

  async get(principal: Principal, id: string): Promise<ProviderDetail> {
    const provider = await this.repository.get(id);
    if (!provider) throw new NotFoundError(`provider "${id}" does not exist`);
    authorize(principal, { districtCode: provider.districtCode, providerId: provider.id });
    return { ...provider, staff: await this.repository.listStaff({ providerId: id }) };
  }

  /** A dispatcher of the provider, the caregiver themself, or an admin. */
  async setOnDuty(principal: Principal, staffId: string, onDuty: boolean): Promise<Staff> {
    await this.authorizeStaff(principal, staffId);
    const staff = await this.repository.setOnDuty(staffId, onDuty, this.clock());
    if (!staff) throw new NotFoundError(`staff "${staffId}" does not exist`);
    this.directory.applyStaff(staff);
    return staff;
  }

  async reportLocation(principal: Principal, staffId: string, point: GeoPoint): Promise<Staff> {
    await this.authorizeStaff(principal, staffId);
    const staff = await this.repository.updateLocation(staffId, point, this.clock());
    if (!staff) throw new NotFoundError(`staff "${staffId}" does not exist`);
    this.directory.applyStaff(staff);
    return staff;
  }

  private async authorizeStaff(principal: Principal, staffId: string): Promise<void> {
    const staff = await this.repository.getStaff(staffId);
    if (!staff) throw new NotFoundError(`staff "${staffId}" does not exist`);
    const provider = this.directory.provider(staff.providerId) ?? (await this.repository.get(staff.providerId));
    authorize(principal, { providerId: staff.providerId, staffId, ...(provider ? { districtCode: provider.districtCode } : {}) });
  }
}

function authorize(principal: Principal, resource: AccessResource): void {
  const decision = decideAccess(principal, resource);
  if (!decision.allowed) throw new AccessDeniedError(decision.reason);
}
