import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { computeDistrictKpis, computeKpiRow, isAcceptedWithinSla, percentile } from './kpis.js';
import { districtKpisSchema } from './kpi.schema.js';
import { DispatchEngine } from './sla.js';
import { DISTRICT, MIN, OTHER_STREET, SEC, STREET, T0, makeCandidate, makeOrderInput, staffOf } from './dispatch.test-factory.js';
import type { Priority } from '../alerts/alert.schema.js';
import type { DispatchReason, ResolutionOutcome, WorkOrderSnapshot } from './work-order.schema.js';

const engine = new DispatchEngine();
const A = staffOf('prov-a');

interface Story {
  readonly id: string;
  readonly street?: string;
  readonly service?: 'remote_care' | 'medical' | 'meal' | 'cleaning';
  readonly acceptAfterMs?: number;
  readonly onSiteAfterMs?: number;
  readonly outcome?: ResolutionOutcome;
  readonly cleared?: boolean;
  readonly noCandidates?: boolean;
  readonly reason?: DispatchReason;
  readonly priority?: Priority;
}

/** Builds an order by driving the engine, so KPI inputs are orders the lifecycle can produce. */
function makeOrder(s: Story): WorkOrderSnapshot {
  let o = engine.open(
    makeOrderInput({
      id: s.id,
      streetCode: s.street ?? STREET,
      service: s.service ?? 'remote_care',
      candidates: s.noCandidates ? [] : [makeCandidate({ providerId: 'prov-a' })],
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.priority ? { priority: s.priority } : {}),
    }),
  ).order;
  if (s.cleared) return engine.alertCleared(o, { kind: 'system' }, T0 + 10 * SEC).order;
  if (s.acceptAfterMs !== undefined) o = engine.accept(o, 1, A, T0 + s.acceptAfterMs).order;
  if (s.onSiteAfterMs !== undefined) o = engine.onSite(o, A, T0 + s.onSiteAfterMs).order;
  if (s.outcome !== undefined) o = engine.resolve(o, s.outcome, '', A, T0 + 60 * MIN).order;
  return o;
}

