/**
 * Acceptance scenarios: event sequences in Asia/Shanghai local time → the
 * alert changes the engine emits. The process runs TZ=UTC; the engine is told
 * the zone by the resident context, and these fixtures state it explicitly.
 */
import type { CarePlan } from '../care-plans/care-plan.schema.js';
import type { CapabilityLevel } from '../care-plans/care-plan.schema.js';
import {
  HOME,
  advance,
  describe as line,
  evt,
  makeEngine,
  offline,
  online,
  run,
  series,
  sh,
  status,
  tel,
  type Step,
} from './rule-engine.test-factory.js';

const t = (hm: string): number => sh(`2025-01-15 ${hm}`);
/** The next local day. */
const t2 = (hm: string): number => sh(`2025-01-16 ${hm}`);

const wearable = (from: string, n: number, metrics: Record<string, number>): Step[] => series('wearable', t(from), 60, n, metrics);
/** A band that measures SpO2 only every `everyMin` minutes (many watches do, every 5–30 min). */
const sparseSpo2 = (from: string, values: readonly number[], everyMin = 5): Step[] =>
  values.map((spo2, i) => tel('wearable', t(from) + i * everyMin * 60_000, { spo2 }));
/** A walk: the step count rises by 40 a minute. */
const withRisingSteps = (s: Step, i: number): Step => (s.op === 'telemetry' ? { ...s, e: { ...s.e, metrics: { ...s.e.metrics, steps: 40 * i } } } : s);
const bed = (from: string, n: number, metrics: Record<string, number | boolean>): Step[] =>
  series('care-bed', t(from), 10, n, { inBed: true, ...metrics });
const radar = (at: number, zone: string, extra: Record<string, number | boolean | string> = {}): Step =>
  tel('fall-radar', at, { presence: zone !== 'none', zone, posture: 'sitting', movement: 0, ...extra });
const away = { lat: HOME.lat + 0.009, lon: HOME.lon, accuracyM: 20 }; // ≈ 1 km north
const near = { lat: HOME.lat + 0.0005, lon: HOME.lon, accuracyM: 20 }; // ≈ 55 m

interface Scenario {
  readonly name: string;
  readonly carePlan?: Omit<CarePlan, 'residentId' | 'version'>;
  readonly capabilityLevel?: CapabilityLevel;
  readonly steps: readonly Step[];
  readonly expected: readonly string[];
}

