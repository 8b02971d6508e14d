/**
 * What goes over the wire for each InfluxDB version, against a recording
 * HTTP server: the 2.x paths cannot be exercised on Debian's influxd 1.6.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInfluxApiDialect } from '../../../src/telemetry/influx-api.dialect.js';
import { InfluxTelemetryStore } from '../../../src/telemetry/influx-telemetry.store.js';
import type { InfluxConfig } from '../../../src/telemetry/telemetry-store.config.js';

interface Recorded {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: string;
}

let server: Server;
let url: string;
let recorded: Recorded[] = [];
let status = 204;
/** What `/query` answers. */
let queryAnswer: unknown;
const EMPTY_ANSWER = { results: [{ statement_id: 0 }] };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      recorded.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      if (status !== 204) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'nope' }));
      } else if (req.url?.startsWith('/query')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(queryAnswer));
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  recorded = [];
  status = 204;
  queryAnswer = EMPTY_ANSWER;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const v2 = (): InfluxConfig => ({ url, version: 2, org: 'acme care', bucket: 'anxin', token: 't0k' });
const basic = `Basic ${Buffer.from('anxin:s3cret').toString('base64')}`;

describe('InfluxApiDialect on the wire', () => {
  it.each<[string, () => InfluxConfig, Omit<Recorded, 'body'>, Omit<Recorded, 'body'>]>([
    [
      '2.x: /api/v2/write with a token; InfluxQL on the bucket DBRP via /query',
      v2,
      { method: 'POST', url: '/api/v2/write?org=acme+care&bucket=anxin&precision=ms', authorization: 'Token t0k' },
      { method: 'POST', url: '/query?db=anxin&epoch=ms', authorization: 'Token t0k' },
    ],
    [
      '2.x with an explicit DBRP database and retention policy',
      () => ({ ...v2(), database: 'anxin_db', retentionPolicy: 'raw' }),
      { method: 'POST', url: '/api/v2/write?org=acme+care&bucket=anxin&precision=ms', authorization: 'Token t0k' },
      { method: 'POST', url: '/query?db=anxin_db&rp=raw&epoch=ms', authorization: 'Token t0k' },
    ],
    [
      '1.x: /write and /query on the database, no auth',
      () => ({ url, version: 1 }),
      { method: 'POST', url: '/write?db=anxin&precision=ms', authorization: undefined },
      { method: 'POST', url: '/query?db=anxin&epoch=ms', authorization: undefined },
    ],
    [
      '1.x with a retention policy and Basic auth',
      () => ({ url, version: 1, database: 'care', retentionPolicy: 'raw', username: 'anxin', password: 's3cret' }),
      { method: 'POST', url: '/write?db=care&rp=raw&precision=ms', authorization: basic },
      { method: 'POST', url: '/query?db=care&rp=raw&epoch=ms', authorization: basic },
    ],
  ])('%s', async (_name, config, write, query) => {
    const api = createInfluxApiDialect(config());

    await api.write('vitals,deviceId=bed-1 heartRate=72 1704067200000');
    await api.query('SHOW FIELD KEYS');

    expect(recorded).toEqual([
      { ...write, body: 'vitals,deviceId=bed-1 heartRate=72 1704067200000' },
      { ...query, body: 'q=SHOW+FIELD+KEYS' },
    ]);
  });

  it.each<[number, boolean]>([
    [400, false],
    [413, false],
    [422, false],
    [401, true],
    [403, true],
    [404, true],
    [429, true],
    [500, true],
    [503, true],
  ])('classifies HTTP %i on write as retryable: %s', async (code, retryable) => {
    status = code;
    await expect(createInfluxApiDialect(v2()).write('m f=1 1')).rejects.toMatchObject({ name: 'TelemetryStoreError', status: code, retryable });
  });

  it('refuses a 2.x configuration without org, bucket and token', () => {
    expect(() => createInfluxApiDialect({ url, version: 2, bucket: 'anxin' })).toThrow(/org, bucket and token/);
  });

  it('2.x: asks for per-source windows with the same InfluxQL on the bucket, and reads each source from the series tags', async () => {
    const T0 = Date.UTC(2024, 0, 1);
    // The shape influxd 1.6.7 answers this statement with; 2.x's /query speaks the same JSON.
    queryAnswer = {
      results: [{
        statement_id: 0,
        series: [
          { name: 'vitals', tags: { deviceId: 'watch-1', deviceType: 'wearable' }, columns: ['time', 'mean'], values: [[T0, 70], [T0 + 300_000, 72]] },
          { name: 'vitals', tags: { deviceId: 'bed-1', deviceType: 'care-bed' }, columns: ['time', 'mean'], values: [[T0, 61]] },
        ],
      }],
    };
    const store = new InfluxTelemetryStore(v2());

    const sources = await store.rangeBySource({ measurement: 'vitals', field: 'heartRate', residentId: 'r-1', from: T0, to: T0 + 3_600_000, windowMs: 300_000, aggregate: 'mean' });

    expect(recorded.map((r) => [r.url, r.authorization, new URLSearchParams(r.body).get('q')])).toEqual([
      ['/query?db=anxin&epoch=ms', 'Token t0k', `SELECT mean("heartRate") FROM "vitals" WHERE "residentId" = 'r-1' AND time >= ${T0}ms AND time < ${T0 + 3_600_000}ms GROUP BY time(300000ms), "deviceId", "deviceType" fill(none)`],
    ]);
    expect(sources).toEqual([
      { deviceId: 'bed-1', deviceType: 'care-bed', windows: [{ ts: T0, value: 61 }] },
      { deviceId: 'watch-1', deviceType: 'wearable', windows: [{ ts: T0, value: 70 }, { ts: T0 + 300_000, value: 72 }] },
    ]);
  });
});