describe('percentile (nearest rank)', () => {
  it.each([
    [[], 50, null],
    [[7], 90, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
  ])('of %j at p%s is %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('computeKpiRow', () => {
  it.each<{ name: string; stories: Story[]; expected: Record<string, unknown> }>([
    {
      name: 'no orders: zero counts and null rates',
      stories: [],
      expected: { alerts: 0, acceptedWithinSla: 0, effectiveResponseRate: null, falseAlarmShare: null, openOrders: 0, acceptTime: { samples: 0, p50Ms: null, p90Ms: null } },
    },
    {
      name: 'accepted at 60 s counts as within SLA, at 61 s does not',
      stories: [{ id: 'o1', acceptAfterMs: 60 * SEC }, { id: 'o2', acceptAfterMs: 61 * SEC }],
      expected: { alerts: 2, acceptedWithinSla: 1, effectiveResponseRate: 0.5, openOrders: 2, acceptTime: { samples: 2, p50Ms: 60 * SEC, p90Ms: 61 * SEC } },
    },
    {
      name: 'a fall cancelled before acceptance needed no answer',
      stories: [{ id: 'o1', acceptAfterMs: 10 * SEC }, { id: 'o2', cleared: true }],
      expected: { alerts: 1, acceptedWithinSla: 1, effectiveResponseRate: 1, openOrders: 1 },
    },
    {
      name: 'false alarms over resolved orders, and on-site times',
      stories: [
        { id: 'o1', acceptAfterMs: 10 * SEC, onSiteAfterMs: 8 * MIN, outcome: 'false_alarm' },
        { id: 'o2', acceptAfterMs: 20 * SEC, onSiteAfterMs: 12 * MIN, outcome: 'real_emergency' },
        { id: 'o3', acceptAfterMs: 30 * SEC, onSiteAfterMs: 14 * MIN, outcome: 'false_alarm' },
        { id: 'o4', acceptAfterMs: 40 * SEC },
      ],
      expected: { resolved: 3, falseAlarms: 2, falseAlarmShare: 2 / 3, openOrders: 1, onSiteTime: { samples: 3, p50Ms: 12 * MIN, p90Ms: 14 * MIN } },
    },
    {
      name: 'coverage gaps are counted, open and escalated, and never within SLA',
      stories: [{ id: 'o1', noCandidates: true }, { id: 'o2', acceptAfterMs: 5 * SEC }],
      expected: { alerts: 2, coverageGaps: 1, escalated: 1, openOrders: 2, effectiveResponseRate: 0.5 },
    },
    {
      name: 'a fall the resident got up from is counted as self-recovered: its order is the P2 welfare call',
      stories: [{ id: 'o1', reason: 'fall', priority: 'P1' }, { id: 'o2', reason: 'fall', priority: 'P2' }],
      expected: { selfRecoveredFalls: 1 },
    },
    {
      name: 'counts by service type',
      stories: [{ id: 'o1' }, { id: 'o2', service: 'cleaning' }, { id: 'o3', service: 'cleaning' }],
      expected: { byService: { meal: 0, cleaning: 2, medical: 0, remote_care: 1 } },
    },
  ])('$name', ({ stories, expected }) => {
    expect(computeKpiRow(stories.map(makeOrder))).toMatchObject(expected);
  });
});

describe('computeDistrictKpis', () => {
  it('splits by street, keeps to the district and window, and fits the /district schema', () => {
    const orders = [
      makeOrder({ id: 'o1', acceptAfterMs: 10 * SEC }),
      makeOrder({ id: 'o2', street: OTHER_STREET, noCandidates: true }),
      { ...makeOrder({ id: 'o3' }), districtCode: '420102' },
      { ...makeOrder({ id: 'o4' }), createdAt: T0 - 1 },
    ];
    const k = computeDistrictKpis(orders, DISTRICT, { from: T0, to: T0 + 24 * 60 * MIN });
    expect(k.district.alerts).toBe(2);
    expect(k.streets.map((s) => [s.streetCode, s.alerts, s.coverageGaps, s.effectiveResponseRate])).toEqual([
      [STREET, 1, 0, 1],
      [OTHER_STREET, 1, 1, 0],
    ]);
    expect(districtKpisSchema.safeParse(k).success).toBe(true);
  });

  it('has no street rows for an empty district', () => {
    const k = computeDistrictKpis([], DISTRICT, { from: T0, to: T0 + 1 });
    expect(k.streets).toEqual([]);
    expect(districtKpisSchema.safeParse(k).success).toBe(true);
  });

  it('keeps 有效应答率 in [0, 1] and equal to accepted-within-SLA / alerts', () => {
    const story = fc.record({
      acceptAfterMs: fc.option(fc.integer({ min: 0, max: 3 * 60_000 }), { nil: undefined }),
      cleared: fc.boolean(),
      noCandidates: fc.boolean(),
      street: fc.constantFrom(STREET, OTHER_STREET),
    });
    fc.assert(
      fc.property(fc.array(story, { maxLength: 30 }), (stories) => {
        const orders = stories.map((s, i) => {
          const base: Story = { id: `o${i}`, street: s.street, cleared: s.cleared && s.acceptAfterMs === undefined, noCandidates: s.noCandidates };
          return makeOrder(s.noCandidates || s.acceptAfterMs === undefined ? base : { ...base, acceptAfterMs: s.acceptAfterMs });
        });
        const k = computeDistrictKpis(orders, DISTRICT, { from: T0, to: T0 + 1 });
        for (const row of [k.district, ...k.streets]) {
          const rate = row.effectiveResponseRate;
          if (row.alerts === 0) expect(rate).toBeNull();
          else {
            expect(rate).toBeGreaterThanOrEqual(0);
            expect(rate).toBeLessThanOrEqual(1);
            expect(rate).toBe(row.acceptedWithinSla / row.alerts);
          }
        }
        const counted = orders.filter((o) => o.state !== 'cancelled');
        expect(k.district.alerts).toBe(counted.length);
        expect(k.district.acceptedWithinSla).toBe(counted.filter(isAcceptedWithinSla).length);
      }),
      { numRuns: 200 },
    );
  });
});
