/**
 * The only part of the InfluxDB store that depends on the server version:
 * where a batch of line protocol goes and how InfluxQL reaches `/query`.
 *
 * - 1.x: `POST /write?db&rp&precision=ms`, `POST /query?db&rp&epoch=ms`, optional Basic auth.
 * - 2.x: `POST /api/v2/write?org&bucket&precision=ms` with a token, and InfluxQL
 *   through the 1.x-compatible `/query` on the bucket's DBRP mapping (2.x gives
 *   every bucket a "virtual" one: database = bucket name, rp = autogen).
 *
 * Both go through `@influxdata/influxdb-client`'s transport; its `getWriteApi`
 * is not used because it cannot talk to 1.x and keeps its own in-memory retry
 * buffer, while our caller is a durable outbox that retries on its own.
 */
import { HttpError, InfluxDB, isStatusCodeRetriable, type Transport } from '@influxdata/influxdb-client';
import { quoteIdent } from './influxql.js';
import type { InfluxConfig } from './telemetry-store.config.js';
import { TelemetryStoreError } from './telemetry-store.error.js';

/** One statement's answer from `/query` (JSON, epoch=ms). */
export interface InfluxQlResult {
  readonly statement_id?: number;
  readonly series?: readonly InfluxQlSeries[];
  readonly error?: string;
}

export interface InfluxQlSeries {
  readonly name: string;
  readonly columns: readonly string[];
  readonly values?: readonly (readonly unknown[])[];
  readonly tags?: Readonly<Record<string, string>>;
}

export interface InfluxApiDialect {
  /** Writes newline-separated lines, precision ms. Throws TelemetryStoreError. */
  write(lines: string): Promise<void>;
  /** Runs `;`-separated InfluxQL statements; one result per statement. Throws TelemetryStoreError. */
  query(influxql: string): Promise<readonly InfluxQlResult[]>;
  /** Creates what the version lets a client create (1.x: the database). */
  ensureStorage(): Promise<void>;
  ping(): Promise<boolean>;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

/** Shared by both dialects: the same `/query`, `/ping` and error mapping. */
abstract class InfluxHttpDialect implements InfluxApiDialect {
  protected readonly transport: Transport;

  constructor(
    config: InfluxConfig,
    headers: Record<string, string>,
    token: string | undefined,
    /** `db=…&rp=…` for `/query`. */
    private readonly queryParams: URLSearchParams,
  ) {
    const options = { url: config.url, timeout: config.timeoutMs ?? 10_000, headers };
    this.transport = new InfluxDB(token === undefined ? options : { ...options, token }).transport;
  }

  abstract write(lines: string): Promise<void>;
  abstract ensureStorage(): Promise<void>;

  async query(influxql: string): Promise<readonly InfluxQlResult[]> {
    const params = new URLSearchParams(this.queryParams);
    params.set('epoch', 'ms');
    const body = new URLSearchParams({ q: influxql }).toString();
    const response = (await this.send('query', `/query?${params.toString()}`, body, FORM)) as { results?: InfluxQlResult[]; error?: string } | undefined;
    if (response?.error !== undefined) throw new TelemetryStoreError(`InfluxDB query failed: ${response.error}`, false);
    const results = response?.results ?? [];
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw new TelemetryStoreError(`InfluxDB query failed: ${failed.error}`, false);
    return results;
  }

  async ping(): Promise<boolean> {
    try {
      await this.transport.request('/ping', '', { method: 'GET' });
      return true;
    } catch {
      return false;
    }
  }

  protected async send(what: string, path: string, body: string, headers: Record<string, string>): Promise<unknown> {
    try {
      return (await this.transport.request(path, body, { method: 'POST', headers })) as unknown;
    } catch (err) {
      throw toStoreError(what, err);
    }
  }
}

class InfluxV1Dialect extends InfluxHttpDialect {
  private readonly writePath: string;

  constructor(private readonly config: InfluxConfig) {
    const params = new URLSearchParams({ db: databaseOf(config) });
    if (config.retentionPolicy !== undefined) params.set('rp', config.retentionPolicy);
    const headers: Record<string, string> = {};
    if (config.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
    }
    super(config, headers, undefined, params);
    this.writePath = `/write?${params.toString()}&precision=ms`;
  }

  async write(lines: string): Promise<void> {
    await this.send('write', this.writePath, lines, TEXT);
  }

  async ensureStorage(): Promise<void> {
    // CREATE DATABASE is idempotent in 1.x (IF NOT EXISTS is implied).
    await this.query(`CREATE DATABASE ${quoteIdent(databaseOf(this.config))}`);
  }
}

class InfluxV2Dialect extends InfluxHttpDialect {
  private readonly writePath: string;

  constructor(config: InfluxConfig) {
    const { org, bucket, token } = config;
    if (!org || !bucket || !token) throw new TypeError('InfluxDB 2.x needs org, bucket and token');
    const params = new URLSearchParams({ db: config.database ?? bucket });
    if (config.retentionPolicy !== undefined) params.set('rp', config.retentionPolicy);
    super(config, {}, token, params);
    this.writePath = `/api/v2/write?${new URLSearchParams({ org, bucket, precision: 'ms' }).toString()}`;
  }

  async write(lines: string): Promise<void> {
    await this.send('write', this.writePath, lines, TEXT);
  }

  async ensureStorage(): Promise<void> {
    // Buckets are provisioned with the server (docker-compose `DOCKER_INFLUXDB_INIT_BUCKET`);
    // a write token may not create them.
  }
}

/** Picks the dialect for `config.version`. */
export function createInfluxApiDialect(config: InfluxConfig): InfluxApiDialect {
  return config.version === 1 ? new InfluxV1Dialect(config) : new InfluxV2Dialect(config);
}

function databaseOf(config: InfluxConfig): string {
  return config.database ?? 'anxin';
}

/**
 * HTTP errors keep their status; the client's own rule decides what is worth
 * retrying (429, 5xx, 404 "database not found", 408), plus 401/403: a wrong
 * token is an operator's mistake, not bad data, and the outbox must keep the
 * points until it is fixed. No status means the server was not reached:
 * retryable. What stays non-retryable is the data's fault: 400 (bad line,
 * field type conflict), 413, 422 (2.x: outside the bucket's retention).
 */
export function toStoreError(what: string, err: unknown): TelemetryStoreError {
  if (err instanceof TelemetryStoreError) return err;
  if (err instanceof HttpError) {
    const detail = err.body ? `: ${err.body.trim()}` : '';
    return new TelemetryStoreError(`InfluxDB ${what} failed with HTTP ${err.statusCode}${detail}`, isRetryableStatus(err.statusCode), err.statusCode, { cause: err });
  }
  const message = err instanceof Error ? err.message || err.name : String(err);
  return new TelemetryStoreError(`InfluxDB ${what} failed: ${message}`, true, undefined, { cause: err });
}

function isRetryableStatus(status: number): boolean {
  return isStatusCodeRetriable(status) || status === 401 || status === 403;
}
