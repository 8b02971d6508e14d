import { describe, expect, it } from '@jest/globals';
import { advancePosition, replayFrom, replayStepOf, type ReplayStart } from './rule-replay.js';

describe('replaying the inbox into the rule engine after a restart', () => {
  it.each<[string, ReplayStart, number]>([
    ['reads after the last message the snapshot includes', { snapshotThrough: 100, alertsThrough: 104 }, 100],
    ['reads the whole inbox when there is no snapshot', { snapshotThrough: null, alertsThrough: null }, 0],
    ['reads the whole inbox under a snapshot from before positions were recorded', { snapshotThrough: null, alertsThrough: 7 }, 0],
  ])('%s', (_, start, from) => {
    expect(replayFrom(start)).toBe(from);
  });

  // snapshot through #100; alert changes stored through #104
  const start: ReplayStart = { snapshotThrough: 100, alertsThrough: 104 };
  it.each<[number, string]>([
    [99, 'covered'],
    [100, 'covered'],
    [101, 'rebuild'],
    [104, 'rebuild'],
    [105, 'apply'],
  ])('message #%i after a snapshot through #100 and alerts stored through #104: %s', (inboxId, step) => {
    expect(replayStepOf(inboxId, start)).toBe(step);
  });

  it.each<[string, ReplayStart, number, string]>([
    ['evaluates as live what follows the snapshot when no alert change was stored after it', { snapshotThrough: 100, alertsThrough: 90 }, 101, 'apply'],
    ['evaluates as live when no alert change was ever stored', { snapshotThrough: 100, alertsThrough: null }, 101, 'apply'],
    ['only rebuilds, on a fresh snapshot-less start, what SQL already holds the alerts of', { snapshotThrough: null, alertsThrough: 3 }, 2, 'rebuild'],
  ])('%s', (_, s, inboxId, step) => {
    expect(replayStepOf(inboxId, s)).toBe(step);
  });

  it('moves the position to the highest inbox id applied; events without one leave it', () => {
    expect([undefined, 5, 3, undefined, 9].reduce<number>((p, id) => advancePosition(p, id), 0)).toBe(9);
  });
});
