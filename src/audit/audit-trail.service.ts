/**
 * The audit trail: appends an entry for every sensitive read and change,
 * answers scoped queries and exports, and prunes past the retention.
 *
 * Reads fail closed: when the entry of a `read` action cannot be written
 * (or its subject cannot be resolved), `record` throws
 * `AuditUnavailableError` and the caller must not serve the data (the API
 * answers 503). A `change` has already happened when it is recorded: a
 * failure is counted and logged, and the caller's answer stands, since a 503
 * would invite a retry of a change that took effect.
 *
 * Who acted is the authenticated principal, never a self-declared header:
 * the `x-anxin-actor` header of the alerting routes stays the alerting
 * history's business.
 */
import type { Principal } from '../domain/access/principal.js';
import { verifyChain, type ChainedEntry, type ChainVerdict } from '../domain/audit/audit-chain.js';
import { decideAuditQuery } from '../domain/audit/audit-access.js';
import { renderAuditCsv } from '../domain/audit/audit-csv.js';
import { kindOf, type AuditAction, type AuditEntry, type AuditQuery, type NewAuditEntry } from '../domain/audit/audit-entry.schema.js';
import { retentionCutoff } from '../domain/audit/audit-retention.js';
import type { Logger } from '../observability/logger.js';
import { withoutUndefined } from '../util/without-undefined.js';
import type { Clock } from '../platform.tokens.js';
import { AuditUnavailableError } from './audit.errors.js';
import type { AuditMetrics } from './audit.metrics.js';
import type { AuditPage, AuditRepository } from './audit.repository.js';

/** Where the request came from. */
export interface AuditContext {
  readonly principal: Principal;
  /** The client address as the HTTP server saw it. */
  readonly address: string | null;
}

/**
 * What an action was about. Give what the route knows; the trail fills in
 * the rest: a device's resident and district from its binding, a
 * resident's or provider's district, and for provider staff the work order
 * that made them see the resident (the purpose).
 */
export interface AuditSubject {
  readonly targetKind: NewAuditEntry['targetKind'];
  readonly targetId: string | null;
  readonly residentId?: string | null;
  readonly deviceId?: string;
  readonly providerId?: string | null;
  readonly districtCode?: string | null;
  readonly purpose?: string | null;
  readonly detail?: NewAuditEntry['detail'];
}

/** Lookups the trail needs to place an entry (implemented over the registry, providers and work orders). */
export interface AuditSubjectDirectory {
  deviceBinding(deviceId: string): Promise<{ readonly residentId: string | null; readonly districtCode: string | null } | undefined>;
  residentDistrict(residentId: string): Promise<string | null>;
  providerDistrict(providerId: string): Promise<string | null>;
  /** The newest work order for the resident that the provider holds or was offered. */
  servingOrder(providerId: string, residentId: string): Promise<string | null>;
}

export class AuditAccessError extends Error {
  override readonly name = 'AuditAccessError';
  constructor(readonly reason: 'not_in_role' | 'out_of_district') {
    super(reason === 'not_in_role' ? 'only a platform admin or a district officer reads the audit trail' : 'a district officer reads the audit trail of their own district only');
  }
}

/** Rows one CSV export holds at most; `nextCursor` continues. */
export const AUDIT_EXPORT_MAX = 50_000;

const SYSTEM = { actorId: 'system', actorName: 'system', role: 'system' } as const;

export interface AuditTrailDeps {
  readonly repository: AuditRepository;
  readonly directory: AuditSubjectDirectory;
  readonly metrics: AuditMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retentionDays: number;
}

export class AuditTrail {
  constructor(private readonly deps: AuditTrailDeps) {}

  /**
   * Appends one entry. Throws `AuditUnavailableError` for a read that could
   * not be recorded; resolves to null for a change that could not be.
   *
   * @example
   * await trail.record('resident.vitals.read', { principal, address: req.ip }, { targetKind: 'resident', targetId: id, residentId: id });
   */
  async record(action: AuditAction, context: AuditContext, subject: AuditSubject): Promise<AuditEntry | null> {
    try {
      const entry = await this.deps.repository.append(await this.entryOf(action, context, subject));
      this.deps.metrics.recorded(action);
      return entry;
    } catch (error) {
      this.deps.metrics.writeFailed();
      this.deps.logger.error({ action, actor: context.principal.accountId, err: String(error) }, 'audit entry could not be written');
      if (kindOf(action) === 'change') return null;
      throw new AuditUnavailableError(`the audit trail is unavailable: ${action} refused`, { cause: error });
    }
  }

  /** A page of entries, newest first, narrowed to the principal's district when it has one. */
  async query(principal: Principal, query: AuditQuery): Promise<AuditPage> {
    return this.deps.repository.query(this.filterFor(principal, query));
  }

