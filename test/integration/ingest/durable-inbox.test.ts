import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableInbox, InboxFullError, type InboxEntry } from '../../../src/ingest/durable-inbox.js';
import { TelemetryForwarder, type ForwarderMetrics } from '../../../src/ingest/telemetry-forwarder.js';
import { silentLogger } from '../../../src/observability/logger.js';
import type { TelemetryPoint, TelemetryStore } from '../../../src/telemetry/telemetry.store.js';

const T0 = 1_764_300_000_000;

function entry(overrides: Partial<InboxEntry> = {}): InboxEntry {
  const seq = overrides.seq ?? 1;
  const point: TelemetryPoint = { measurement: 'vitals', tags: { deviceId: 'bed-1', deviceType: 'care-bed' }, ts: T0 + seq, fields: { heartRate: 70 } };
  return { deviceId: 'bed-1', seq, ts: T0 + seq, receivedAt: T0 + seq, body: JSON.stringify([point]), ...overrides };
}

/** A telemetry store at the edge of the process: records writes, fails on demand. */
class RecordingStore implements TelemetryStore {
  points: TelemetryPoint[] = [];
  failing: 'no' | 'transient' | ((p: TelemetryPoint) => boolean) = 'no';
  write(points: readonly TelemetryPoint[]): Promise<void> {
    if (this.failing === 'transient') return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { retryable: true }));
    const refuse = this.failing;
    if (typeof refuse === 'function' && points.some(refuse)) return Promise.reject(Object.assign(new Error('400 bad line'), { retryable: false }));
    this.points.push(...points);
    return Promise.resolve();
  }
  latest() { return Promise.resolve([]); }
  range() { return Promise.resolve([]); }
  rangeBySource() { return Promise.resolve([]); }
  ping() { return Promise.resolve(true); }
  close() { return Promise.resolve(); }
}

const countingMetrics = (): ForwarderMetrics & { errors: boolean[]; dead: number } => {
  const m = { errors: [] as boolean[], dead: 0, written() {}, lag() {}, writeError(r: boolean) { m.errors.push(r); }, deadLettered() { m.dead++; } };
  return m;
};

describe('DurableInbox', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'anxin-inbox-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = (maxBacklog = 1_000) => new DurableInbox({ path: join(dir, 'inbox.db'), maxBacklog, dedupRetentionMs: 60_000 });

  it('commits concurrent appends in one group and answers each caller for its own entries', async () => {
    const inbox = open();
    const [a, b] = await Promise.all([inbox.append([entry({ seq: 1 }), entry({ seq: 2 })]), inbox.append([entry({ seq: 3 })])]);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([3]);
    expect(inbox.backlog()).toBe(3);
    inbox.close();
  });

  it('recognises a redelivered message by device, ts and seq and stores it once', async () => {
    const inbox = open();
    await inbox.append([entry({ seq: 7 })]);
    expect(await inbox.append([entry({ seq: 7 }), entry({ seq: 8 })])).toEqual([null, 2]);
    expect(inbox.readUnforwarded(10).map((r) => r.seq)).toEqual([7, 8]);
    inbox.close();
  });

  it('keeps committed and unforwarded rows across a reopen, and the forwarded cursor too', async () => {
    const first = open();
    await first.append([entry({ seq: 1 }), entry({ seq: 2 }), entry({ seq: 3 })]);
    first.markForwarded(first.readUnforwarded(1)[0]!.id);
    first.close();
    const second = open();
    expect(second.backlog()).toBe(2);
    expect(second.readUnforwarded(10).map((r) => r.seq)).toEqual([2, 3]);
    second.close();
  });

  it('refuses appends beyond its backlog limit instead of dropping anything', async () => {
    const inbox = open(2);
    await inbox.append([entry({ seq: 1 }), entry({ seq: 2 })]);
    await expect(inbox.append([entry({ seq: 3 })])).rejects.toBeInstanceOf(InboxFullError);
    expect(inbox.backlog()).toBe(2);
    inbox.close();
  });

  it('prunes only forwarded rows older than the de-duplication horizon', async () => {
    const inbox = open();
    await inbox.append([entry({ seq: 1, receivedAt: T0 }), entry({ seq: 2, receivedAt: T0 })]);
    inbox.markForwarded(inbox.readUnforwarded(1)[0]!.id);
    inbox.markEvaluated(2);
    expect(inbox.prune(T0 + 61_000)).toBe(1);
    expect(inbox.readUnforwarded(10).map((r) => r.seq)).toEqual([2]);
    inbox.close();
  });

  it('keeps rows no rule-engine snapshot covers yet, forwarded or not, for the replay after a crash', async () => {
    const inbox = open();
    await inbox.append([entry({ seq: 1, receivedAt: T0, replay: '{"m":1}' }), entry({ seq: 2, receivedAt: T0, replay: '{"m":2}' })]);
    inbox.markForwarded(2);
    inbox.markEvaluated(1);
    expect(inbox.prune(T0 + 61_000)).toBe(1);
    expect(inbox.readReplayAfter(0, 10)).toEqual([{ id: 2, deviceId: 'bed-1', receivedAt: T0, replay: '{"m":2}' }]);
    inbox.close();
  });

  it('opens an inbox written before replay: old rows read as not replayable, and do not hold back pruning', async () => {
    const old = new Database(join(dir, 'inbox.db'));
    old.exec(`
      CREATE TABLE inbox (id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, received_at INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE UNIQUE INDEX inbox_identity ON inbox (device_id, ts, seq);
      CREATE TABLE inbox_cursor (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
      INSERT INTO inbox_cursor (name, last_id) VALUES ('forwarded', 1);
      INSERT INTO inbox (device_id, seq, ts, received_at, body) VALUES ('bed-1', 1, ${T0 + 1}, ${T0}, '[]');
    `);
    old.close();
    const inbox = open();
    await inbox.append([entry({ seq: 2, receivedAt: T0, replay: '{"m":2}' })]);
    expect(inbox.readReplayAfter(0, 10).map((r) => [r.id, r.replay])).toEqual([
      [1, null],
      [2, '{"m":2}'],
    ]);
    expect(inbox.prune(T0 + 61_000)).toBe(1);
    inbox.close();
  });
});

