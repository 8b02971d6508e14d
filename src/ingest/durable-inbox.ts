/**
 * The durable inbox: every accepted uplink message is committed here before
 * the device gets its PUBACK, and forwarded to the telemetry store from here.
 *
 * Why not the InfluxDB client's own retry buffer: it lives in memory and drops
 * lines after a few minutes (TOOLCHAIN.md), so an outage longer than that, or
 * a crash, would lose messages the device already considers delivered.
 *
 * Durability and speed: appends are group-committed. Callers queue entries and
 * await a promise; one SQLite transaction per event-loop turn commits all that
 * queued meanwhile (WAL, synchronous=FULL, so a commit survives power loss).
 * Under load the groups grow by themselves: while one commit runs, the next
 * group fills.
 *
 * Idempotency: (device_id, ts, seq) is unique, so a QoS 1 redelivery or a
 * re-uploaded batch is recognised and not forwarded twice. Forwarded rows are
 * kept for `dedupRetentionMs` to remember them, then pruned.
 *
 * Replay: each row also keeps the accepted message itself (`replay`, opaque
 * here), so the rule engine can be fed again, after a crash, everything
 * accepted after its last snapshot. A row is pruned only once it is forwarded,
 * past the de-duplication horizon AND covered by a stored rule-engine snapshot
 * (`markEvaluated`). Rows written before this column existed have no `replay`
 * (NULL): they cannot be replayed, and the reader says so.
 */
import Database from 'better-sqlite3';

export interface InboxEntry {
  readonly deviceId: string;
  readonly seq: number;
  readonly ts: number;
  readonly receivedAt: number;
  /** Opaque to the inbox: the forwarder's serialized payload (JSON). */
  readonly body: string;
  /** Opaque to the inbox: the accepted message, serialized for a replay into the rules (JSON). */
  readonly replay?: string;
}

export interface InboxRow extends InboxEntry {
  readonly id: number;
}

/** A row as the rules' replay reads it; `replay` is null for rows from before the column existed. */
export interface InboxReplayRow {
  readonly id: number;
  readonly deviceId: string;
  readonly receivedAt: number;
  readonly replay: string | null;
}

export interface DurableInboxOptions {
  /** SQLite file; ':memory:' only in unit tests (no durability). */
  readonly path: string;
  /** Refuse new entries beyond this many unforwarded rows (backpressure, not loss). */
  readonly maxBacklog: number;
  /** How long forwarded rows are remembered for de-duplication. */
  readonly dedupRetentionMs: number;
  /** Most entries committed in one transaction. */
  readonly maxGroup?: number;
}

/** The inbox is full: the caller must not acknowledge, so the device keeps the data. */
export class InboxFullError extends Error {
  constructor(backlog: number) {
    super(`durable inbox full (${backlog} unforwarded messages): not acknowledging until the telemetry store catches up`);
    this.name = 'InboxFullError';
  }
}

interface Pending {
  readonly entries: readonly InboxEntry[];
  readonly resolve: (ids: (number | null)[]) => void;
  readonly reject: (error: unknown) => void;
}

export class DurableInbox {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly commitGroup: (entries: readonly InboxEntry[]) => (number | null)[];
  private readonly selectAfter: Database.Statement;
  private readonly selectReplayAfter: Database.Statement;
  private readonly setCursor: Database.Statement;
  private readonly setEvaluated: Database.Statement;
  private readonly maxGroup: number;
  private queue: Pending[] = [];
  private queued = 0;
  private flushScheduled = false;
  private cursor: number;
  private evaluated: number;
  private lastId: number;
  private closed = false;

