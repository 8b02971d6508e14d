/**
 * A home catching up on a backlog (issue 11, point 1): after an outage its
 * devices upload a buffered day within minutes. Absence rules judge it on the
 * devices' own timeline, and what starts and ends inside the backlog is
 * history, not a page; what is still open at the newest reading is
 * dispatched once the home has caught up, with its device-time start.
 * The server-time ticks between the uploads are in the steps: they are what
 * used to raise the alert storm.
 */
import type { AlertChange } from '../alerts/alert.schema.js';
import { advance, describe as line, makeEngine, run, sh, tel, type Step } from './rule-engine.test-factory.js';

const t = (hm: string): number => sh(`2025-01-15 ${hm}`);
const MIN = 60_000;

/** The PIR's readings of a day, as a batch uploaded from `uploadAt` on (10 ms apart), each followed by a server-time tick. */
function backlog(readings: readonly { at: string; motion: number }[], uploadAt: number): Step[] {
  return readings.flatMap((r, i) => {
    const receivedAt = uploadAt + i * 10;
    return [tel('pir-motion', t(r.at), { motionCount: r.motion }, { receivedAt, buffered: true }), advance(receivedAt)];
  });
}

/** Every `everyMin` minutes from `from` to `to` (local, same day), no movement. */
function quiet(from: string, to: string, everyMin = 10): { at: string; motion: number }[] {
  const out: { at: string; motion: number }[] = [];
  for (let ts = t(from); ts <= t(to); ts += everyMin * MIN) {
    const d = new Date(ts + 8 * 3_600_000);
    out.push({ at: d.toISOString().slice(11, 19), motion: 0 });
  }
  return out;
}

// Inactivity: 4 h of active time (the 13:00–14:30 nap does not count).
// Episode 1: moved 06:40 → due 10:40, moved again 11:00. Episode 2: due 16:30
// (11:00 + 2 h + the nap + 2 h), moved 17:00. Episode 3: due 21:00, still open
// at the newest reading, 21:10.
const DAY = [
  { at: '06:40', motion: 1 },
  ...quiet('06:50', '10:50'),
  { at: '11:00', motion: 1 },
  ...quiet('11:10', '16:50'),
  { at: '17:00', motion: 1 },
  ...quiet('17:10', '21:10'),
];

const held = (changes: readonly AlertChange[]): boolean[] => changes.filter((c) => c.type === 'AlertRaised').map((c) => c.alert.heldForCatchUp);

describe('RuleEngine: a home catching up on a buffered day', () => {
  it('keeps episodes that ended inside the backlog as history and dispatches the one still open once it has caught up, at its device time', () => {
    const { engine, clock } = makeEngine();
    const uploadAt = t('21:15');
    const changes = run(engine, clock, [...backlog(DAY, uploadAt), advance(uploadAt + 30_000), advance(uploadAt + 2 * MIN)]);
    expect(changes.map(line)).toEqual([
      'raised prolonged_inactivity major @10:40:00',
      'cleared prolonged_inactivity @11:00:00',
      'raised prolonged_inactivity major @16:30:00',
      'cleared prolonged_inactivity @17:00:00',
      'raised prolonged_inactivity major @21:00:00',
      // The upload stalled for a minute: beyond the newest reading, server time rules again.
      'updated prolonged_inactivity caught_up major x1',
    ]);
    expect(held(changes)).toEqual([true, true, true]);
    const history = changes.filter((c) => c.type === 'AlertCleared').map((c) => c.alert);
    expect(history.map((a) => [a.firstRaisedAt, a.clearedAt])).toEqual([
      [t('10:40'), t('11:00')],
      [t('16:30'), t('17:00')],
    ]);
    expect(history.every((a) => a.clearNote === '已检测到活动（补传数据中已结束，未派单）')).toBe(true);
    const released = changes.at(-1)?.alert;
    expect(released).toMatchObject({ state: 'active', heldForCatchUp: false, firstRaisedAt: t('21:00') });
    expect(released?.evidence.summary).toContain('补传数据已追平');
    expect(engine.alerts.active()).toHaveLength(1);
  });

  it('releases what it held as soon as a reading arrives in time', () => {
    const { engine, clock } = makeEngine();
    const uploadAt = t('21:15');
    const live: Step = tel('pir-motion', t('21:15:30'), { motionCount: 0 }, { receivedAt: t('21:15:30') });
    const changes = run(engine, clock, [...backlog(DAY, uploadAt), live]);
    expect(changes.map(line).slice(-2)).toEqual(['raised prolonged_inactivity major @21:00:00', 'updated prolonged_inactivity caught_up major x1']);
  });

  it('pages nothing for a backlog whose every episode ended inside it', () => {
    const { engine, clock } = makeEngine();
    const uploadAt = t('18:00');
    const day = [...DAY.filter((r) => r.at <= '17:00'), { at: '17:10', motion: 1 }];
    const changes = run(engine, clock, [...backlog(day, uploadAt), advance(uploadAt + 2 * MIN)]);
    expect(changes.filter((c) => c.type === 'AlertUpdated' && c.reason === 'caught_up')).toEqual([]);
    expect(engine.alerts.active()).toEqual([]);
  });

  it('does not count a device whose clock runs behind as catching up for ever', () => {
    const { engine, clock } = makeEngine();
    // Every reading 10 minutes behind its arrival, one a minute; nobody moves after 06:40.
    const steps: Step[] = [];
    for (let ts = t('06:40'); ts <= t('11:20'); ts += MIN) {
      steps.push(tel('pir-motion', ts, { motionCount: ts === t('06:40') ? 1 : 0 }, { receivedAt: ts + 10 * MIN }), advance(ts + 10 * MIN));
    }
    const changes = run(engine, clock, steps);
    const raised = changes.find((c) => c.type === 'AlertRaised');
    const released = changes.find((c) => c.type === 'AlertUpdated' && c.reason === 'caught_up');
    // It looked like a backlog for its first 15 minutes (the longest a catch-up lasts); long before the
    // silence was 4 h it counted as live again, so the alert was raised unheld, at once.
    expect(raised?.alert.heldForCatchUp).toBe(false);
    expect(released).toBeUndefined();
    expect(raised?.alert.firstRaisedAt).toBe(t('10:40'));
  });
});