  /**
   * The matching entries as CSV (at most AUDIT_EXPORT_MAX; `nextCursor`
   * continues). The export is itself a read of the trail and is recorded
   * (fail closed) before it is handed out.
   */
  async exportCsv(context: AuditContext, query: AuditQuery): Promise<{ csv: string; rows: number; nextCursor: number | null }> {
    const filter = this.filterFor(context.principal, query);
    const entries: AuditEntry[] = [];
    let page: AuditPage = { items: [], nextCursor: filter.cursor ?? null };
    do {
      const cursor = page.nextCursor;
      page = await this.deps.repository.query({ ...filter, ...(cursor !== null ? { cursor } : {}), limit: Math.min(1_000, AUDIT_EXPORT_MAX - entries.length) });
      entries.push(...page.items);
    } while (page.nextCursor !== null && entries.length < AUDIT_EXPORT_MAX);
    const { nextCursor } = page;
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    // What was asked for, not what came out: the rows are in the trail already.
    await this.record('audit.export', context, {
      targetKind: 'audit',
      targetId: null,
      districtCode: filter.districtCode ?? null,
      detail: { ...withoutUndefined(filters), rows: entries.length },
    });
    return { csv: renderAuditCsv(entries), rows: entries.length, nextCursor };
  }

  /**
   * Walks the hash chain from the oldest retained entry to the newest and
   * names the first entry that breaks it (changed, removed or inserted
   * around the triggers). Pages of 1,000; the last entry of a page links
   * the next.
   */
  async verify(): Promise<ChainVerdict> {
    let checked = 0;
    let carry: ChainedEntry | undefined;
    for (;;) {
      const page = await this.deps.repository.chain(carry?.id ?? 0, 1_000);
      if (page.length === 0) return { ok: true, checked };
      const verdict = verifyChain(carry !== undefined ? [carry, ...page] : page);
      const carried = carry !== undefined ? 1 : 0;
      if (!verdict.ok) return { ...verdict, checked: checked + verdict.checked - carried };
      checked += page.length;
      carry = page[page.length - 1];
    }
  }

  /** Deletes entries past the retention and records that it did. Returns how many went. */
  async prune(): Promise<number> {
    const now = this.deps.clock();
    const before = retentionCutoff(now, this.deps.retentionDays);
    const deleted = await this.deps.repository.prune(before, (count) => ({
      at: now,
      action: 'audit.prune',
      ...SYSTEM,
      residentId: null,
      districtCode: null,
      targetKind: 'audit',
      targetId: null,
      purpose: null,
      address: null,
      detail: { before, deleted: count, retentionDays: this.deps.retentionDays },
    }));
    if (deleted > 0) this.deps.logger.info({ deleted, before }, 'audit entries past retention pruned');
    return deleted;
  }

  private filterFor(principal: Principal, query: AuditQuery): Parameters<AuditRepository['query']>[0] {
    const decision = decideAuditQuery(principal, query.districtCode !== undefined ? { districtCode: query.districtCode } : {});
    if (!decision.allowed) throw new AuditAccessError(decision.reason);
    return {
      limit: query.limit,
      ...(query.residentId !== undefined ? { residentId: query.residentId } : {}),
      ...(query.actor !== undefined ? { actorId: query.actor } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
      ...(decision.districtCode !== undefined ? { districtCode: decision.districtCode } : {}),
      ...(query.from !== undefined ? { from: query.from } : {}),
      ...(query.to !== undefined ? { to: query.to } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    };
  }

  private async entryOf(action: AuditAction, context: AuditContext, subject: AuditSubject): Promise<NewAuditEntry> {
    const { principal } = context;
    const { directory } = this.deps;
    const binding = subject.deviceId !== undefined ? await directory.deviceBinding(subject.deviceId) : undefined;
    const residentId = subject.residentId ?? binding?.residentId ?? null;
    let districtCode = subject.districtCode ?? binding?.districtCode ?? null;
    if (districtCode === null && residentId !== null) districtCode = await directory.residentDistrict(residentId);
    if (districtCode === null && subject.providerId) districtCode = await directory.providerDistrict(subject.providerId);
    const providerId = principal.scope.providerId;
    // Provider staff see a resident only because an order sent them there: that order is the purpose.
    const purpose = subject.purpose ?? (providerId !== null && residentId !== null && kindOf(action) === 'read' ? await directory.servingOrder(providerId, residentId) : null);
    return {
      at: this.deps.clock(),
      action,
      actorId: principal.accountId,
      actorName: principal.username,
      role: principal.role,
      residentId,
      districtCode,
      targetKind: subject.targetKind,
      targetId: subject.targetId,
      purpose,
      address: context.address,
      detail: subject.detail ?? {},
    };
  }
}
