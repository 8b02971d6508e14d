/**
 * A resident's effective rule settings: defaults, tightened by capability
 * level, overridden by the care plan. Pure; the engine caches the result per
 * (care-plan version, capability level).
 */
import type { CarePlan, CapabilityLevel } from './care-plan.schema.js';
import { SPO2_SCALE_1, SPO2_SCALE_2, type LocalWindow, type RuleSettings, type VitalRule } from './rule-settings.js';

const HOUR = 3_600_000;

/**
 * Inactivity ceilings by GB/T 42195-2022 capability level. Residents at level
 * 3 (重度失能) and 4 (完全失能) cannot get help themselves and are often
 * bed-bound, so the UK-telecare 4 h default becomes 2 h and 1 h. Levels 0–2
 * keep the default.
 */
export const INACTIVITY_CEILING_BY_CAPABILITY: Readonly<Record<CapabilityLevel, number | null>> = {
  0: null,
  1: null,
  2: null,
  3: 2 * HOUR,
  4: 1 * HOUR,
};

export function resolveRuleSettings(
  defaults: RuleSettings,
  carePlan: CarePlan | undefined,
  capabilityLevel: CapabilityLevel,
): RuleSettings {
  const ceiling = INACTIVITY_CEILING_BY_CAPABILITY[capabilityLevel] ?? null;
  const tightenedInactivity = ceiling === null ? defaults.inactivity.afterMs : Math.min(defaults.inactivity.afterMs, ceiling);
  const plan: Partial<CarePlan> = carePlan ?? {};

  const nightWindow = plan.nightWindow ?? defaults.nightWindow;
  // The night is a rest period; a plan that moves the night moves that rest period with it.
  const restPeriods: LocalWindow[] =
    plan.restPeriods ??
    defaults.restPeriods.map((w) => (sameWindow(w, defaults.nightWindow) ? nightWindow : w));

  const spo2Base: VitalRule = { ...defaults.vitals.spo2, ...(plan.spo2Scale === 2 ? SPO2_SCALE_2 : SPO2_SCALE_1) };
  const overrides = plan.vitals ?? {};

  return {
    ...defaults,
    fall: { cancelWindowMs: plan.fallCancelWindowMs ?? defaults.fall.cancelWindowMs },
    vitals: {
      heartRate: mergeDefined(defaults.vitals.heartRate, overrides.heartRate),
      respirationRate: mergeDefined(defaults.vitals.respirationRate, overrides.respirationRate),
      spo2: mergeDefined(spo2Base, overrides.spo2),
      skinTemp: mergeDefined(defaults.vitals.skinTemp, overrides.skinTemp),
    },
    inactivity: { afterMs: plan.inactivityAfterMs ?? tightenedInactivity },
    restPeriods,
    nightWindow,
    bedExit: { noReturnAfterMs: plan.bedExitNoReturnMs ?? defaults.bedExit.noReturnAfterMs },
    bathroom: { dwellMs: plan.bathroomDwellMs ?? defaults.bathroom.dwellMs },
    nightWandering: { noReturnAfterMs: plan.nightWanderingMs ?? defaults.nightWandering.noReturnAfterMs },
    geofence: {
      ...defaults.geofence,
      enabled: plan.geofence?.enabled ?? defaults.geofence.enabled,
      radiusM: plan.geofence?.radiusM ?? defaults.geofence.radiusM,
    },
    suspensions: [...defaults.suspensions, ...(plan.suspensions ?? [])],
  };
}

function sameWindow(a: LocalWindow, b: LocalWindow): boolean {
  return a.start === b.start && a.end === b.end;
}

/** Spreads only the fields a (zod-partial) override actually sets. */
function mergeDefined<T extends object>(base: T, override: { [K in keyof T]?: T[K] | undefined } | undefined): T {
  const merged = { ...base };
  for (const key of Object.keys(override ?? {}) as (keyof T)[]) {
    const value = override?.[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}
