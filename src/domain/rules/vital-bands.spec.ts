import { DEFAULT_RULE_SETTINGS } from '../care-plans/rule-settings.js';
import { judgingWindow } from './vital-bands.js';

const MIN = 60_000;
const spo2 = DEFAULT_RULE_SETTINGS.vitals.spo2;

describe('judgingWindow: long enough to hold four of the device\'s own samples', () => {
  it.each([
    ['cadence not known yet (one sample)', null, { windowMs: 5 * MIN, minSamples: 4, coverageToleranceMs: 90_000 }],
    ['a mattress every 10 s', 10_000, { windowMs: 5 * MIN, minSamples: 4, coverageToleranceMs: 90_000 }],
    ['a band every minute', MIN, { windowMs: 5 * MIN, minSamples: 4, coverageToleranceMs: 90_000 }],
    ['SpO2 every 5 min', 5 * MIN, { windowMs: 20 * MIN, minSamples: 4, coverageToleranceMs: 7.5 * MIN }],
    ['SpO2 every 20 min: the 60-min maximum holds three', 20 * MIN, { windowMs: 60 * MIN, minSamples: 3, coverageToleranceMs: 30 * MIN }],
    ['SpO2 every 30 min: two agreeing readings', 30 * MIN, { windowMs: 60 * MIN, minSamples: 2, coverageToleranceMs: 45 * MIN }],
    ['SpO2 every 2 h: still two, never one', 120 * MIN, { windowMs: 60 * MIN, minSamples: 2, coverageToleranceMs: 180 * MIN }],
  ])('%s', (_name, intervalMs, expected) => {
    expect(judgingWindow(spo2, intervalMs)).toEqual(expected);
  });
});
