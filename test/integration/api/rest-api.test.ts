/**
 * The REST surface of the spine: health, readiness, metrics, OpenAPI, the
 * admin credential and input validation that names the bad field.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await platform?.dispose();
});

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(platform.httpUrl + path, { headers });

describe('operations endpoints', () => {
  it('answers /healthz and /readyz with every dependency checked', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { registry: true, telemetry: true, broker: true } });
  });

  it('serves Prometheus metrics with every rejection reason and broker refusal reason present from the start', async () => {
    const text = await (await platform.api('/metrics')).text();
    for (const reason of ['not_json', 'schema', 'out_of_range', 'clock_skew', 'too_large']) expect(text).toContain(`anxin_ingest_rejected_total{reason="${reason}"} 0`);
    expect(text).toContain('anxin_broker_refusals_total{reason="bad_credentials"} 0');
    expect(text).toContain('anxin_ingest_backlog_messages 0');
  });

  it('publishes an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/devices', '/api/devices/{id}/telemetry/latest', '/api/telemetry/range']));
    expect(Object.keys(doc.paths['/api/devices']?.post?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(expect.arrayContaining(['type', 'residentId', 'homeId']));
  });
});

describe('the admin credential', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-admin-token' }],
  ])('refuses provisioning with %s (401) and counts nothing as provisioned', async (_name, headers) => {
    const res = await fetch(`${platform.httpUrl}/api/devices`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ type: 'care-bed' }) });
    expect(res.status).toBe(401);
    const list = (await (await platform.api('/api/devices')).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(0);
  });

  it('keeps resident data behind the token', async () => {
    expect((await get('/api/residents')).status).toBe(401);
  });
});

describe('input validation', () => {
  it.each([
    ['an unknown device type', { type: 'toaster' }, 'body.type'],
    ['a malformed device id', { type: 'care-bed', id: 'Bad Id!' }, 'body.id'],
    ['an unknown field', { type: 'care-bed', colour: 'red' }, 'body'],
  ])('answers 400 naming the field for %s', async (_name, body, path) => {
    const res = await platform.api('/api/devices', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { issues: { path: string; message: string }[] };
    expect(answer.issues.map((i) => i.path)).toContain(path);
  });

  it('answers 400 for a range query that names both a device and a resident', async () => {
    const res = await platform.api('/api/telemetry/range?deviceId=a-1&residentId=r-1&measurement=vitals&field=heartRate&from=0&to=60000');
    expect(res.status).toBe(400);
  });

  it('answers 404 for a device that is not provisioned', async () => {
    expect((await platform.api('/api/devices/bed-unknown01')).status).toBe(404);
  });

  it('counts refused requests by status in /metrics', async () => {
    const count = async (status: number): Promise<number> =>
      Number(new RegExp(`^anxin_api_refused_total\\{status="${status}"\\} (\\d+)`, 'm').exec(await (await platform.api('/metrics')).text())?.[1] ?? 0);
    const before = await count(400);
    await platform.api('/api/devices', { method: 'POST', body: '{"type":"toaster"}' });
    expect(await count(400)).toBe(before + 1);
  });
});
