/**
 * Telemetry in InfluxDB 1.x or 2.x. Everything here is shared by both
 * versions: line protocol out, InfluxQL in. What differs (paths, auth) is in
 * `influx-api.dialect.ts`.
 */
import { createInfluxApiDialect, type InfluxApiDialect, type InfluxQlResult, type InfluxQlSeries } from './influx-api.dialect.js';
import { quoteIdent, quoteLiteral, msLiteral } from './influxql.js';
import { LineProtocolError, toLine } from './line-protocol.js';
import type { InfluxConfig } from './telemetry-store.config.js';
import { TelemetryStoreError } from './telemetry-store.error.js';
import { compareSources, SOURCE_TAGS, TELEMETRY_MEASUREMENTS, windowStart } from './telemetry-schema.js';
import type { FieldValue, LatestValue, RangeQuery, SourceSeries, TelemetryPoint, TelemetryStore, WindowValue } from './telemetry.store.js';

export type { InfluxConfig } from './telemetry-store.config.js';

/** TOOLCHAIN.md: 5,000-line batches were the measured sweet spot here. */
const LINES_PER_REQUEST = 5_000;

export class InfluxTelemetryStore implements TelemetryStore {
  private readonly api: InfluxApiDialect;
  private storage: Promise<void> | undefined;

  constructor(config: InfluxConfig, api: InfluxApiDialect = createInfluxApiDialect(config)) {
    this.api = api;
  }

  /**
   * 1.x: CREATE DATABASE (idempotent). Called before the first write or query
   * and again after a failure, so a store created while InfluxDB is down
   * recovers on its own.
   */
  ensureDatabase(): Promise<void> {
    this.storage ??= this.api.ensureStorage().catch((err: unknown) => {
      this.storage = undefined;
      throw err;
    });
    return this.storage;
  }

  /**
   * Sends the batch in requests of 5,000 lines, in order. If a later request
   * fails the earlier ones stay written; sending the whole batch again is
   * safe because a point with the same measurement, tags and time overwrites.
   */
  async write(points: readonly TelemetryPoint[]): Promise<void> {
    const lines: string[] = [];
    for (const point of points) {
      let line: string | undefined;
      try {
        line = toLine(point);
      } catch (err) {
        if (err instanceof LineProtocolError) throw new TelemetryStoreError(`unwritable point for ${point.tags.deviceId}: ${err.message}`, false, undefined, { cause: err });
        throw err;
      }
      if (line !== undefined) lines.push(line);
    }
    if (lines.length === 0) return;
    await this.ensureDatabase();
    try {
      for (let i = 0; i < lines.length; i += LINES_PER_REQUEST) {
        await this.api.write(lines.slice(i, i + LINES_PER_REQUEST).join('\n'));
      }
    } catch (err) {
      // 404 on 1.x is "database not found" (dropped behind our back): create it on the next try.
      if (err instanceof TelemetryStoreError && err.status === 404) this.storage = undefined;
      throw err;
    }
  }

  /**
   * `last()` per field, not `last(*)`: with several selectors InfluxQL reports
   * time 0, and each field's newest value may come from a different point.
   * Two round trips: the field keys, then one statement per field.
   */
  async latest(deviceId: string): Promise<LatestValue[]> {
    await this.ensureDatabase();
    const keys = await this.api.query('SHOW FIELD KEYS');
    const fields: { measurement: string; field: string }[] = [];
    for (const series of keys[0]?.series ?? []) {
      if (!(TELEMETRY_MEASUREMENTS as readonly string[]).includes(series.name)) continue;
      for (const row of series.values ?? []) {
        if (typeof row[0] === 'string') fields.push({ measurement: series.name, field: row[0] });
      }
    }
    if (fields.length === 0) return [];
    const where = `${quoteIdent('deviceId')} = ${quoteLiteral(deviceId)}`;
    const statements = fields.map(({ measurement, field }) => `SELECT last(${quoteIdent(field)}) FROM ${quoteIdent(measurement)} WHERE ${where}`);
    const results = await this.api.query(statements.join('; '));
    const latest: LatestValue[] = [];
    fields.forEach(({ measurement, field }, i) => {
      const row = results[i]?.series?.[0]?.values?.[0];
      const [ts, value] = row ?? [];
      if (typeof ts === 'number' && isFieldValue(value)) latest.push({ measurement, field, value, ts });
    });
    return latest;
  }

  /**
   * InfluxQL's `GROUP BY time()` buckets start at multiples of the interval
   * since the epoch, which is the alignment the contract asks for.
   */
  async range(q: RangeQuery): Promise<WindowValue[]> {
    const result = await this.selectWindows(q, []);
    return toWindows(result?.series?.[0], q.windowMs);
  }

  /**
   * The same statement grouped by the source tags as well: InfluxQL answers
   * one series per (deviceId, deviceType) with its tags. 2.x runs it as it is
   * through `/query`, so nothing here depends on the version.
   */
  async rangeBySource(q: RangeQuery): Promise<SourceSeries[]> {
    const result = await this.selectWindows(q, SOURCE_TAGS);
    const sources: SourceSeries[] = [];
    for (const series of result?.series ?? []) {
      const windows = toWindows(series, q.windowMs);
      // GROUP BY reports a tag a point lacks as "".
      if (windows.length > 0) sources.push({ deviceId: series.tags?.deviceId ?? '', deviceType: series.tags?.deviceType ?? '', windows });
    }
    return sources.sort(compareSources);
  }

  private async selectWindows(q: RangeQuery, groupByTags: readonly string[]): Promise<InfluxQlResult | undefined> {
    const selector = seriesSelector(q);
    if (q.to <= q.from) return undefined;
    if (!Number.isSafeInteger(q.windowMs) || q.windowMs <= 0) throw new RangeError(`windowMs must be a positive integer: ${q.windowMs}`);
    await this.ensureDatabase();
    const groupBy = [`time(${q.windowMs}ms)`, ...groupByTags.map(quoteIdent)].join(', ');
    const statement =
      `SELECT ${q.aggregate}(${quoteIdent(q.field)}) FROM ${quoteIdent(q.measurement)}` +
      ` WHERE ${selector} AND time >= ${msLiteral(q.from)} AND time < ${msLiteral(q.to)}` +
      ` GROUP BY ${groupBy} fill(none)`;
    const [result] = await this.api.query(statement);
    return result;
  }

  ping(): Promise<boolean> {
    return this.api.ping();
  }

  async close(): Promise<void> {
    // Each request is independent (no client-side buffer to flush).
  }
}

function seriesSelector(q: RangeQuery): string {
  if ((q.deviceId === undefined) === (q.residentId === undefined)) throw new TypeError('range: give exactly one of deviceId and residentId');
  return q.deviceId !== undefined ? `${quoteIdent('deviceId')} = ${quoteLiteral(q.deviceId)}` : `${quoteIdent('residentId')} = ${quoteLiteral(q.residentId ?? '')}`;
}

function toWindows(series: InfluxQlSeries | undefined, windowMs: number): WindowValue[] {
  const windows: WindowValue[] = [];
  for (const [ts, value] of series?.values ?? []) {
    if (typeof ts !== 'number') continue;
    // A boolean's `last` is reported as 1/0 like the embedded store; strings have no number.
    const n = typeof value === 'boolean' ? Number(value) : value;
    if (typeof n === 'number') windows.push({ ts: windowStart(ts, windowMs), value: n });
  }
  return windows;
}

function isFieldValue(value: unknown): value is FieldValue {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string';
}
