import { applyCarePlanChange, CarePlanChangeError, emptyCarePlan, LIFE_SAFETY_NOT_SNOOZABLE } from './care-plan.schema.js';
import { resolveRuleSettings } from './resolve-rule-settings.js';
import { DEFAULT_RULE_SETTINGS, SPO2_SCALE_2 } from './rule-settings.js';

const HOUR = 3_600_000;

describe('resolveRuleSettings', () => {
  it.each([
    [0, 4 * HOUR],
    [1, 4 * HOUR],
    [2, 4 * HOUR],
    [3, 2 * HOUR],
    [4, 1 * HOUR],
  ] as const)('capability level %i → inactivity after %i ms', (level, afterMs) => {
    expect(resolveRuleSettings(DEFAULT_RULE_SETTINGS, undefined, level).inactivity.afterMs).toBe(afterMs);
  });

  it('lets an explicit care-plan inactivity threshold win over capability tightening', () => {
    const s = resolveRuleSettings(DEFAULT_RULE_SETTINGS, { residentId: 'r', version: 1, inactivityAfterMs: 3 * HOUR }, 4);
    expect(s.inactivity.afterMs).toBe(3 * HOUR);
  });

  it('switches SpO2 to NEWS2 scale 2 for a COPD plan and keeps the window settings', () => {
    const s = resolveRuleSettings(DEFAULT_RULE_SETTINGS, { residentId: 'r', version: 1, spo2Scale: 2 }, 0);
    expect(s.vitals.spo2).toEqual({ ...DEFAULT_RULE_SETTINGS.vitals.spo2, ...SPO2_SCALE_2 });
  });

  it('overrides only the fields a vital override sets', () => {
    const s = resolveRuleSettings(
      DEFAULT_RULE_SETTINGS,
      { residentId: 'r', version: 1, vitals: { heartRate: { low: [{ atOrBelow: 35, severity: 'critical' }] } } },
      0,
    );
    expect(s.vitals.heartRate.low).toEqual([{ atOrBelow: 35, severity: 'critical' }]);
    expect(s.vitals.heartRate.high).toEqual(DEFAULT_RULE_SETTINGS.vitals.heartRate.high);
  });

  it('moves the night rest period with a moved night window and keeps the nap', () => {
    const s = resolveRuleSettings(DEFAULT_RULE_SETTINGS, { residentId: 'r', version: 1, nightWindow: { start: '22:00', end: '07:00' } }, 0);
    expect(s.restPeriods).toEqual([
      { start: '13:00', end: '14:30' },
      { start: '22:00', end: '07:00' },
    ]);
  });
});

describe('applyCarePlanChange', () => {
  it('bumps the version and records who changed what', () => {
    const { carePlan, audit } = applyCarePlanChange(emptyCarePlan('r-1'), { spo2Scale: 2, geofence: { enabled: true, radiusM: 300 } }, 'dr-wang', 1_000);
    expect(carePlan).toMatchObject({ residentId: 'r-1', version: 1, spo2Scale: 2, geofence: { enabled: true, radiusM: 300 } });
    expect(audit).toEqual({
      residentId: 'r-1',
      fromVersion: 0,
      toVersion: 1,
      changedBy: 'dr-wang',
      changedAt: 1_000,
      changes: [
        { field: 'spo2Scale', before: null, after: 2 },
        { field: 'geofence', before: null, after: { enabled: true, radiusM: 300 } },
      ],
    });
  });

  it('removes an override set to null', () => {
    const v1 = applyCarePlanChange(emptyCarePlan('r-1'), { spo2Scale: 2 }, 'u', 1).carePlan;
    const { carePlan } = applyCarePlanChange(v1, { spo2Scale: null }, 'u', 2);
    expect(carePlan).toEqual({ residentId: 'r-1', version: 2 });
  });

  it('rejects a suspension that has already expired', () => {
    const patch = { suspensions: [{ kinds: ['device_offline' as const], until: 500, setBy: 'u', reason: '住院' }] };
    expect(() => applyCarePlanChange(emptyCarePlan('r-1'), patch, 'u', 1_000)).toThrow(CarePlanChangeError);
  });

  it.each([['fall'], ['smoke'], ['gas'], ['water_leak']] as const)('refuses a suspension of %s with a named error: life-safety is never snoozed', (kind) => {
    const patch = { suspensions: [{ kinds: ['prolonged_inactivity' as const, kind], until: 5_000, setBy: 'u', reason: '护理员上门' }] };
    expect(() => applyCarePlanChange(emptyCarePlan('r-1'), patch, 'u', 1_000)).toThrow(`${LIFE_SAFETY_NOT_SNOOZABLE}: ${kind} is a life-safety alert and never snoozed`);
  });

  it('rejects a suspension of SOS', () => {
    const patch = { suspensions: [{ kinds: ['sos'], until: 5_000, setBy: 'u', reason: 'x' }] };
    expect(() => applyCarePlanChange(emptyCarePlan('r-1'), patch as never, 'u', 1_000)).toThrow();
  });
});
