import { describe, expect, it } from '@jest/globals';
import { DEFAULT_REACH, estimateReach, greatCircleKm, planDispatch, requirementFor } from './dispatch-policy.js';
import { HOME, MIN, OTHER_STREET, STREET, T0, makeAvailability, northOfHome } from './dispatch.test-factory.js';
import type { Priority, Severity } from '../alerts/alert.schema.js';
import type { ServiceType } from './provider.schema.js';
import type { DispatchReason } from './work-order.schema.js';

describe('requirementFor: alert kind → service, priority, instructions', () => {
  it.each<[DispatchReason, Severity, readonly ServiceType[], Priority, string | null]>([
    ['fall', 'critical', ['remote_care', 'medical'], 'P1', null],
    ['sos', 'critical', ['remote_care', 'medical'], 'P1', null],
    ['smoke', 'critical', ['remote_care', 'medical'], 'P1', '请立即拨打119'],
    ['gas', 'critical', ['remote_care', 'medical'], 'P1', '请立即拨打119'],
    ['vitals_out_of_range', 'critical', ['medical'], 'P1', null],
    ['vitals_out_of_range', 'major', ['medical'], 'P2', null],
    ['bed_exit_no_return', 'critical', ['remote_care'], 'P1', null],
    ['bathroom_dwell', 'major', ['remote_care'], 'P2', null],
    ['prolonged_inactivity', 'major', ['remote_care'], 'P2', null],
    ['night_wandering', 'warning', ['remote_care'], 'P2', null],
    ['geofence_exit', 'critical', ['remote_care'], 'P1', null],
    ['water_leak', 'major', ['remote_care'], 'P2', null],
    ['device_offline', 'minor', ['remote_care'], 'P3', null],
    ['low_battery', 'warning', ['remote_care'], 'P3', null],
    ['missed_meal', 'minor', ['meal'], 'P3', null],
  ])('%s (%s) needs %j at %s', (kind, severity, services, priority, advice) => {
    const req = requirementFor(kind, severity);
    expect(req.services).toEqual(services);
    expect(req.priority).toBe(priority);
    if (advice !== null) expect(req.instructions).toContain(advice);
  });

  it('never answers slower than the priority the rule engine gave the alert', () => {
    expect(requirementFor('water_leak', 'major', 'P1').priority).toBe('P1');
    expect(requirementFor('fall', 'critical', 'P3').priority).toBe('P1');
  });
});

describe('reach estimate', () => {
  it('measures 汉口 江汉路 → 武昌 黄鹤楼 as about 4.2 km great-circle', () => {
    expect(greatCircleKm({ lat: 30.5807, lon: 114.2880 }, { lat: 30.5446, lon: 114.3023 })).toBeCloseTo(4.22, 1);
  });

  it.each([
    ['walk', 1, 17.3],
    ['ebike', 1, 5.2],
    ['car', 1, 3.12],
    ['ebike', 2.9, 15.08],
  ] as const)('%s over %s km great-circle takes %s min (road factor 1.3)', (mode, km, minutes) => {
    expect(estimateReach(HOME, northOfHome(km), mode).minutes).toBeCloseTo(minutes, 1);
  });
});

