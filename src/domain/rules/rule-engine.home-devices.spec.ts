/**
 * Home devices (radar, PIR, door contact, detectors) are bound to the home,
 * not to a person (residentId null). Found by the firmware-sim scenario run
 * (issue 4): without attribution their readings reached no resident's rules,
 * so every daytime hour without mattress movement looked like inactivity,
 * and bathroom dwell, night wandering and a radar fall were never raised.
 */
import { describe, expect, it } from '@jest/globals';
import type { AlertChange } from '../alerts/alert.schema.js';
import { RuleEngine } from './rule-engine.js';
import { FakeClock, advance, evt, makeContext, offline, online, run, sh, status, tel, type Step } from './rule-engine.test-factory.js';

const HOME_ID = 'h-1';
const t = (hm: string): number => sh(`2025-01-15 ${hm}`);

function makeHomeEngine(residents: readonly string[]): { engine: RuleEngine; clock: FakeClock } {
  const clock = new FakeClock();
  let n = 0;
  const engine = new RuleEngine({
    clock,
    ids: () => `a-${++n}`,
    residentContext: (id) => (residents.includes(id) ? makeContext({ residentId: id }) : undefined),
    residentsOfHome: (homeId) => (homeId === HOME_ID ? residents : []),
  });
  return { engine, clock };
}

/** The step as a home device reports it: bound to the home only. */
function ofHome(step: Step): Step {
  if (step.op === 'advance') return step;
  return { ...step, e: { ...step.e, residentId: null } } as Step;
}

function raised(changes: readonly AlertChange[]): string[] {
  return changes.filter((c) => c.type === 'AlertRaised').map((c) => `${c.alert.kind} ${c.alert.residentId ?? 'home'}`);
}

