import { advance, describe as line, evt, makeEngine, run, sh, tel, type FakeClock } from './rule-engine.test-factory.js';
import type { RuleEngine } from './rule-engine.js';

const t = (hm: string): number => sh(`2025-01-15 ${hm}`);

/** What a restart does: JSON out, JSON in, into a fresh engine. */
function restart(engine: RuleEngine, clock: FakeClock): { engine: RuleEngine; clock: FakeClock } {
  const persisted = JSON.stringify(engine.snapshot());
  const fresh = makeEngine({ clock });
  fresh.engine.restore(JSON.parse(persisted));
  return fresh;
}

describe('RuleEngine snapshot / restore', () => {
  it('raises a bed-exit alert on time at 02:30 after a restart at 02:10', () => {
    const first = makeEngine();
    run(first.engine, first.clock, [evt('care-bed', t('02:00'), 'bed_exit'), advance(t('02:10'))]);
    const second = restart(first.engine, first.clock);
    expect(run(second.engine, second.clock, [advance(t('02:29:59'))])).toEqual([]);
    expect(run(second.engine, second.clock, [advance(t('02:30'))]).map(line)).toEqual(['raised bed_exit_no_return major @02:30:00']);
  });

  it('keeps a half-filled vitals window across a restart', () => {
    const first = makeEngine();
    const hr = (hm: string) => tel('wearable', t(hm), { heartRate: 140 });
    run(first.engine, first.clock, [hr('10:00'), hr('10:01'), hr('10:02')]);
    const second = restart(first.engine, first.clock);
    expect(run(second.engine, second.clock, [hr('10:03'), hr('10:04')]).map(line)).toEqual(['raised vitals_out_of_range/heartRate critical @10:04:00']);
  });

  it('keeps active alerts, so a fall after the restart updates the same alert', () => {
    const first = makeEngine();
    const [raised] = run(first.engine, first.clock, [evt('fall-radar', t('02:00'), 'fall')]);
    const second = restart(first.engine, first.clock);
    const [updated] = run(second.engine, second.clock, [evt('wearable', t('02:00:02'), 'fall')]);
    expect(updated).toMatchObject({ type: 'AlertUpdated', alert: { id: raised?.alert.id, count: 2 } });
  });

  it('rejects a malformed snapshot and keeps its state', () => {
    const { engine, clock } = makeEngine();
    run(engine, clock, [evt('care-bed', t('02:00'), 'bed_exit')]);
    const snapshot = engine.snapshot();
    expect(() => engine.restore({ ...snapshot, residents: [{ residentId: 'r-1' }] })).toThrow();
    expect(run(engine, clock, [advance(t('02:30'))]).map(line)).toEqual(['raised bed_exit_no_return major @02:30:00']);
  });
});
