/**
 * Properties of the window logic and of deduplication, over generated inputs.
 */
import fc from 'fast-check';
import { alertKey, type AlertChange } from '../alerts/alert.schema.js';
import { DEFAULT_RULE_SETTINGS } from '../care-plans/rule-settings.js';
import { classifyVital } from './vital-bands.js';
import { advance, evt, makeEngine, offline, online, run, sh, status, tel, type Step } from './rule-engine.test-factory.js';

const T0 = sh('2025-01-15 10:00');
const rule = DEFAULT_RULE_SETTINGS.vitals.heartRate;

describe('vital-sign windows', () => {
  // Gaps up to 60 s keep the stream's cadence within the rule's own window (4 samples in 5 min).
  it('never raises or re-grades a vitals alert unless the covered window mean is in that band', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gapS: fc.integer({ min: 5, max: 60 }), hr: fc.integer({ min: 30, max: 180 }) }), { minLength: 1, maxLength: 60 }),
        (samples) => {
          const { engine, clock } = makeEngine();
          const fed: { ts: number; v: number }[] = [];
          let ts = T0;
          for (const s of samples) {
            ts += s.gapS * 1000;
            fed.push({ ts, v: s.hr });
            const changes = run(engine, clock, [tel('wearable', ts, { heartRate: s.hr })]);
            for (const c of changes) {
              if (c.type === 'AlertCleared') continue;
              // Oracle: a plain scan of everything fed so far.
              const inWindow = fed.filter((x) => x.ts > ts - rule.windowMs && x.ts <= ts);
              const oldest = Math.min(...inWindow.map((x) => x.ts));
              expect(inWindow.length).toBeGreaterThanOrEqual(rule.minSamples);
              expect(oldest - (ts - rule.windowMs)).toBeLessThanOrEqual(rule.coverageToleranceMs);
              const mean = inWindow.reduce((a, x) => a + x.v, 0) / inWindow.length;
              expect(classifyVital(mean, rule)?.severity).toBe(c.alert.severity);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('judges a sparse device over a window that holds its samples: the alert is justified by the window and sample count it reports', () => {
    const spo2 = DEFAULT_RULE_SETTINGS.vitals.spo2;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.array(fc.integer({ min: 85, max: 99 }), { minLength: 1, maxLength: 30 }), (everyMin, values) => {
        const { engine, clock } = makeEngine();
        const everyMs = everyMin * 60_000;
        const windowMs = Math.min(spo2.maxWindowMs, Math.max(spo2.windowMs, spo2.minSamples * everyMs));
        const fed: { ts: number; v: number }[] = [];
        values.forEach((v, i) => {
          const ts = T0 + i * everyMs;
          fed.push({ ts, v });
          for (const c of run(engine, clock, [tel('wearable', ts, { spo2: v })])) {
            if (c.type === 'AlertCleared') continue;
            const inWindow = fed.filter((x) => x.ts > ts - windowMs && x.ts <= ts);
            expect(c.alert.evidence.thresholds).toMatchObject({ windowMs, samples: inWindow.length });
            expect(inWindow.length).toBeGreaterThanOrEqual(Math.min(spo2.minSamples, 2));
            const mean = inWindow.reduce((a, x) => a + x.v, 0) / inWindow.length;
            expect(classifyVital(mean, spo2)?.severity).toBe(c.alert.severity);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('raises within one sample of the window being covered when every sample is out of range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 131, max: 200 }), fc.integer({ min: 10, max: 60 }), (hr, everyS) => {
        const { engine, clock } = makeEngine();
        const steps = Array.from({ length: Math.ceil(rule.windowMs / (everyS * 1000)) + 1 }, (_, i) => tel('wearable', T0 + i * everyS * 1000, { heartRate: hr }));
        const raised = run(engine, clock, steps).filter((c) => c.type === 'AlertRaised');
        expect(raised).toHaveLength(1);
        expect(raised[0]?.alert.severity).toBe('critical');
        expect(raised[0]?.alert.firstRaisedAt).toBeGreaterThanOrEqual(T0 + rule.windowMs - rule.coverageToleranceMs);
      }),
    );
  });
});

/** Inputs that touch many kinds, all within one night, for one resident. */
const stepArb: fc.Arbitrary<(base: number) => Step> = fc.oneof(
  fc.constantFrom(
    (b: number) => evt('fall-radar', b, 'fall', { confidence: 0.9 }),
    (b: number) => evt('wearable', b, 'fall'),
    (b: number) => evt('wearable', b, 'im_ok'),
    (b: number) => evt('sos-button', b, 'sos'),
    (b: number) => evt('smoke-detector', b, 'smoke'),
    (b: number) => evt('smoke-detector', b, 'smoke_cleared'),
    (b: number) => evt('water-leak', b, 'water_leak'),
    (b: number) => evt('water-leak', b, 'water_leak_cleared'),
    (b: number) => evt('care-bed', b, 'bed_exit'),
    (b: number) => evt('care-bed', b, 'bed_enter'),
    (b: number) => evt('care-bed', b, 'apnea', { durationS: 70 }),
    (b: number) => evt('door-contact', b, 'door_open'),
    (b: number) => evt('door-contact', b, 'door_close'),
    (b: number) => evt('pir-motion', b, 'motion'),
    (b: number) => tel('fall-radar', b, { presence: true, zone: 'bathroom', posture: 'sitting', movement: 0 }),
    (b: number) => tel('fall-radar', b, { presence: true, zone: 'bedroom', posture: 'standing', movement: 20 }),
    (b: number) => tel('wearable', b, { heartRate: 150, spo2: 90 }),
    (b: number) => tel('wearable', b, { heartRate: 70, spo2: 97 }),
    (b: number) => status('wearable', b, 8),
    (b: number) => status('wearable', b, 35),
    (b: number) => offline('fall-radar', b),
    (b: number) => online('fall-radar', b),
    (b: number) => advance(b),
  ),
);

function assertOneActivePerKey(changes: readonly AlertChange[]): void {
  const active = new Map<string, string>();
  for (const c of changes) {
    const key = alertKey(c.alert);
    if (c.type === 'AlertRaised') {
      expect(active.has(key)).toBe(false);
      active.set(key, c.alert.id);
    } else if (c.type === 'AlertCleared') {
      expect(active.get(key)).toBe(c.alert.id);
      active.delete(key);
    } else {
      expect(active.get(key)).toBe(c.alert.id);
    }
  }
}

describe('deduplication', () => {
  it('keeps at most one active alert per resident and kind under any interleaving', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(stepArb, fc.integer({ min: 0, max: 3 * 3600 })), { minLength: 1, maxLength: 80 }),
        (inputs) => {
          const base = sh('2025-01-15 23:00');
          const { engine, clock } = makeEngine();
          const changes = run(engine, clock, inputs.map(([make, offsetS]) => make(base + offsetS * 1000)));
          assertOneActivePerKey(changes);
          const keys = engine.alerts.active().map((a) => alertKey(a));
          expect(new Set(keys).size).toBe(keys.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('raises the same set of event alerts for any permutation of the same fall/SOS/smoke reports', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          [
            (b: number) => evt('fall-radar', b, 'fall'),
            (b: number) => evt('wearable', b + 2000, 'fall'),
            (b: number) => evt('sos-button', b + 5000, 'sos'),
            (b: number) => evt('smoke-detector', b + 9000, 'smoke'),
            (b: number) => evt('gas-detector', b + 12000, 'gas'),
          ],
          { minLength: 5, maxLength: 5 },
        ),
        (makers) => {
          const base = sh('2025-01-15 02:00');
          const { engine, clock } = makeEngine();
          run(engine, clock, makers.map((m) => m(base)));
          const byKind = Object.fromEntries(engine.alerts.active().map((a) => [a.kind, a.count]));
          expect(byKind).toEqual({ fall: 2, sos: 1, smoke: 1, gas: 1 });
        },
      ),
    );
  });
});