const vitals: Scenario[] = [
  // NEWS2 pulse: ≤40 → 3, 41–50 → 1, 91–110 → 1, 111–130 → 2, ≥131 → 3.
  { name: 'HR mean 138 for 5 min → critical once the window is covered', steps: wearable('10:00', 6, { heartRate: 138 }), expected: ['raised vitals_out_of_range/heartRate critical @10:04:00'] },
  { name: 'HR mean 131 → critical', steps: wearable('10:00', 5, { heartRate: 131 }), expected: ['raised vitals_out_of_range/heartRate critical @10:04:00'] },
  { name: 'HR mean 130 → major', steps: wearable('10:00', 5, { heartRate: 130 }), expected: ['raised vitals_out_of_range/heartRate major @10:04:00'] },
  { name: 'HR mean 111 → major', steps: wearable('10:00', 5, { heartRate: 111 }), expected: ['raised vitals_out_of_range/heartRate major @10:04:00'] },
  { name: 'HR mean 91 → warning', steps: wearable('10:00', 5, { heartRate: 91 }), expected: ['raised vitals_out_of_range/heartRate warning @10:04:00'] },
  { name: 'HR mean 90 → nothing', steps: wearable('10:00', 8, { heartRate: 90 }), expected: [] },
  { name: 'HR mean 51 → nothing', steps: wearable('10:00', 8, { heartRate: 51 }), expected: [] },
  { name: 'HR mean 50 → warning', steps: wearable('10:00', 5, { heartRate: 50 }), expected: ['raised vitals_out_of_range/heartRate warning @10:04:00'] },
  { name: 'HR mean 41 → warning', steps: wearable('10:00', 5, { heartRate: 41 }), expected: ['raised vitals_out_of_range/heartRate warning @10:04:00'] },
  { name: 'HR mean 40 → critical', steps: wearable('10:00', 5, { heartRate: 40 }), expected: ['raised vitals_out_of_range/heartRate critical @10:04:00'] },
  { name: 'HR 150 for only 4 minutes of samples → nothing (window not covered)', steps: wearable('10:00', 4, { heartRate: 150 }), expected: [] },
  {
    name: 'HR back in range: follows the band down, then clears',
    steps: [...wearable('10:00', 6, { heartRate: 138 }), ...wearable('10:06', 4, { heartRate: 70 })],
    expected: [
      'raised vitals_out_of_range/heartRate critical @10:04:00',
      'updated vitals_out_of_range/heartRate severity_changed major x1',
      'updated vitals_out_of_range/heartRate severity_changed warning x1',
      'cleared vitals_out_of_range/heartRate @10:09:00',
    ],
  },
  // NEWS2 respiration: ≤8 → 3, 9–11 → 1, 21–24 → 2, ≥25 → 3. Mattress samples every 10 s.
  { name: 'RR mean 8 → critical', steps: bed('10:00', 31, { respirationRate: 8 }), expected: ['raised vitals_out_of_range/respirationRate critical @10:03:30'] },
  { name: 'RR mean 9 → warning', steps: bed('10:00', 31, { respirationRate: 9 }), expected: ['raised vitals_out_of_range/respirationRate warning @10:03:30'] },
  { name: 'RR mean 11 → warning', steps: bed('10:00', 31, { respirationRate: 11 }), expected: ['raised vitals_out_of_range/respirationRate warning @10:03:30'] },
  { name: 'RR mean 12 → nothing', steps: bed('10:00', 31, { respirationRate: 12 }), expected: [] },
  { name: 'RR mean 20 → nothing', steps: bed('10:00', 31, { respirationRate: 20 }), expected: [] },
  { name: 'RR mean 21 → major (NEWS2 scores 2)', steps: bed('10:00', 31, { respirationRate: 21 }), expected: ['raised vitals_out_of_range/respirationRate major @10:03:30'] },
  { name: 'RR mean 25 → critical', steps: bed('10:00', 31, { respirationRate: 25 }), expected: ['raised vitals_out_of_range/respirationRate critical @10:03:30'] },
  { name: 'mattress readings while out of bed are ignored', steps: series('care-bed', t('10:00'), 10, 31, { inBed: false, respirationRate: 30 }), expected: [] },
  // NEWS2 SpO2 scale 1: ≤91 → 3, 92–93 → 2, 94–95 → 1.
  { name: 'SpO2 91 → critical', steps: wearable('10:00', 5, { spo2: 91 }), expected: ['raised vitals_out_of_range/spo2 critical @10:04:00'] },
  { name: 'SpO2 92 → major', steps: wearable('10:00', 5, { spo2: 92 }), expected: ['raised vitals_out_of_range/spo2 major @10:04:00'] },
  { name: 'SpO2 93 → major', steps: wearable('10:00', 5, { spo2: 93 }), expected: ['raised vitals_out_of_range/spo2 major @10:04:00'] },
  { name: 'SpO2 94 → warning', steps: wearable('10:00', 5, { spo2: 94 }), expected: ['raised vitals_out_of_range/spo2 warning @10:04:00'] },
  { name: 'SpO2 95 → warning', steps: wearable('10:00', 5, { spo2: 95 }), expected: ['raised vitals_out_of_range/spo2 warning @10:04:00'] },
  { name: 'SpO2 96 → nothing', steps: wearable('10:00', 8, { spo2: 96 }), expected: [] },
  // COPD care plan: NEWS2 scale 2 (target 88–92): ≤83 → 3, 84–85 → 2, 86–87 → 1.
  { name: 'COPD (scale 2): SpO2 88 → nothing', carePlan: { spo2Scale: 2 }, steps: wearable('10:00', 8, { spo2: 88 }), expected: [] },
  // A band that measures SpO2 every 5 minutes: judged over 4 × 5 = 20 minutes, the fourth reading decides.
  { name: 'SpO2 89–90 % every 5 min, no COPD plan → critical at the fourth reading (15 min)', steps: sparseSpo2('10:00', [90, 89, 90, 89, 90, 89, 90, 89, 90, 89, 90, 89]), expected: ['raised vitals_out_of_range/spo2 critical @10:15:00'] },
  { name: 'the same for a COPD plan (target 88–92) → nothing', carePlan: { spo2Scale: 2 }, steps: sparseSpo2('10:00', [90, 89, 90, 89, 90, 89, 90, 89, 90, 89, 90, 89]), expected: [] },
  { name: 'SpO2 every 30 min: two agreeing readings in the 60-minute maximum window → critical at the second', steps: sparseSpo2('10:00', [89, 90, 89], 30), expected: ['raised vitals_out_of_range/spo2 critical @10:30:00'] },
  { name: 'a single low spot check among normal ones → nothing', steps: sparseSpo2('10:00', [98, 98, 89, 98, 98, 98]), expected: [] },
  { name: 'COPD (scale 2): SpO2 87 → warning', carePlan: { spo2Scale: 2 }, steps: wearable('10:00', 5, { spo2: 87 }), expected: ['raised vitals_out_of_range/spo2 warning @10:04:00'] },
  { name: 'COPD (scale 2): SpO2 85 → major', carePlan: { spo2Scale: 2 }, steps: wearable('10:00', 5, { spo2: 85 }), expected: ['raised vitals_out_of_range/spo2 major @10:04:00'] },
  { name: 'COPD (scale 2): SpO2 83 → critical', carePlan: { spo2Scale: 2 }, steps: wearable('10:00', 5, { spo2: 83 }), expected: ['raised vitals_out_of_range/spo2 critical @10:04:00'] },
  // Known bradycardia: the plan moves the low pulse bound to 35.
  {
    name: 'bradycardia plan: HR 38 → nothing',
    carePlan: { vitals: { heartRate: { low: [{ atOrBelow: 35, severity: 'critical' }] } } },
    steps: wearable('10:00', 8, { heartRate: 38 }),
    expected: [],
  },
  {
    name: 'bradycardia plan: HR 35 → critical',
    carePlan: { vitals: { heartRate: { low: [{ atOrBelow: 35, severity: 'critical' }] } } },
    steps: wearable('10:00', 5, { heartRate: 35 }),
    expected: ['raised vitals_out_of_range/heartRate critical @10:04:00'],
  },
  { name: 'no plan: HR 38 → critical', steps: wearable('10:00', 5, { heartRate: 38 }), expected: ['raised vitals_out_of_range/heartRate critical @10:04:00'] },
  // Skin temperature: own bands over 10 min (see rule-settings.ts).
  { name: 'skin temp 38.5 → minor', steps: wearable('10:00', 10, { skinTemp: 38.5 }), expected: ['raised vitals_out_of_range/skinTemp minor @10:09:00'] },
  { name: 'skin temp 37.5 → warning', steps: wearable('10:00', 10, { skinTemp: 37.5 }), expected: ['raised vitals_out_of_range/skinTemp warning @10:09:00'] },
  { name: 'skin temp 37.4 → nothing', steps: wearable('10:00', 12, { skinTemp: 37.4 }), expected: [] },
  {
    name: 'late (buffered) vitals older than the watermark stay out of windows',
    steps: [radar(t('11:00'), 'living_room'), ...wearable('10:00', 6, { heartRate: 150 })],
    expected: [],
  },
  {
    name: 'out-of-order vitals within the lateness are placed in order',
    steps: [...wearable('10:00', 3, { heartRate: 140 }), ...wearable('10:04', 1, { heartRate: 140 }), ...wearable('10:03', 1, { heartRate: 140 })],
    expected: ['raised vitals_out_of_range/heartRate critical @10:04:00'],
  },
];

