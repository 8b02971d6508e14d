/**
 * Care plans and snoozes: the pure applyCarePlanChange decides the next
 * version and its audit record; this class loads, stores (one transaction,
 * version-guarded) and tells the rule engine's context cache.
 */
import type { z } from 'zod';
import {
  applyCarePlanChange,
  emptyCarePlan,
  type CarePlan,
  type CarePlanAudit,
  type CarePlanPatch,
} from '../domain/care-plans/care-plan.schema.js';
import { ALERT_KIND_POLICY } from '../domain/alerts/alert.schema.js';
import type { suspensionSchema } from '../domain/care-plans/rule-settings.js';
import type { ResidentRepository } from '../registry/resident.repository.js';
import type { CarePlanHistoryEntry, CarePlanRepository } from './care-plan.repository.js';
import type { ResidentContextCache } from './resident-context.cache.js';

export class ResidentNotFoundError extends Error {
  constructor(readonly residentId: string) {
    super(`resident "${residentId}" does not exist`);
    this.name = 'ResidentNotFoundError';
  }
}

export type SnoozeRequest = Omit<z.infer<typeof suspensionSchema>, 'setBy'>;

export class CarePlanService {
  constructor(
    private readonly plans: CarePlanRepository,
    private readonly residents: ResidentRepository,
    private readonly contexts: ResidentContextCache,
    private readonly clock: () => number,
  ) {}

  /** The resident's plan; version 0 (defaults only) when none was ever saved. */
  async get(residentId: string): Promise<CarePlan> {
    await this.requireResident(residentId);
    return (await this.plans.get(residentId)) ?? emptyCarePlan(residentId);
  }

  /** Applies a patch; throws CarePlanChangeError (bad content), VersionConflictError, ResidentNotFoundError. */
  async change(residentId: string, patch: CarePlanPatch, who: string): Promise<{ carePlan: CarePlan; audit: CarePlanAudit }> {
    const current = await this.get(residentId);
    const result = applyCarePlanChange(current, patch, who, this.clock());
    await this.plans.save(result.carePlan, result.audit, patch);
    this.contexts.setCarePlan(result.carePlan);
    await this.contexts.refresh(residentId);
    return result;
  }

  /**
   * A snooze is a care-plan suspension: always with an expiry and who set it.
   * Expired suspensions are dropped from the plan on the way (they are in the audit trail),
   * and so are life-safety kinds a plan may still hold from before they became
   * unsnoozable (the engine ignores them anyway), so old data cannot block a new snooze.
   */
  async snooze(residentId: string, request: SnoozeRequest, who: string): Promise<{ carePlan: CarePlan; audit: CarePlanAudit }> {
    const current = await this.get(residentId);
    const now = this.clock();
    const live = (current.suspensions ?? [])
      .filter((s) => s.until > now)
      .map((s) => ({ ...s, kinds: s.kinds.filter((kind) => !ALERT_KIND_POLICY[kind].lifeSafety) }))
      .filter((s) => s.kinds.length > 0);
    return this.change(residentId, { suspensions: [...live, { ...request, setBy: who }] }, who);
  }

  async history(residentId: string): Promise<CarePlanHistoryEntry[]> {
    await this.requireResident(residentId);
    return this.plans.history(residentId);
  }

  private async requireResident(residentId: string): Promise<void> {
    if (!(await this.residents.getById(residentId))) throw new ResidentNotFoundError(residentId);
  }
}
