import { checkScenario, type ObservedAlert, type ScenarioExpectation } from './check-scenario.js';

const T = 1_773_532_800_000;
const MIN = 60_000;

function alert(overrides: Partial<ObservedAlert>): ObservedAlert {
  return { id: 'a1', kind: 'fall', residentId: 'r1', severity: 'critical', priority: 'P1', state: 'active', firstRaisedAt: T + MIN, lastTriggeredAt: T + MIN, ...overrides };
}

function expectation(overrides: Partial<ScenarioExpectation>): ScenarioExpectation {
  return { scenario: 's', residentIds: ['r1', 'r2'], from: T, to: T + 60 * MIN, expected: [], forbidden: [], tolerated: [], ...overrides };
}

const fallExpected = { kind: 'fall' as const, residentId: 'r1', from: T, to: T + 5 * MIN, severity: 'critical' as const, note: 'fall' };

describe('checkScenario', () => {
  it.each<[string, ScenarioExpectation, ObservedAlert[], { detected: number; missed: number; unexpected: string[] }]>([
    ['detects an expected alert in its window', expectation({ expected: [fallExpected] }), [alert({})], { detected: 1, missed: 0, unexpected: [] }],
    ['misses an alert raised after its window', expectation({ expected: [fallExpected] }), [alert({ firstRaisedAt: T + 10 * MIN })], { detected: 0, missed: 1, unexpected: ['unexpected'] }],
    ['misses an alert of the wrong severity', expectation({ expected: [fallExpected] }), [alert({ severity: 'major' })], { detected: 0, missed: 1, unexpected: ['unexpected'] }],
    [
      'matches a vitals alert by the severity it reached, not the one it cleared from',
      expectation({ expected: [{ ...fallExpected, kind: 'vitals_out_of_range' }] }),
      [alert({ kind: 'vitals_out_of_range', severity: 'warning', peakSeverity: 'critical' })],
      { detected: 1, missed: 0, unexpected: [] },
    ],
    [
      'misses an alert that never reached the expected severity',
      expectation({ expected: [{ ...fallExpected, kind: 'vitals_out_of_range' }] }),
      [alert({ kind: 'vitals_out_of_range', severity: 'warning', peakSeverity: 'major' })],
      { detected: 0, missed: 1, unexpected: ['unexpected'] },
    ],
    ['misses an alert for another resident', expectation({ expected: [fallExpected] }), [alert({ residentId: 'r2' })], { detected: 0, missed: 1, unexpected: ['unexpected'] }],
    ['a normal day raising anything is unexpected', expectation({}), [alert({ kind: 'vitals_out_of_range' })], { detected: 0, missed: 0, unexpected: ['unexpected'] }],
    ['ignores residents outside the scenario', expectation({}), [alert({ residentId: 'other' })], { detected: 0, missed: 0, unexpected: [] }],
    ['ignores alerts outside the run', expectation({}), [alert({ firstRaisedAt: T - 5 * MIN, lastTriggeredAt: T - 4 * MIN })], { detected: 0, missed: 0, unexpected: [] }],
    [
      'a forbidden critical fall fails even when falls are tolerated',
      expectation({ forbidden: [{ kind: 'fall', residentId: 'r1', severities: ['critical'], note: 'false alarm' }], tolerated: [{ kind: 'fall', residentId: 'r1' }] }),
      [alert({})],
      { detected: 0, missed: 0, unexpected: ['forbidden'] },
    ],
    [
      'a downgraded fall is tolerated',
      expectation({ forbidden: [{ kind: 'fall', residentId: 'r1', severities: ['critical'], note: 'false alarm' }], tolerated: [{ kind: 'fall', residentId: 'r1' }] }),
      [alert({ severity: 'warning' })],
      { detected: 0, missed: 0, unexpected: [] },
    ],
    ['a second alert for the same expectation is a duplicate', expectation({ expected: [fallExpected] }), [alert({}), alert({ id: 'a2', firstRaisedAt: T + 2 * MIN })], { detected: 1, missed: 0, unexpected: ['duplicate'] }],
    [
      'repeats are allowed when declared',
      expectation({ expected: [{ ...fallExpected, kind: 'apnea', severity: 'major', repeats: true }] }),
      [alert({ kind: 'apnea', severity: 'major' }), alert({ id: 'a2', kind: 'apnea', severity: 'major', firstRaisedAt: T + 3 * MIN })],
      { detected: 1, missed: 0, unexpected: [] },
    ],
  ])('%s', (_name, exp, observed, want) => {
    const result = checkScenario(exp, observed);
    expect(result.detected).toHaveLength(want.detected);
    expect(result.missed).toHaveLength(want.missed);
    expect(result.unexpected.map((u) => u.reason)).toEqual(want.unexpected);
    expect(result.passed).toBe(want.missed === 0 && want.unexpected.length === 0);
  });
});