const falls: Scenario[] = [
  {
    name: 'a one-device fall waits 待确认 through its 30 s window, unpaged',
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9, zone: 'bathroom' }), advance(t('02:00:29'))],
    expected: ['raised fall critical @02:00:00'],
  },
  {
    name: 'a fall nobody gets up from is confirmed at the end of its window',
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9, zone: 'bathroom' }), advance(t('02:00:29')), advance(t('02:00:30')), advance(t('02:05'))],
    expected: ['raised fall critical @02:00:00', 'updated fall confirmed critical x1'],
  },
  {
    name: 'standing 12 s after a one-device fall: self-recovered, never confirmed',
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9, zone: 'bedroom' }), radar(t('02:00:12'), 'bedroom', { posture: 'standing', movement: 30 }), advance(t('02:05'))],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning'],
  },
  {
    name: 'SOS pressed during the window confirms the fall at once',
    steps: [evt('wearable', t('02:00'), 'fall', { confidence: 0.8 }), evt('sos-button', t('02:00:08'), 'sos')],
    expected: ['raised fall critical @02:00:00', 'raised sos critical @02:00:08', 'updated fall confirmed critical x1'],
  },
  {
    name: 'a care plan without a cancel window pages a fall at once',
    carePlan: { fallCancelWindowMs: 0 },
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9 }), evt('fall-radar', t('02:00:05'), 'im_ok')],
    expected: ['raised fall critical @02:00:00'],
  },
  {
    name: 'im_ok 20 s after a fall downgrades it',
    steps: [evt('wearable', t('02:00'), 'fall', { confidence: 0.8 }), evt('sos-button', t('02:00:20'), 'im_ok')],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning'],
  },
  {
    name: 'im_ok exactly at 30 s still downgrades',
    steps: [evt('wearable', t('02:00'), 'fall', { confidence: 0.8 }), evt('wearable', t('02:00:30'), 'im_ok')],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning'],
  },
  {
    name: 'im_ok 31 s after a fall changes nothing: it was confirmed at 30 s',
    steps: [evt('wearable', t('02:00'), 'fall', { confidence: 0.8 }), advance(t('02:00:30')), evt('sos-button', t('02:00:31'), 'im_ok')],
    expected: ['raised fall critical @02:00:00', 'updated fall confirmed critical x1'],
  },
  {
    name: 'radar sees the resident standing within the window → downgraded',
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9, zone: 'bedroom' }), radar(t('02:00:10'), 'bedroom', { posture: 'standing', movement: 30 })],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning'],
  },
  {
    name: 'a care plan with a 60 s cancel window accepts im_ok at 45 s',
    carePlan: { fallCancelWindowMs: 60_000 },
    steps: [evt('wearable', t('02:00'), 'fall', { confidence: 0.8 }), evt('sos-button', t('02:00:45'), 'im_ok')],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning'],
  },
  {
    name: 'radar fall + wearable fall 3 s apart = one alert, count 2, confirmed at once',
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9, zone: 'hall' }), evt('wearable', t('02:00:03'), 'fall', { confidence: 0.7 })],
    expected: ['raised fall critical @02:00:00', 'updated fall retriggered critical x2', 'updated fall confirmed critical x2'],
  },
  {
    name: 'the same device reporting the fall twice does not confirm it',
    steps: [evt('fall-radar', t('02:00'), 'fall', { confidence: 0.9 }), evt('fall-radar', t('02:00:03'), 'fall', { confidence: 0.9 })],
    expected: ['raised fall critical @02:00:00', 'updated fall retriggered critical x2'],
  },
  {
    name: 'a second report of a cancelled fall does not re-escalate it',
    steps: [evt('wearable', t('02:00'), 'fall'), evt('sos-button', t('02:00:05'), 'im_ok'), evt('fall-radar', t('02:00:08'), 'fall', { confidence: 0.9 })],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning', 'updated fall retriggered warning x2'],
  },
  {
    name: 'a new fall after a downgraded one re-escalates the active alert and waits for confirmation again',
    steps: [evt('wearable', t('02:00'), 'fall'), evt('sos-button', t('02:00:05'), 'im_ok'), evt('fall-radar', t('02:20'), 'fall', { confidence: 0.9 }), advance(t('02:20:30'))],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning', 'updated fall retriggered critical x2', 'updated fall confirmed critical x2'],
  },
  {
    name: 'a fall in a buffered batch still raises, with its original time, confirmed: its window is long past',
    steps: [radar(t('03:00'), 'bedroom'), evt('wearable', t('02:00'), 'fall', { confidence: 0.8 }, { buffered: true, receivedAt: t('03:00:05') })],
    expected: ['raised fall critical @02:00:00', 'updated fall confirmed critical x1'],
  },
  {
    name: 'im_ok processed before its (late) fall still downgrades it',
    steps: [evt('sos-button', t('02:00:10'), 'im_ok'), evt('wearable', t('02:00'), 'fall', {}, { receivedAt: t('02:00:40') })],
    expected: ['raised fall critical @02:00:00', 'downgraded fall warning'],
  },
  { name: 'SOS → critical', steps: [evt('sos-button', t('10:00'), 'sos')], expected: ['raised sos critical @10:00:00'] },
  { name: 'im_ok after an SOS changes nothing', steps: [evt('sos-button', t('10:00'), 'sos'), evt('sos-button', t('10:00:05'), 'im_ok')], expected: ['raised sos critical @10:00:00'] },
];