  constructor(private readonly options: DurableInboxOptions) {
    this.maxGroup = options.maxGroup ?? 5_000;
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed group survives power loss, not just a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS inbox (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        body TEXT NOT NULL,
        replay TEXT
      );
      CREATE UNIQUE INDEX IF NOT EXISTS inbox_identity ON inbox (device_id, ts, seq);
      CREATE TABLE IF NOT EXISTS inbox_cursor (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
      INSERT OR IGNORE INTO inbox_cursor (name, last_id) VALUES ('forwarded', 0);
      CREATE TABLE IF NOT EXISTS dead_letter (
        inbox_id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        body TEXT NOT NULL,
        error TEXT NOT NULL,
        at INTEGER NOT NULL
      );
    `);
    this.migrate();
    this.insert = this.db.prepare('INSERT OR IGNORE INTO inbox (device_id, seq, ts, received_at, body, replay) VALUES (?, ?, ?, ?, ?, ?)');
    this.commitGroup = this.db.transaction((entries: readonly InboxEntry[]) =>
      entries.map((e) => {
        const result = this.insert.run(e.deviceId, e.seq, e.ts, e.receivedAt, e.body, e.replay ?? null);
        if (result.changes !== 1) return null;
        this.lastId = Number(result.lastInsertRowid);
        return this.lastId;
      }),
    );
    this.selectAfter = this.db.prepare('SELECT id, device_id AS deviceId, seq, ts, received_at AS receivedAt, body FROM inbox WHERE id > ? ORDER BY id LIMIT ?');
    this.selectReplayAfter = this.db.prepare('SELECT id, device_id AS deviceId, received_at AS receivedAt, replay FROM inbox WHERE id > ? ORDER BY id LIMIT ?');
    this.setCursor = this.db.prepare("UPDATE inbox_cursor SET last_id = ? WHERE name = 'forwarded'");
    this.setEvaluated = this.db.prepare("UPDATE inbox_cursor SET last_id = ? WHERE name = 'evaluated'");
    this.cursor = (this.db.prepare("SELECT last_id AS id FROM inbox_cursor WHERE name = 'forwarded'").get() as { id: number }).id;
    this.evaluated = (this.db.prepare("SELECT last_id AS id FROM inbox_cursor WHERE name = 'evaluated'").get() as { id: number }).id;
    this.lastId = (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM inbox').get() as { id: number }).id;
  }

  /**
   * Commits the entries durably, group-committed with whatever else is queued
   * in this turn. Resolves per entry: its inbox id if new (ids grow in commit
   * order), null if a duplicate of a message already in the inbox. Rejects
   * with InboxFullError under backpressure.
   */
  append(entries: readonly InboxEntry[]): Promise<(number | null)[]> {
    if (this.closed) return Promise.reject(new Error('durable inbox is closed'));
    const backlog = this.backlog() + this.queued;
    if (backlog + entries.length > this.options.maxBacklog) return Promise.reject(new InboxFullError(backlog));
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.queued += entries.length;
      if (this.queued >= this.maxGroup) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Unforwarded rows, oldest first. */
  readUnforwarded(limit: number): InboxRow[] {
    return this.selectAfter.all(this.cursor, limit) as InboxRow[];
  }

  /** Rows after `afterId`, oldest first, with what the rules need to replay them. */
  readReplayAfter(afterId: number, limit: number): InboxReplayRow[] {
    return this.selectReplayAfter.all(afterId, limit) as InboxReplayRow[];
  }

  /**
   * A stored rule-engine snapshot covers everything up to and including `id`:
   * those rows are no longer needed for a replay (prune may forget them).
   */
  markEvaluated(id: number): void {
    if (id <= this.evaluated || this.closed) return;
    this.setEvaluated.run(id);
    this.evaluated = id;
  }

  /** Everything up to and including `id` is in the telemetry store. */
  markForwarded(id: number): void {
    if (id <= this.cursor) return;
    this.setCursor.run(id);
    this.cursor = id;
  }

  /**
   * Sets aside a row the telemetry store refuses for good (a 4xx, not an
   * outage), so one bad point cannot stall everything behind it. Kept for
   * diagnosis, never silently dropped.
   */
  deadLetter(row: InboxRow, error: string, at: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO dead_letter (inbox_id, device_id, body, error, at) VALUES (?, ?, ?, ?, ?)')
      .run(row.id, row.deviceId, row.body, error.slice(0, 2000), at);
  }

  deadLetterCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM dead_letter').get() as { n: number }).n;
  }

  /** Messages accepted but not yet in the telemetry store. */
  backlog(): number {
    return this.lastId - this.cursor;
  }

  /**
   * Forgets rows that are forwarded, older than the de-duplication horizon and
   * covered by a rule-engine snapshot (a crash must still be able to replay
   * them into the rules). Returns rows deleted.
   */
  prune(now: number): number {
    return this.db
      .prepare('DELETE FROM inbox WHERE id <= ? AND id <= ? AND received_at < ?')
      .run(this.cursor, this.evaluated, now - this.options.dedupRetentionMs).changes;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const group = this.queue;
    this.queue = [];
    this.queued = 0;
    const all = group.flatMap((p) => p.entries);
    let inserted: (number | null)[];
    try {
      inserted = this.commitGroup(all);
    } catch (error) {
      // The transaction rolled back: re-read where the log really ends.
      this.lastId = (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM inbox').get() as { id: number }).id;
      for (const p of group) p.reject(error);
      return;
    }
    let offset = 0;
    for (const p of group) {
      p.resolve(inserted.slice(offset, offset + p.entries.length));
      offset += p.entries.length;
    }
  }

  /**
   * Data dirs from before replay: adds the `replay` column (old rows keep
   * NULL) and the `evaluated` cursor. An existing inbox starts with `evaluated`
   * at its last row, so an upgrade does not pin every old row against pruning:
   * old rows cannot be replayed anyway.
   */
  private migrate(): void {
    const columns = this.db.prepare('PRAGMA table_info(inbox)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'replay')) this.db.exec('ALTER TABLE inbox ADD COLUMN replay TEXT');
    this.db.prepare("INSERT OR IGNORE INTO inbox_cursor (name, last_id) SELECT 'evaluated', COALESCE(MAX(id), 0) FROM inbox").run();
  }
}
