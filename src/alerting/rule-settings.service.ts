/**
 * Global rule settings (district defaults): versioned, audited, and applied
 * to the running engine at once.
 */
import { z } from 'zod';
import { ruleSettingsSchema, type RuleSettings } from '../domain/care-plans/rule-settings.js';
import type { AlertingService } from './alerting.service.js';
import type { RuleSettingsRepository, VersionedRuleSettings } from './rule-settings.repository.js';

/** A change replaces whole top-level sections, e.g. `{ bedExit: { noReturnAfterMs: 1200000 } }`. */
export const ruleSettingsPatchSchema = ruleSettingsSchema.partial().strict();
export type RuleSettingsPatch = z.infer<typeof ruleSettingsPatchSchema>;

export class RuleSettingsService {
  constructor(
    private readonly repo: RuleSettingsRepository,
    private readonly alerting: AlertingService,
    private readonly clock: () => number,
  ) {}

  current(): Promise<VersionedRuleSettings> {
    return this.repo.current();
  }

  async change(patch: RuleSettingsPatch, who: string): Promise<VersionedRuleSettings> {
    const current = await this.repo.current();
    const next: RuleSettings = ruleSettingsSchema.parse({ ...current.settings, ...patch });
    const saved = await this.repo.save(current.version, next, patch, who, this.clock());
    this.alerting.replaceSettings(saved.settings);
    return saved;
  }

  history(): ReturnType<RuleSettingsRepository['history']> {
    return this.repo.history();
  }
}