const hazards: Scenario[] = [
  { name: 'smoke → critical; smoke_cleared only notes it', steps: [evt('smoke-detector', t('10:00'), 'smoke'), evt('smoke-detector', t('10:10'), 'smoke_cleared')], expected: ['raised smoke critical @10:00:00', 'updated smoke condition_ended critical x1'] },
  { name: 'gas → critical; gas_cleared only notes it', steps: [evt('gas-detector', t('10:00'), 'gas'), evt('gas-detector', t('10:10'), 'gas_cleared')], expected: ['raised gas critical @10:00:00', 'updated gas condition_ended critical x1'] },
  { name: 'water leak → major; cleared by the sensor', steps: [evt('water-leak', t('10:00'), 'water_leak'), evt('water-leak', t('10:10'), 'water_leak_cleared')], expected: ['raised water_leak major @10:00:00', 'cleared water_leak @10:10:00'] },
  { name: 'a smoke detector self-test raises nothing', steps: [evt('smoke-detector', t('10:00'), 'self_test')], expected: [] },
];

const apnea: Scenario[] = [
  { name: 'one 60 s apnea → critical', steps: [evt('care-bed', t('03:00'), 'apnea', { durationS: 60 })], expected: ['raised apnea critical @03:00:00'] },
  { name: 'one 59 s apnea → nothing', steps: [evt('care-bed', t('03:00'), 'apnea', { durationS: 59 })], expected: [] },
  {
    name: '5 apneas within an hour → major',
    steps: ['01:00', '01:10', '01:20', '01:30', '01:40'].map((hm) => evt('care-bed', t(hm), 'apnea', { durationS: 20 })),
    expected: ['raised apnea major @01:40:00'],
  },
  {
    name: '5 apneas spread over exactly an hour → nothing',
    steps: ['01:00', '01:15', '01:30', '01:45', '02:00'].map((hm) => evt('care-bed', t(hm), 'apnea', { durationS: 20 })),
    expected: [],
  },
];