describe('RuleEngine: devices bound to the home', () => {
  it('counts PIR motion as the resident\'s activity (no prolonged inactivity)', () => {
    const { engine, clock } = makeHomeEngine(['r-1']);
    const steps = [tel('care-bed', t('07:00'), { inBed: true, movement: 20, heartRate: 60 }), ...Array.from({ length: 60 }, (_, i) => ofHome(tel('pir-motion', t('07:05') + i * 5 * 60_000, { motionCount: 3 })))];
    expect(raised(run(engine, clock, [...steps, advance(t('12:00'))]))).toEqual([]);
  });

  it('raises bathroom dwell from the home radar for the resident', () => {
    const { engine, clock } = makeHomeEngine(['r-1']);
    const radar = Array.from({ length: 50 }, (_, i) => ofHome(tel('fall-radar', t('10:00') + i * 60_000, { presence: true, zone: 'bathroom', posture: 'standing', movement: 5 })));
    expect(raised(run(engine, clock, radar))).toEqual(['bathroom_dwell r-1']);
  });

  it('raises night wandering from the home door contact for the resident', () => {
    const { engine, clock } = makeHomeEngine(['r-1']);
    expect(raised(run(engine, clock, [ofHome(evt('door-contact', t('02:04'), 'door_open')), advance(t('02:20'))]))).toEqual(['night_wandering r-1']);
  });

  it('watches every resident of a couple\'s home for absence rules, but raises a radar fall and a smoke alarm once', () => {
    const { engine, clock } = makeHomeEngine(['r-1', 'r-2']);
    const changes = run(engine, clock, [
      ofHome(evt('door-contact', t('02:04'), 'door_open')),
      advance(t('02:20')),
      ofHome(evt('fall-radar', t('02:30'), 'fall', { confidence: 0.9, zone: 'bathroom' })),
      ofHome(evt('smoke-detector', t('02:31'), 'smoke', { obscuration: 6 })),
    ]);
    expect(raised(changes)).toEqual(['night_wandering r-1', 'night_wandering r-2', 'fall r-1', 'smoke r-1']);
  });

  it('gives a home device\'s low battery to the primary resident, once', () => {
    const { engine, clock } = makeHomeEngine(['r-1', 'r-2']);
    expect(raised(run(engine, clock, [ofHome(status('door-contact', t('09:00'), 15))]))).toEqual(['low_battery r-1']);
  });

  it('still raises smoke for a home nobody is registered in', () => {
    const { engine, clock } = makeHomeEngine([]);
    expect(raised(run(engine, clock, [ofHome(evt('smoke-detector', t('02:31'), 'smoke', { obscuration: 6 }))]))).toEqual(['smoke home']);
  });

  describe('the health of a home device (offline, low battery) reaches the home\'s primary resident, so it can be dispatched', () => {
    /** Raised alerts as 'kind resident severity priority'. */
    const raisedFully = (changes: readonly AlertChange[]): string[] =>
      changes.filter((c) => c.type === 'AlertRaised').map((c) => `${c.alert.kind} ${c.alert.residentId ?? 'nobody'} ${c.alert.severity} ${c.alert.priority}`);

    it.each<[string, readonly string[], Step[], string[]]>([
      ['a smoke detector of an elder living alone goes silent: device_offline for that elder (life-safety: major, P2)', ['r-1'], [ofHome(offline('smoke-detector', t('03:00')))], ['device_offline r-1 major P2']],
      ['a gas detector\'s last will in a couple\'s home: device_offline once, for the primary resident', ['r-1', 'r-2'], [ofHome(offline('gas-detector', t('03:00')))], ['device_offline r-1 major P2']],
      ['a door contact goes offline: device_offline for the primary resident (not life-safety: minor, P3)', ['r-1', 'r-2'], [ofHome(offline('door-contact', t('03:00')))], ['device_offline r-1 minor P3']],
      ['a water sensor\'s battery runs low: low_battery for the elder living alone', ['r-1'], [ofHome(status('water-leak', t('09:00'), 8))], ['low_battery r-1 minor P3']],
      ['a home with no resident registered: still raised and stored, for nobody (an operator must register the resident)', [], [ofHome(offline('smoke-detector', t('03:00')))], ['device_offline nobody major P2']],
    ])('%s', (_name, residents, steps, expected) => {
      const { engine, clock } = makeHomeEngine(residents);
      expect(raisedFully(run(engine, clock, steps))).toEqual(expected);
    });

    it('ends a home device\'s device_offline when it is back online', () => {
      const { engine, clock } = makeHomeEngine(['r-1']);
      // Cleared once it stayed online through the episode merge window (15 min), at the time it came back.
      const changes = run(engine, clock, [ofHome(offline('smoke-detector', t('03:00'))), ofHome(online('smoke-detector', t('03:10'))), advance(t('03:25'))]);
      expect(changes.map((c) => `${c.type} ${c.alert.kind} ${c.alert.residentId ?? 'nobody'} ${c.alert.state}`)).toEqual([
        'AlertRaised device_offline r-1 active',
        'AlertUpdated device_offline r-1 active',
        'AlertCleared device_offline r-1 cleared',
      ]);
      expect(changes.at(-1)?.alert.clearedAt).toBe(t('03:10'));
    });

    it('ends a device_offline raised before the home\'s resident was registered once the device is back (alerts of a device are keyed by the device)', () => {
      const residents: string[] = [];
      const clock = new FakeClock();
      let n = 0;
      const engine = new RuleEngine({ clock, ids: () => `a-${++n}`, residentContext: (id) => makeContext({ residentId: id }), residentsOfHome: () => residents });
      const before = run(engine, clock, [ofHome(offline('smoke-detector', t('03:00')))]);
      residents.push('r-1');
      const after = run(engine, clock, [ofHome(online('smoke-detector', t('03:10'))), advance(t('03:25'))]);
      expect([...before, ...after].map((c) => `${c.type} ${c.alert.residentId ?? 'nobody'}`)).toEqual(['AlertRaised nobody', 'AlertUpdated nobody', 'AlertCleared nobody']);
    });
  });
});
