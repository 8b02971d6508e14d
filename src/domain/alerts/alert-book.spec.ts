import { AlertBook, AlertCommandError } from './alert-book.js';
import type { AlertKind, AlertTrigger, Evidence } from './alert.schema.js';

const evidence: Evidence = { ruleId: 'test', ruleVersion: 1, thresholds: {}, samples: [], summary: '测试' };

function makeBook() {
  let n = 0;
  return new AlertBook({ clock: { now: () => 1_000 }, ids: () => `a-${++n}` });
}

function trigger(kind: AlertKind, overrides: Partial<AlertTrigger> = {}): AlertTrigger {
  return { kind, residentId: 'r-1', homeId: 'h-1', deviceId: 'd-1', severity: 'critical', priority: 'P1', at: 100, evidence, ...overrides };
}

describe('AlertBook', () => {
  it('updates count and lastTriggeredAt on a repeated trigger instead of raising again', () => {
    const book = makeBook();
    book.trigger(trigger('sos', { at: 100 }));
    const [change] = book.trigger(trigger('sos', { at: 200 }));
    expect(change).toMatchObject({ type: 'AlertUpdated', reason: 'retriggered', alert: { id: 'a-1', count: 2, firstRaisedAt: 100, lastTriggeredAt: 200 } });
    expect(book.active()).toHaveLength(1);
  });

  it('keeps one active alert per vital and per device for device-level kinds', () => {
    const book = makeBook();
    book.trigger(trigger('vitals_out_of_range', { vital: 'heartRate' }));
    book.trigger(trigger('vitals_out_of_range', { vital: 'spo2' }));
    book.trigger(trigger('device_offline', { deviceId: 'd-1' }));
    book.trigger(trigger('device_offline', { deviceId: 'd-2' }));
    expect(book.active()).toHaveLength(4);
  });

  it.each<[AlertKind, 'AlertCleared' | 'AlertUpdated']>([
    ['vitals_out_of_range', 'AlertCleared'],
    ['device_offline', 'AlertCleared'],
    ['low_battery', 'AlertCleared'],
    ['water_leak', 'AlertCleared'],
    ['fall', 'AlertUpdated'],
    ['sos', 'AlertUpdated'],
    ['smoke', 'AlertUpdated'],
    ['gas', 'AlertUpdated'],
    ['apnea', 'AlertUpdated'],
  ])('when the condition of a %s alert ends the machine emits %s', (kind, type) => {
    const book = makeBook();
    book.trigger(trigger(kind, kind === 'vitals_out_of_range' ? { vital: 'heartRate' } : {}));
    const subject = { kind, vital: kind === 'vitals_out_of_range' ? ('heartRate' as const) : null, residentId: 'r-1', homeId: 'h-1', deviceId: 'd-1' };
    const [change] = book.endCondition(subject, 300, 'ended');
    expect(change?.type).toBe(type);
    expect(book.active()).toHaveLength(type === 'AlertCleared' ? 0 : 1);
  });

  it('keeps a fall awaiting confirmation (待确认) until it is confirmed, once', () => {
    const book = makeBook();
    const [raised] = book.trigger(trigger('fall', { awaitingConfirmationUntil: 30_100 }));
    expect(raised?.alert.awaitingConfirmationUntil).toBe(30_100);
    const subject = { kind: 'fall' as const, residentId: 'r-1', homeId: 'h-1', deviceId: 'd-1' };
    const [confirmed] = book.confirm(subject, '30 秒内未起身');
    expect(confirmed).toMatchObject({ type: 'AlertUpdated', reason: 'confirmed', alert: { awaitingConfirmationUntil: null, severity: 'critical' } });
    expect(confirmed?.alert.evidence.summary).toBe('测试；30 秒内未起身');
    expect(book.confirm(subject, 'again')).toEqual([]);
  });

  it('ends the wait of a fall the resident got up from: self-recovered, nothing left to confirm', () => {
    const book = makeBook();
    book.trigger(trigger('fall', { awaitingConfirmationUntil: 30_100 }));
    const subject = { kind: 'fall' as const, residentId: 'r-1', homeId: 'h-1', deviceId: 'd-1' };
    const [down] = book.downgrade(subject, '跌倒后 12 秒雷达检测到站立');
    expect(down?.alert).toMatchObject({ downgraded: true, awaitingConfirmationUntil: null, severity: 'warning', priority: 'P2' });
    expect(book.confirm(subject, 'late')).toEqual([]);
  });

  it('keeps one alert per episode: a condition back within the merge window re-opens it; one that stays away clears at its end', () => {
    const book = makeBook();
    const subject = { kind: 'prolonged_inactivity' as const, residentId: 'r-1', homeId: 'h-1', deviceId: null };
    const MERGE = 15 * 60_000;
    book.trigger(trigger('prolonged_inactivity', { deviceId: null, at: 0 }));
    expect(book.endCondition(subject, 2 * 60_000, '已检测到活动', MERGE)).toMatchObject([{ type: 'AlertUpdated', reason: 'condition_ended', alert: { state: 'active' } }]);
    expect(book.settleEnded({ residentId: 'r-1', homeId: 'h-1' }, 2 * 60_000 + MERGE - 1, MERGE)).toEqual([]);
    const [back] = book.trigger(trigger('prolonged_inactivity', { deviceId: null, at: 7 * 60_000 }));
    expect(back?.alert).toMatchObject({ id: 'a-1', count: 2, flaps: 1, conditionEndedAt: null, clearNote: null });
    book.endCondition(subject, 9 * 60_000, '已检测到活动', MERGE);
    const [cleared] = book.settleEnded({ residentId: 'r-1', homeId: 'h-1' }, 9 * 60_000 + MERGE, MERGE);
    expect(cleared).toMatchObject({ type: 'AlertCleared', alert: { id: 'a-1', state: 'cleared', clearedAt: 9 * 60_000, clearNote: '已检测到活动', count: 2, flaps: 1 } });
    expect(book.active()).toEqual([]);
  });

  it('clears a fall only by a person, who thereby acknowledges it', () => {
    const book = makeBook();
    book.trigger(trigger('fall'));
    const [cleared] = book.clearByPerson('a-1', 'u-9', 500, '上门确认无碍');
    expect(cleared).toMatchObject({ type: 'AlertCleared', by: 'u-9', alert: { state: 'cleared', clearedBy: 'u-9', acknowledged: true, clearNote: '上门确认无碍' } });
    expect(() => book.clearByPerson('a-1', 'u-9', 600, 'again')).toThrow(AlertCommandError);
  });

  it('acknowledges once, and keeps a machine-cleared alert until someone acknowledges it', () => {
    const book = makeBook();
    book.trigger(trigger('low_battery'));
    book.endCondition({ kind: 'low_battery', residentId: 'r-1', homeId: 'h-1', deviceId: 'd-1' }, 300, 'charged');
    expect(book.get('a-1')?.state).toBe('cleared');
    expect(book.acknowledge('a-1', 'u-1', 400)).toHaveLength(1);
    expect(book.get('a-1')).toBeUndefined();
    expect(() => book.acknowledge('a-1', 'u-1', 500)).toThrow(AlertCommandError);
  });

  it('downgrades a fall to warning/P2 and keeps it active; a new fall re-escalates it', () => {
    const book = makeBook();
    book.trigger(trigger('fall'));
    const [down] = book.downgrade({ kind: 'fall', residentId: 'r-1', homeId: 'h-1', deviceId: 'd-1' }, '居民已自行取消/起身');
    expect(down).toMatchObject({ type: 'AlertDowngraded', alert: { state: 'active', severity: 'warning', priority: 'P2', downgraded: true } });
    const [up] = book.trigger(trigger('fall', { at: 900 }));
    expect(up?.alert).toMatchObject({ severity: 'critical', priority: 'P1', downgraded: false, count: 2 });
  });

  it('round-trips through snapshot/restore', () => {
    const book = makeBook();
    book.trigger(trigger('smoke'));
    const copy = makeBook();
    copy.restore(JSON.parse(JSON.stringify(book.snapshot())));
    expect(copy.active()).toEqual(book.active());
  });
});