const absence: Scenario[] = [
  { name: 'night bed exit, no return in 30 min → major at 02:30', steps: [evt('care-bed', t('02:00'), 'bed_exit'), advance(t('02:30'))], expected: ['raised bed_exit_no_return major @02:30:00'] },
  { name: 'night bed exit, back at 02:29 → nothing', steps: [evt('care-bed', t('02:00'), 'bed_exit'), evt('care-bed', t('02:29'), 'bed_enter'), advance(t('03:00'))], expected: [] },
  {
    name: 'night bed exit, back at 02:40 → raised then cleared',
    steps: [evt('care-bed', t('02:00'), 'bed_exit'), advance(t('02:31')), evt('care-bed', t('02:40'), 'bed_enter')],
    expected: ['raised bed_exit_no_return major @02:30:00', 'cleared bed_exit_no_return @02:40:00'],
  },
  { name: 'bed exit across midnight (23:50) → raised 00:20 the next day', steps: [evt('care-bed', t('23:50'), 'bed_exit'), advance(t2('00:20'))], expected: ['raised bed_exit_no_return major @00:20:00'] },
  { name: 'bed exit at 21:30 (window opens) → raised', steps: [evt('care-bed', t('21:30'), 'bed_exit'), advance(t('22:00'))], expected: ['raised bed_exit_no_return major @22:00:00'] },
  { name: 'bed exit at 21:29 (before the window) → nothing', steps: [evt('care-bed', t('21:29'), 'bed_exit'), advance(t('23:00'))], expected: [] },
  { name: 'bed exit at 06:29 → raised', steps: [evt('care-bed', t2('06:29'), 'bed_exit'), advance(t2('07:00'))], expected: ['raised bed_exit_no_return major @06:59:00'] },
  { name: 'bed exit at 06:30 (window closed) → nothing', steps: [evt('care-bed', t2('06:30'), 'bed_exit'), advance(t2('08:00'))], expected: [] },
  { name: 'a later night window in the care plan (23:00–07:00) ignores a 22:30 exit', carePlan: { nightWindow: { start: '23:00', end: '07:00' } }, steps: [evt('care-bed', t('22:30'), 'bed_exit'), advance(t('23:30'))], expected: [] },
  {
    name: 'the watermark alone fires the bed-exit deadline (devices keep reporting)',
    steps: [evt('care-bed', t('02:00'), 'bed_exit'), radar(t('02:32'), 'living_room')],
    expected: ['raised bed_exit_no_return major @02:30:00'],
  },
  { name: 'night door open, no return in 15 min → major', steps: [evt('door-contact', t('23:00'), 'door_open'), advance(t('23:15'))], expected: ['raised night_wandering major @23:15:00'] },
  {
    name: 'night door open, closed and presence indoors → nothing',
    steps: [evt('door-contact', t('23:00'), 'door_open'), evt('door-contact', t('23:05'), 'door_close'), evt('pir-motion', t('23:06'), 'motion'), advance(t('23:30'))],
    expected: [],
  },
  {
    name: 'night door open, closed behind the resident with nobody inside → raised',
    steps: [evt('door-contact', t('23:00'), 'door_open'), evt('door-contact', t('23:01'), 'door_close'), advance(t('23:15'))],
    expected: ['raised night_wandering major @23:15:00'],
  },
  {
    name: 'night wandering clears when the door closes and the radar sees the resident',
    steps: [evt('door-contact', t('23:00'), 'door_open'), advance(t('23:16')), evt('door-contact', t('23:20'), 'door_close'), radar(t('23:21'), 'hall')],
    expected: ['raised night_wandering major @23:15:00', 'cleared night_wandering @23:21:00'],
  },
  { name: 'door opened at 20:00 (daytime) → nothing', steps: [evt('door-contact', t('20:00'), 'door_open'), advance(t('21:00'))], expected: [] },
  { name: 'door opened across midnight (00:10) → raised', steps: [evt('door-contact', t2('00:10'), 'door_open'), advance(t2('00:30'))], expected: ['raised night_wandering major @00:25:00'] },
  { name: 'bathroom presence for 45 min → major', steps: [radar(t('10:00'), 'bathroom'), advance(t('10:45'))], expected: ['raised bathroom_dwell major @10:45:00'] },
  { name: 'bathroom for 30 min then bedroom → nothing', steps: [radar(t('10:00'), 'bathroom'), radar(t('10:30'), 'bedroom'), advance(t('11:00'))], expected: [] },
  {
    name: 'bathroom dwell clears when the resident is seen elsewhere',
    steps: [radar(t('10:00'), 'bathroom'), advance(t('10:46')), radar(t('10:50'), 'living_room')],
    expected: ['raised bathroom_dwell major @10:45:00', 'cleared bathroom_dwell @10:50:00'],
  },
  { name: 'no movement for 4 h → prolonged inactivity', steps: [evt('pir-motion', t('08:00'), 'motion'), advance(t('12:00'))], expected: ['raised prolonged_inactivity major @12:00:00'] },
  { name: 'no movement for 3 h 59 min → nothing', steps: [evt('pir-motion', t('08:00'), 'motion'), advance(t('11:59'))], expected: [] },
  { name: 'the 13:00–14:30 nap does not count: motion 10:00 → due 15:30', steps: [evt('pir-motion', t('10:00'), 'motion'), advance(t('15:29')), advance(t('15:30'))], expected: ['raised prolonged_inactivity major @15:30:00'] },
  { name: 'the night does not count, across midnight: motion 19:00 → due 08:00 next day', steps: [evt('pir-motion', t('19:00'), 'motion'), advance(t2('07:59')), advance(t2('08:00'))], expected: ['raised prolonged_inactivity major @08:00:00'] },
  { name: 'capability level 2 keeps 4 h', capabilityLevel: 2, steps: [evt('pir-motion', t('08:00'), 'motion'), advance(t('11:59'))], expected: [] },
  { name: 'capability level 3 tightens to 2 h', capabilityLevel: 3, steps: [evt('pir-motion', t('08:00'), 'motion'), advance(t('10:00'))], expected: ['raised prolonged_inactivity major @10:00:00'] },
  { name: 'capability level 4 tightens to 1 h', capabilityLevel: 4, steps: [evt('pir-motion', t('08:00'), 'motion'), advance(t('09:00'))], expected: ['raised prolonged_inactivity major @09:00:00'] },
  {
    name: 'movement after an inactivity alert clears it',
    steps: [evt('pir-motion', t('08:00'), 'motion'), advance(t('12:01')), tel('pir-motion', t('12:10'), { motionCount: 3 })],
    expected: ['raised prolonged_inactivity major @12:00:00', 'cleared prolonged_inactivity @12:10:00'],
  },
  {
    name: 'walking (the wearable step count rising) is activity, at home or out: a level-4 resident on a 90-minute walk',
    capabilityLevel: 4,
    steps: [evt('pir-motion', t('08:00'), 'motion'), ...wearable('08:01', 90, { steps: 0 }).map(withRisingSteps), advance(t('09:30'))],
    expected: [],
  },
  {
    name: 'a step count that stays the same is not activity (the band lies on the table)',
    capabilityLevel: 4,
    steps: [evt('pir-motion', t('08:00'), 'motion'), ...wearable('08:01', 90, { steps: 1200 }), advance(t('09:30'))],
    expected: ['raised prolonged_inactivity major @09:00:00'],
  },
  {
    name: 'a lower step count (the midnight reset) is not activity',
    capabilityLevel: 4,
    steps: [tel('wearable', t('07:59'), { steps: 5400 }), evt('pir-motion', t('08:00'), 'motion'), tel('wearable', t('08:30'), { steps: 0 }), advance(t('09:00'))],
    expected: ['raised prolonged_inactivity major @09:00:00'],
  },
  { name: 'radar presence without movement is not activity', steps: [evt('pir-motion', t('08:00'), 'motion'), radar(t('11:00'), 'living_room'), advance(t('12:00'))], expected: ['raised prolonged_inactivity major @12:00:00'] },
];

