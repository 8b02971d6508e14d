/**
 * An in-memory snapshot of the provider registry for the dispatch policy:
 * who covers which street with which service, and their staff with duty
 * status and last location. Reads never touch SQL; `ProviderService` keeps
 * the snapshot current after every change (duty, location) and `reload()`
 * rebuilds it from SQL (start-up, bulk changes).
 *
 * @example
 * const candidates = directory.candidatesFor('420103001', 'remote_care');
 * // [{ provider: { id: 'prv-420103-minzu', name: '江汉区民族街道综合养老服务中心', … },
 * //    staffOnDuty: [{ id: 'stf-420103-minzu-2', role: 'caregiver', travelMode: 'ebike', location: null, … }] }]
 */
import type { Provider, ServiceType, Staff } from '../domain/dispatch/provider.schema.js';
import type { ProviderRepository } from './provider.repository.js';

export interface ProviderCandidate {
  readonly provider: Provider;
  /** On-duty staff of the provider (dispatchers and caregivers); may be empty. */
  readonly staffOnDuty: readonly Staff[];
}

export type DirectoryListener = (change: { readonly providerId: string; readonly staff?: Staff }) => void;

interface Entry {
  readonly provider: Provider;
  staff: Map<string, Staff>;
}

export class ProviderDirectory {
  private entries = new Map<string, Entry>();
  /** streetCode → service → provider ids (sorted). */
  private byStreet = new Map<string, Map<ServiceType, string[]>>();
  private readonly cache = new Map<string, readonly ProviderCandidate[]>();
  private readonly listeners = new Set<DirectoryListener>();
  private loadedVersion = 0;

  constructor(private readonly repository: Pick<ProviderRepository, 'list' | 'listStaff'>) {}

  /** Rebuilds the whole snapshot from SQL. */
  async reload(): Promise<void> {
    const [providers, staff] = await Promise.all([this.repository.list(), this.repository.listStaff()]);
    const entries = new Map<string, Entry>(providers.map((p) => [p.id, { provider: p, staff: new Map() }]));
    for (const s of staff) entries.get(s.providerId)?.staff.set(s.id, s);
    const byStreet = new Map<string, Map<ServiceType, string[]>>();
    for (const p of providers) {
      for (const street of p.streetCodes) {
        const services = byStreet.get(street) ?? new Map<ServiceType, string[]>();
        byStreet.set(street, services);
        for (const service of p.services) services.set(service, [...(services.get(service) ?? []), p.id].sort());
      }
    }
    this.entries = entries;
    this.byStreet = byStreet;
    this.cache.clear();
    this.loadedVersion += 1;
    for (const p of providers) this.emit({ providerId: p.id });
  }

  /**
   * Providers that cover the street and offer the service, each with its
   * on-duty staff, ordered by provider id. The dispatch policy filters by
   * reach and ranks by reach and load; this only answers "who may serve".
   */
  candidatesFor(streetCode: string, service: ServiceType): readonly ProviderCandidate[] {
    const key = `${streetCode}\u0000${service}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const ids = this.byStreet.get(streetCode)?.get(service) ?? [];
    const candidates = ids.flatMap((id) => {
      const entry = this.entries.get(id);
      return entry ? [{ provider: entry.provider, staffOnDuty: [...entry.staff.values()].filter((s) => s.onDuty) }] : [];
    });
    this.cache.set(key, candidates);
    return candidates;
  }

  /**
   * Every provider of the district that offers the service, with its on-duty
   * staff, ordered by provider id: the wider pool the dispatch policy turns
   * to when no provider contracted for the street can reach in time.
   */
  districtProvidersFor(districtCode: string, service: ServiceType): readonly ProviderCandidate[] {
    const key = `district\u0000${districtCode}\u0000${service}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const candidates = [...this.entries.values()]
      .filter((e) => e.provider.districtCode === districtCode && e.provider.services.includes(service))
      .sort((a, b) => a.provider.id.localeCompare(b.provider.id))
      .map((e) => ({ provider: e.provider, staffOnDuty: [...e.staff.values()].filter((s) => s.onDuty) }));
    this.cache.set(key, candidates);
    return candidates;
  }

  provider(id: string): Provider | undefined {
    return this.entries.get(id)?.provider;
  }

  staff(id: string): Staff | undefined {
    for (const entry of this.entries.values()) {
      const s = entry.staff.get(id);
      if (s) return s;
    }
    return undefined;
  }

  staffOf(providerId: string): readonly Staff[] {
    return [...(this.entries.get(providerId)?.staff.values() ?? [])];
  }

  /** Applies one staff member's new state (duty, location) without a reload. */
  applyStaff(staff: Staff): void {
    const entry = this.entries.get(staff.providerId);
    if (!entry) return;
    entry.staff.set(staff.id, staff);
    // Only candidate lists that contain this provider change; the cache is small, clear it.
    this.cache.clear();
    this.emit({ providerId: staff.providerId, staff });
  }

  /** Called after every change (for the dispatch engine's own caches); returns an unsubscribe function. */
  onChange(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many times the snapshot was rebuilt (diagnostics, tests). */
  get version(): number {
    return this.loadedVersion;
  }

  private emit(change: Parameters<DirectoryListener>[0]): void {
    for (const listener of this.listeners) listener(change);
  }
}