describe('planDispatch: candidates within the 15-minute circle', () => {
  const fall = { reason: 'fall', severity: 'critical', streetCode: STREET, home: HOME } as const;

  it('ranks by reach, then load, and explains the choice in zh-CN', () => {
    const plan = planDispatch(
      fall,
      [
        makeAvailability({ id: 'prov-far', base: northOfHome(2.4) }, [{}], 0), // 12.48 → 13 min
        makeAvailability({ id: 'prov-busy', base: northOfHome(1.6) }, [{}], 3), // 8.32 → 9 min
        makeAvailability({ id: 'prov-idle', base: northOfHome(1.55) }, [{}], 1), // 8.06 → 9 min
        makeAvailability({ id: 'prov-near', base: northOfHome(0.5) }, [{ travelMode: 'walk' }], 0), // 8.67 → 9 min, exact tie-break
      ],
      T0,
    );
    expect(plan.coverageGap).toBeNull();
    expect(plan.candidates.map((c) => [c.providerId, c.travelMinutes, c.openOrders])).toEqual([
      ['prov-near', 9, 0],
      ['prov-idle', 9, 1],
      ['prov-busy', 9, 3],
      ['prov-far', 13, 0],
    ]);
    expect(plan.candidates[1]?.reason).toBe('签约本街道，自机构出发，2.0 km，电动车约 9 分钟，当前 1 单在办');
  });

  it('measures from the nearest fresh on-duty staff position, not the base', () => {
    const plan = planDispatch(
      fall,
      [
        makeAvailability({ id: 'prov-a', base: northOfHome(5) }, [
          { id: 'st-off', onDuty: false, location: { ...northOfHome(0.1), at: T0 } },
          { id: 'st-stale', location: { ...northOfHome(0.2), at: T0 - 31 * MIN } },
          { id: 'st-fresh', location: { ...northOfHome(1.6154), at: T0 - 5 * MIN } },
        ]),
      ],
      T0,
    );
    expect(plan.candidates[0]).toMatchObject({ staffId: 'st-fresh', origin: 'staff', distanceKm: 2.1, travelMinutes: 9 });
    expect(plan.candidates[0]?.reason).toBe('签约本街道，2.1 km，电动车约 9 分钟，当前 0 单在办');
  });

  it.each([
    ['a meal-only provider', makeAvailability({ services: ['meal'] })],
    ['nobody on duty', makeAvailability({}, [{ onDuty: false }])],
    ['no staff at all', makeAvailability({}, [])],
    ['staff of another provider listed by mistake', { ...makeAvailability(), staff: [makeAvailability({ id: 'prov-x' }).staff[0]!] }],
  ])('excludes %s', (_name, availability) => {
    expect(planDispatch(fall, [availability], T0).candidates).toEqual([]);
  });

  describe('street responsibility: the provider contracted for the street first, the nearer one only when it cannot', () => {
    const contractedA = (km: number) => makeAvailability({ id: 'prov-a', streetCodes: [STREET], base: northOfHome(km) });
    const nearerB = makeAvailability({ id: 'prov-b', streetCodes: [OTHER_STREET], base: northOfHome(0.3) });

    it('offers A, contracted and able to reach within 15 minutes, though B is nearer, and says why', () => {
      const plan = planDispatch(fall, [nearerB, contractedA(2.4)], T0);
      expect(plan.candidates.map((c) => c.providerId)).toEqual(['prov-a']);
      expect(plan.candidates[0]?.reason).toMatch(/^签约本街道，/);
    });

    it('offers B when A cannot reach within 15 minutes, and says so', () => {
      const plan = planDispatch(fall, [nearerB, contractedA(3.4)], T0);
      expect(plan.candidates.map((c) => c.providerId)).toEqual(['prov-b']);
      expect(plan.candidates[0]?.reason).toMatch(/^签约机构均无法 15 分钟内到达，就近派单，/);
      expect(plan.coverageGap).toBeNull();
    });

    it('offers B when A has nobody on duty', () => {
      const offDuty = makeAvailability({ id: 'prov-a', streetCodes: [STREET], base: northOfHome(1) }, [{ onDuty: false }]);
      expect(planDispatch(fall, [nearerB, offDuty], T0).candidates.map((c) => c.providerId)).toEqual(['prov-b']);
    });

    it('reports the gap when neither reaches, with the nearest of all', () => {
      const farB = makeAvailability({ id: 'prov-b', streetCodes: [OTHER_STREET], base: northOfHome(3.2) });
      const plan = planDispatch(fall, [farB, contractedA(3.6)], T0);
      expect(plan.candidates).toEqual([]);
      expect(plan.coverageGap).toMatchObject({ reason: '最近的在岗人员约 17 分钟，超出 15 分钟服务圈', nearestMinutes: 17 });
    });
  });

  it.each(['fall', 'sos', 'smoke', 'gas', 'water_leak'] as const)('never offers a life-safety %s to a meal or cleaning provider, however near', (reason) => {
    const providers = [
      makeAvailability({ id: 'prov-meal', services: ['meal'], base: northOfHome(0.3) }),
      makeAvailability({ id: 'prov-clean', services: ['cleaning'], base: northOfHome(0.5) }),
      makeAvailability({ id: 'prov-care', services: ['remote_care', 'meal'], base: northOfHome(2) }),
    ];
    const plan = planDispatch({ ...fall, reason, severity: reason === 'water_leak' ? 'major' : 'critical' }, providers, T0);
    expect(plan.candidates.map((c) => [c.providerId, c.service])).toEqual([['prov-care', 'remote_care']]);
  });

  it('caps the candidate list', () => {
    const many = Array.from({ length: 8 }, (_, i) => makeAvailability({ id: `prov-${i}`, base: northOfHome(0.2 * (i + 1)) }));
    expect(planDispatch(fall, many, T0, { ...DEFAULT_REACH, maxCandidates: 3 }).candidates).toHaveLength(3);
  });

  it.each([
    ['nobody offers the service', [makeAvailability({ streetCodes: [OTHER_STREET], services: ['meal'] })], '本街道无提供远程照护/助医服务的机构', null],
    ['nobody covers the street and the others are out of reach', [makeAvailability({ streetCodes: [OTHER_STREET], base: northOfHome(3.4) })], '最近的在岗人员约 18 分钟，超出 15 分钟服务圈', 18],
    ['nobody on duty', [makeAvailability({}, [{ onDuty: false }])], '覆盖本街道的机构当前无在岗人员', null],
    ['the nearest is 18 min away', [makeAvailability({ base: northOfHome(3.4) })], '最近的在岗人员约 18 分钟，超出 15 分钟服务圈', 18],
  ])('reports a coverage gap when %s', (_name, providers, reason, nearest) => {
    const plan = planDispatch(fall, providers, T0);
    expect(plan.candidates).toEqual([]);
    expect(plan.coverageGap).toEqual({ type: 'coverage_gap', streetCode: STREET, services: ['remote_care', 'medical'], reason, nearestMinutes: nearest });
  });

  it('honours a configured circle and speeds', () => {
    const providers = [makeAvailability({ base: northOfHome(3.4) })]; // 17.7 min by e-bike
    expect(planDispatch(fall, providers, T0, { ...DEFAULT_REACH, maxTravelMinutes: 20 }).candidates).toHaveLength(1);
    expect(planDispatch(fall, providers, T0, { ...DEFAULT_REACH, speedsKmh: { ...DEFAULT_REACH.speedsKmh, ebike: 20 } }).candidates).toHaveLength(1);
  });
});