const geofence: Scenario[] = [
  {
    name: 'geofence on: two fixes 1 km away → major; two fixes back home → cleared',
    carePlan: { geofence: { enabled: true } },
    steps: [tel('wearable', t('15:00'), away), tel('wearable', t('15:01'), away), tel('wearable', t('15:30'), near), tel('wearable', t('15:31'), near)],
    expected: ['raised geofence_exit major @15:01:00', 'cleared geofence_exit @15:31:00'],
  },
  { name: 'geofence on: one fix away then home → nothing', carePlan: { geofence: { enabled: true } }, steps: [tel('wearable', t('15:00'), away), tel('wearable', t('15:01'), near), tel('wearable', t('15:02'), away)], expected: [] },
  { name: 'geofence off (default) → nothing', steps: [tel('wearable', t('15:00'), away), tel('wearable', t('15:01'), away)], expected: [] },
  { name: 'geofence with a 2 km plan radius → nothing at 1 km', carePlan: { geofence: { enabled: true, radiusM: 2000 } }, steps: [tel('wearable', t('15:00'), away), tel('wearable', t('15:01'), away)], expected: [] },
  { name: 'imprecise fixes are ignored', carePlan: { geofence: { enabled: true } }, steps: [tel('wearable', t('15:00'), { ...away, accuracyM: 500 }), tel('wearable', t('15:01'), { ...away, accuracyM: 500 })], expected: [] },
];

