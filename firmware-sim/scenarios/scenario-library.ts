/**
 * The scenario library: ground truth as data. Windows leave room for the
 * platform's rule windows (vitals: 5-min mean, 4 samples; lateness 2 min) and
 * are checked against the alert's `firstRaisedAt`. Thresholds are the
 * platform's defaults (NEWS2 pulse ≥ 131 / ≤ 40, apnea 5 per hour, bed exit
 * 30 min, bathroom 45 min, wandering 15 min, inactivity 4 h outside the rest
 * periods 13:00–14:30 and 21:30–06:30, battery ≤ 20 %).
 */
import type { ScenarioDefinition } from './scenario.js';

const NONE = [] as const;

export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: 'normal-day',
    title: 'A normal day: sleep, meals, a walk on most days, a nap',
    requires: NONE,
    steps: NONE,
    expect: NONE,
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'fall-at-night',
    title: 'Gets up at 02:00, falls in the bathroom at 02:06 and lies there until 05:30',
    requires: ['fall-radar', 'wearable', 'care-bed'],
    steps: [
      { do: 'activity', from: '01:50', to: '02:00', activity: 'sleep' },
      { do: 'activity', from: '02:00', to: '02:06', activity: 'bathroom' },
      { do: 'activity', from: '02:06', to: '05:30', activity: 'fallen', zone: 'bathroom' },
      { do: 'activity', from: '05:30', to: '06:20', activity: 'sleep' },
      { do: 'event', at: '02:06:00', device: 'fall-radar', body: { event: 'fall', confidence: 0.93, zone: 'bathroom' } },
      { do: 'event', at: '02:06:01', device: 'wearable', body: { event: 'fall', confidence: 0.88 } },
    ],
    expect: [
      { kind: 'fall', from: '02:06', to: '02:10', severity: 'critical', note: 'radar and wearable fall, not cancelled within 30 s' },
      { kind: 'bed_exit_no_return', from: '02:30', to: '02:45', note: 'out of bed since 02:00' },
    ],
    forbid: NONE,
    // Lying in the bathroom also makes these true; whether they are raised next to an open fall is the platform's policy.
    tolerate: ['bathroom_dwell', 'prolonged_inactivity'],
  },
  {
    name: 'fall-false-alarm',
    title: 'Stumbles at 10:40, gets up and presses "I\'m OK" within 20 s',
    requires: ['fall-radar', 'wearable'],
    steps: [
      { do: 'activity', from: '09:30', to: '11:15', activity: 'living' },
      { do: 'activity', from: '10:40:00', to: '10:40:15', activity: 'fallen', zone: 'living_room' },
      { do: 'event', at: '10:40:00', device: 'fall-radar', body: { event: 'fall', confidence: 0.81, zone: 'living_room' } },
      { do: 'event', at: '10:40:01', device: 'wearable', body: { event: 'fall', confidence: 0.78 } },
      { do: 'event', at: '10:40:18', device: 'wearable', body: { event: 'im_ok' } },
    ],
    expect: NONE,
    forbid: [{ kind: 'fall', severities: ['critical'], note: 'cancelled within the 30 s window: must be downgraded' }],
    tolerate: ['fall'],
  },
  {
    name: 'sos',
    title: 'Presses the SOS button at 10:20',
    requires: ['sos-button'],
    steps: [
      { do: 'activity', from: '10:00', to: '11:00', activity: 'living' },
      { do: 'event', at: '10:20:00', device: 'sos-button', body: { event: 'sos' } },
    ],
    expect: [{ kind: 'sos', from: '10:20', to: '10:23', note: 'SOS press' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'tachycardia',
    title: 'Heart rate 136–146 bpm from 15:00 to 15:15, at rest',
    requires: ['wearable'],
    steps: [
      { do: 'activity', from: '14:40', to: '15:40', activity: 'living' },
      { do: 'vitals', from: '15:00', to: '15:15', heartRate: [136, 146] },
    ],
    expect: [{ kind: 'vitals_out_of_range', from: '15:00', to: '15:20', severity: 'critical', note: 'NEWS2 pulse ≥ 131 sustained' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'bradycardia',
    title: 'Heart rate 34–38 bpm from 03:00 to 03:15, asleep',
    requires: ['care-bed'],
    steps: [
      { do: 'activity', from: '02:30', to: '04:00', activity: 'sleep' },
      { do: 'vitals', from: '03:00', to: '03:15', heartRate: [34, 38] },
    ],
    expect: [{ kind: 'vitals_out_of_range', from: '03:00', to: '03:20', severity: 'critical', note: 'NEWS2 pulse ≤ 40 sustained' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'apnea',
    title: 'Eight apnea episodes of 15–45 s between 02:00 and 03:00',
    requires: ['care-bed'],
    steps: [
      { do: 'activity', from: '01:00', to: '04:00', activity: 'sleep' },
      { do: 'apnea', from: '02:00', to: '03:00', count: 8, durationS: [15, 45] },
    ],
    expect: [{ kind: 'apnea', from: '02:00', to: '03:05', repeats: true, note: '≥ 5 episodes within an hour of sleep' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'bed-exit-no-return',
    title: 'Leaves bed at 01:30 and sits in the living room until 05:00',
    requires: ['care-bed'],
    steps: [
      { do: 'activity', from: '01:00', to: '01:30', activity: 'sleep' },
      { do: 'activity', from: '01:30', to: '05:00', activity: 'living' },
      { do: 'activity', from: '05:00', to: '06:20', activity: 'sleep' },
    ],
    expect: [{ kind: 'bed_exit_no_return', from: '02:00', to: '02:15', note: 'no return within 30 min at night' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'prolonged-inactivity',
    title: 'Sits without moving from 08:00 to 12:45',
    requires: ['pir-motion'],
    steps: [{ do: 'activity', from: '08:00', to: '12:45', activity: 'still' }],
    // The last movement reported before 08:00 may be up to a PIR interval (60 s) earlier.
    expect: [{ kind: 'prolonged_inactivity', from: '11:59', to: '12:20', note: 'no movement for 4 h in the daytime' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'bathroom-dwell',
    title: 'In the bathroom from 10:00 to 11:05',
    requires: ['fall-radar'],
    steps: [
      { do: 'activity', from: '09:30', to: '10:00', activity: 'living' },
      { do: 'activity', from: '10:00', to: '11:05', activity: 'bathroom' },
    ],
    expect: [{ kind: 'bathroom_dwell', from: '10:45', to: '11:00', note: 'more than 45 min in the bathroom' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'night-wandering',
    title: 'Leaves home at 02:04, walks 1.5 km away, back at 03:10',
    requires: ['door-contact', 'wearable', 'care-bed'],
    steps: [
      { do: 'activity', from: '01:00', to: '02:00', activity: 'sleep' },
      { do: 'activity', from: '02:00', to: '02:04', activity: 'living' },
      { do: 'activity', from: '02:04', to: '03:10', activity: 'out', outing: { bearingDeg: 60, maxDistM: 1_500 } },
      { do: 'activity', from: '03:10', to: '03:20', activity: 'living' },
      { do: 'activity', from: '03:20', to: '06:20', activity: 'sleep' },
    ],
    expect: [
      { kind: 'night_wandering', from: '02:19', to: '02:35', note: 'door opened at night, no return within 15 min' },
      { kind: 'bed_exit_no_return', from: '02:30', to: '02:45', note: 'out of bed since 02:00' },
    ],
    forbid: NONE,
    // Geofences are off by default (no radius configured); a district that sets one gets this too.
    tolerate: ['geofence_exit'],
  },
  {
    name: 'smoke',
    title: 'Smoke in the kitchen at 18:00 (a pot left on the stove), cleared at 18:21',
    requires: ['smoke-detector'],
    steps: [
      { do: 'activity', from: '17:30', to: '18:30', activity: 'kitchen' },
      { do: 'environment', from: '18:00', to: '18:21', metric: 'smokeObscuration', value: [5, 8] },
      { do: 'event', at: '18:00:30', device: 'smoke-detector', body: { event: 'smoke', obscuration: 6.2 } },
      { do: 'event', at: '18:21:00', device: 'smoke-detector', body: { event: 'smoke_cleared' } },
    ],
    expect: [{ kind: 'smoke', from: '18:00', to: '18:05', note: 'smoke alarm' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'gas',
    title: 'Gas leak at 11:40 (burner blown out), cleared at 12:06',
    requires: ['gas-detector'],
    steps: [
      { do: 'environment', from: '11:40', to: '12:06', metric: 'gasLel', value: [12, 20] },
      { do: 'event', at: '11:40:20', device: 'gas-detector', body: { event: 'gas', lel: 15 } },
      { do: 'event', at: '12:06:00', device: 'gas-detector', body: { event: 'gas_cleared' } },
    ],
    expect: [{ kind: 'gas', from: '11:40', to: '11:45', note: 'gas alarm' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'water-leak',
    title: 'Water on the bathroom floor from 09:00 to 10:30',
    requires: ['water-leak'],
    steps: [
      { do: 'event', at: '09:00:00', device: 'water-leak', body: { event: 'water_leak' } },
      { do: 'event', at: '10:30:00', device: 'water-leak', body: { event: 'water_leak_cleared' } },
    ],
    expect: [{ kind: 'water_leak', from: '09:00', to: '09:05', note: 'leak probe wet' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'low-battery',
    title: 'The door contact\'s battery falls from 16 % to 8 % during the day',
    requires: ['door-contact'],
    steps: [{ do: 'battery', device: 'door-contact', from: '00:00', to: '24:00', level: [16, 8] }],
    expect: [{ kind: 'low_battery', from: '00:00', to: '00:30', note: 'battery ≤ 20 %' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'device-offline',
    title: 'The fall radar loses power at 10:00 and stays off',
    requires: ['fall-radar'],
    steps: [{ do: 'power_off', device: 'fall-radar', at: '10:00' }],
    expect: [{ kind: 'device_offline', from: '10:00', to: '10:30', timeBase: 'server', note: 'last will, then no heartbeat' }],
    forbid: NONE,
    tolerate: NONE,
  },
  {
    name: 'flapping-connection',
    title: 'The wearable\'s connection drops every 3–6 min from 09:00 to 12:00, losing no data',
    requires: ['wearable'],
    steps: [{ do: 'flapping', device: 'wearable', from: '09:00', to: '12:00', upS: [180, 360], downS: [20, 60] }],
    expect: NONE,
    forbid: NONE,
    // Each drop fires the last will; whether a 20–60 s absence is worth an alert is the platform's policy.
    tolerate: ['device_offline'],
  },
];

export function findScenario(name: string): ScenarioDefinition {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}
