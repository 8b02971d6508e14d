/**
 * Care plans and their audit trail. The plan and its audit row are written in
 * one transaction, guarded by the version the change was computed from, so
 * two concurrent edits cannot both win (the loser gets a conflict).
 */
import { z } from 'zod';
import { carePlanAuditSchema, carePlanSchema, type CarePlan, type CarePlanAudit, type CarePlanPatch } from '../domain/care-plans/care-plan.schema.js';
import type { AlertingDb } from './alerting.tables.js';

export class VersionConflictError extends Error {
  constructor(readonly what: string, readonly expectedVersion: number) {
    super(`${what} changed meanwhile (expected version ${expectedVersion}); reload and retry`);
    this.name = 'VersionConflictError';
  }
}

export interface CarePlanHistoryEntry {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly changedBy: string;
  readonly changedAt: number;
  readonly patch: unknown;
  readonly changes: CarePlanAudit['changes'];
}

const changesSchema = carePlanAuditSchema.shape.changes;

export class CarePlanRepository {
  constructor(private readonly db: AlertingDb) {}

  async get(residentId: string): Promise<CarePlan | undefined> {
    const row = await this.db.selectFrom('care_plans').select('plan').where('resident_id', '=', residentId).executeTakeFirst();
    return row ? carePlanSchema.parse(JSON.parse(row.plan)) : undefined;
  }

  async listAll(): Promise<CarePlan[]> {
    const rows = await this.db.selectFrom('care_plans').select('plan').execute();
    return rows.map((r) => carePlanSchema.parse(JSON.parse(r.plan)));
  }

  /** Stores the next version and its audit row; throws VersionConflictError if someone else stored one first. */
  async save(plan: CarePlan, audit: CarePlanAudit, patch: CarePlanPatch): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = { resident_id: plan.residentId, version: plan.version, plan: JSON.stringify(plan), updated_at: audit.changedAt, updated_by: audit.changedBy };
      if (audit.fromVersion === 0) {
        const inserted = await trx.insertInto('care_plans').values(row).onConflict((oc) => oc.column('resident_id').doNothing()).executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) throw new VersionConflictError(`care plan of ${plan.residentId}`, 0);
      } else {
        const updated = await trx
          .updateTable('care_plans')
          .set(row)
          .where('resident_id', '=', plan.residentId)
          .where('version', '=', audit.fromVersion)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new VersionConflictError(`care plan of ${plan.residentId}`, audit.fromVersion);
      }
      await trx
        .insertInto('care_plan_audit')
        .values({
          resident_id: audit.residentId,
          from_version: audit.fromVersion,
          to_version: audit.toVersion,
          patch: JSON.stringify(patch),
          changes: JSON.stringify(audit.changes),
          changed_by: audit.changedBy,
          changed_at: audit.changedAt,
        })
        .execute();
    });
  }

  /** Oldest first. */
  async history(residentId: string): Promise<CarePlanHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('care_plan_audit')
      .selectAll()
      .where('resident_id', '=', residentId)
      .orderBy('to_version')
      .execute();
    return rows.map((r) => ({
      fromVersion: r.from_version,
      toVersion: r.to_version,
      changedBy: r.changed_by,
      changedAt: Number(r.changed_at),
      patch: z.unknown().parse(JSON.parse(r.patch)),
      changes: changesSchema.parse(JSON.parse(r.changes)),
    }));
  }
}
