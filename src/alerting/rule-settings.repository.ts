/**
 * Global rule settings (the district defaults every resident's settings
 * start from), versioned and audited like care plans. Version 0 means "never
 * changed": DEFAULT_RULE_SETTINGS, with their clinical citations in code.
 */
import { DEFAULT_RULE_SETTINGS, ruleSettingsSchema, type RuleSettings } from '../domain/care-plans/rule-settings.js';
import type { AlertingDb } from './alerting.tables.js';
import { VersionConflictError } from './care-plan.repository.js';

const GLOBAL = 'global';

export interface VersionedRuleSettings {
  readonly version: number;
  readonly settings: RuleSettings;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

export class RuleSettingsRepository {
  constructor(private readonly db: AlertingDb) {}

  async current(): Promise<VersionedRuleSettings> {
    const row = await this.db.selectFrom('rule_settings').selectAll().where('scope', '=', GLOBAL).executeTakeFirst();
    if (!row) return { version: 0, settings: DEFAULT_RULE_SETTINGS, updatedAt: null, updatedBy: null };
    // Settings stored before a field existed take its default (e.g. episodeMergeMs).
    return { version: row.version, settings: ruleSettingsSchema.parse({ ...DEFAULT_RULE_SETTINGS, ...(JSON.parse(row.settings) as object) }), updatedAt: Number(row.updated_at), updatedBy: row.updated_by };
  }

  /** Stores `fromVersion + 1`; throws VersionConflictError when another change landed first. */
  async save(fromVersion: number, settings: RuleSettings, patch: unknown, who: string, at: number): Promise<VersionedRuleSettings> {
    const version = fromVersion + 1;
    await this.db.transaction().execute(async (trx) => {
      const row = { scope: GLOBAL, version, settings: JSON.stringify(settings), updated_at: at, updated_by: who };
      if (fromVersion === 0) {
        const r = await trx.insertInto('rule_settings').values(row).onConflict((oc) => oc.column('scope').doNothing()).executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) !== 1) throw new VersionConflictError('rule settings', fromVersion);
      } else {
        const r = await trx.updateTable('rule_settings').set(row).where('scope', '=', GLOBAL).where('version', '=', fromVersion).executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) throw new VersionConflictError('rule settings', fromVersion);
      }
      await trx
        .insertInto('rule_settings_audit')
        .values({ scope: GLOBAL, from_version: fromVersion, to_version: version, patch: JSON.stringify(patch), changed_by: who, changed_at: at })
        .execute();
    });
    return { version, settings, updatedAt: at, updatedBy: who };
  }

  async history(): Promise<{ fromVersion: number; toVersion: number; changedBy: string; changedAt: number; patch: unknown }[]> {
    const rows = await this.db.selectFrom('rule_settings_audit').selectAll().where('scope', '=', GLOBAL).orderBy('to_version').execute();
    return rows.map((r) => ({ fromVersion: r.from_version, toVersion: r.to_version, changedBy: r.changed_by, changedAt: Number(r.changed_at), patch: JSON.parse(r.patch) as unknown }));
  }
}