const devices: Scenario[] = [
  { name: 'fall radar offline → major; back online → cleared', steps: [offline('fall-radar', t('10:00')), online('fall-radar', t('10:30'))], expected: ['raised device_offline major @10:00:00', 'cleared device_offline @10:30:00'] },
  { name: 'door contact offline → minor', steps: [offline('door-contact', t('10:00'))], expected: ['raised device_offline minor @10:00:00'] },
  { name: 'battery 21 % → nothing', steps: [status('wearable', t('10:00'), 21)], expected: [] },
  {
    name: 'battery 20 % warning, 10 % minor, 25 % holds (hysteresis), 30 % clears',
    steps: [status('wearable', t('10:00'), 20), status('wearable', t('11:00'), 10), status('wearable', t('12:00'), 25), status('wearable', t('13:00'), 30)],
    expected: ['raised low_battery warning @10:00:00', 'updated low_battery severity_changed minor x1', 'cleared low_battery @13:00:00'],
  },
];

const snoozes: Scenario[] = [
  {
    name: 'offline snoozed until 12:00 → raised at 12:00 if still offline',
    carePlan: { suspensions: [{ kinds: ['device_offline'], until: t('12:00'), setBy: 'u-1', reason: '住院' }] },
    steps: [offline('fall-radar', t('10:00')), advance(t('11:59')), advance(t('12:00'))],
    expected: ['raised device_offline major @12:00:00'],
  },
  {
    name: 'offline snoozed until 12:00, back online at 11:00 → nothing',
    carePlan: { suspensions: [{ kinds: ['device_offline'], until: t('12:00'), setBy: 'u-1', reason: '住院' }] },
    steps: [offline('fall-radar', t('10:00')), online('fall-radar', t('11:00')), advance(t('12:30'))],
    expected: [],
  },
  {
    name: 'an expired snooze is ignored',
    carePlan: { suspensions: [{ kinds: ['device_offline'], until: t('09:00'), setBy: 'u-1', reason: '住院' }] },
    steps: [offline('fall-radar', t('10:00'))],
    expected: ['raised device_offline major @10:00:00'],
  },
  {
    // The API refuses such a snooze; a plan stored before that rule may still hold one.
    name: 'a snooze of a fall is ignored: life-safety is never muted',
    carePlan: { suspensions: [{ kinds: ['fall'], until: t('12:00'), setBy: 'u-1', reason: '康复训练' }] },
    steps: [evt('fall-radar', t('10:00'), 'fall'), advance(t('12:30'))],
    expected: ['raised fall critical @10:00:00', 'updated fall confirmed critical x1'],
  },
  {
    name: 'a gas leak during a caregiver-visit snooze of inactivity is raised at once',
    carePlan: { suspensions: [{ kinds: ['prolonged_inactivity', 'bathroom_dwell'], until: t('12:00'), setBy: 'u-1', reason: '护理员上门' }] },
    steps: [evt('gas-detector', t('10:00'), 'gas')],
    expected: ['raised gas critical @10:00:00'],
  },
  {
    name: 'a stored snooze of smoke and water leak hides neither',
    carePlan: { suspensions: [{ kinds: ['smoke', 'water_leak'], until: t('12:00'), setBy: 'u-1', reason: '装修' }] },
    steps: [evt('smoke-detector', t('10:00'), 'smoke'), evt('water-leak', t('10:05'), 'water_leak')],
    expected: ['raised smoke critical @10:00:00', 'raised water_leak major @10:05:00'],
  },
  {
    name: 'a snooze of one kind does not hide another',
    carePlan: { suspensions: [{ kinds: ['low_battery'], until: t('12:00'), setBy: 'u-1', reason: '待换电池' }] },
    steps: [evt('sos-button', t('10:00'), 'sos'), status('sos-button', t('10:00'), 5)],
    expected: ['raised sos critical @10:00:00'],
  },
];