describe('TelemetryForwarder', () => {
  let dir: string;
  let inbox: DurableInbox;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-fwd-'));
    inbox = new DurableInbox({ path: join(dir, 'inbox.db'), maxBacklog: 100_000, dedupRetentionMs: 60_000 });
  });
  afterEach(() => { inbox.close(); rmSync(dir, { recursive: true, force: true }); });
  const options = { batchSize: 4, idleMs: 5, minBackoffMs: 5, maxBackoffMs: 20 };

  it('moves every committed message to the store in order and empties the backlog', async () => {
    const store = new RecordingStore();
    await inbox.append(Array.from({ length: 10 }, (_, i) => entry({ seq: i + 1 })));
    await new TelemetryForwarder(inbox, store, countingMetrics(), silentLogger, Date.now, options).drain();
    expect(store.points.map((p) => p.ts)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i + 1));
    expect(inbox.backlog()).toBe(0);
  });

  it('keeps the rows while the store is down and delivers them once it is back', async () => {
    const store = new RecordingStore();
    store.failing = 'transient';
    const metrics = countingMetrics();
    const forwarder = new TelemetryForwarder(inbox, store, metrics, silentLogger, Date.now, options);
    await inbox.append([entry({ seq: 1 }), entry({ seq: 2 })]);
    forwarder.start();
    await new Promise((r) => setTimeout(r, 60));
    expect(inbox.backlog()).toBe(2);
    expect(metrics.errors.length).toBeGreaterThan(0);
    store.failing = 'no';
    await new Promise((r) => setTimeout(r, 60));
    await forwarder.stop();
    expect(store.points).toHaveLength(2);
    expect(inbox.backlog()).toBe(0);
  });

  it('sets aside a point the store refuses for good and forwards the rest of its batch', async () => {
    const store = new RecordingStore();
    store.failing = (p) => p.ts === T0 + 3;
    const metrics = countingMetrics();
    await inbox.append(Array.from({ length: 6 }, (_, i) => entry({ seq: i + 1 })));
    await new TelemetryForwarder(inbox, store, metrics, silentLogger, Date.now, options).drain();
    expect(store.points.map((p) => p.ts - T0)).toEqual([1, 2, 4, 5, 6]);
    expect(metrics.dead).toBe(1);
    expect(inbox.deadLetterCount()).toBe(1);
    expect(inbox.backlog()).toBe(0);
  });
});