describe('RuleEngine scenarios (Asia/Shanghai local times)', () => {
  describe.each([
    ['vital signs (NEWS2)', vitals],
    ['falls and SOS', falls],
    ['smoke, gas, water', hazards],
    ['apnea', apnea],
    ['absence rules', absence],
    ['geofence', geofence],
    ['device health', devices],
    ['snoozes', snoozes],
  ] as const)('%s', (_group, table) => {
    it.each(table.map((s) => [s.name, s] as const))('%s', (_name, s) => {
      const { engine, clock } = makeEngine({
        ...(s.carePlan ? { carePlan: s.carePlan } : {}),
        ...(s.capabilityLevel !== undefined ? { capabilityLevel: s.capabilityLevel } : {}),
      });
      expect(run(engine, clock, s.steps).map(line)).toEqual(s.expected);
    });
  });

  it('describes a vital-sign alert to caregivers in zh-CN with the rule id and thresholds', () => {
    const { engine, clock } = makeEngine();
    const [raised] = run(engine, clock, wearable('10:00', 5, { heartRate: 138 }));
    expect(raised?.alert.evidence).toMatchObject({
      ruleId: 'vitals.heartRate.window-mean',
      thresholds: { windowMs: 300_000, atOrAbove: 131, mean: 138 },
      summary: '近 5 分钟 5 次测量平均心率 138 次/分（阈值 ≥131）',
    });
    expect(raised?.alert.priority).toBe('P1');
  });

  it('says how long the resident has been out of bed', () => {
    const { engine, clock } = makeEngine();
    const [raised] = run(engine, clock, [evt('care-bed', t('02:00'), 'bed_exit'), advance(t('02:30'))]);
    expect(raised?.alert.evidence.summary).toBe('夜间离床 30 分钟未返回');
  });

  it('treats a fall after a person cleared the previous one as a new fall, awaiting confirmation again', () => {
    const { engine, clock } = makeEngine();
    const [raised] = run(engine, clock, [evt('fall-radar', t('02:00'), 'fall'), evt('wearable', t('02:00:02'), 'fall')]);
    engine.alerts.clearByPerson(raised!.alert.id, 'u-1', t('02:00:10'), '上门查看无碍');
    const again = run(engine, clock, [evt('fall-radar', t('02:00:15'), 'fall')]);
    expect(again.map(line)).toEqual(['raised fall critical @02:00:15']);
    expect(again[0]?.alert.awaitingConfirmationUntil).toBe(t('02:00:45'));
  });

  it('marks a downgraded fall as cancelled by the resident and keeps it active for review', () => {
    const { engine, clock } = makeEngine();
    const changes = run(engine, clock, [evt('wearable', t('02:00'), 'fall'), evt('sos-button', t('02:00:12'), 'im_ok')]);
    const fall = changes.at(-1)?.alert;
    expect(fall).toMatchObject({ state: 'active', severity: 'warning', priority: 'P2', downgraded: true });
    expect(fall?.downgradeReason).toContain('居民已自行取消/起身');
  });
});
