/**
 * Security suite, the audit trail (PIPL Art. 51; HIPAA §164.312(b)): every
 * read of unmasked personal data and every change of a record is appended
 * with actor, role, resident, purpose, time and address; admins query and
 * export it, a district officer sees their district's, provider staff
 * nothing; the table itself refuses UPDATE and DELETE; retention prunes.
 *
 * Real SQLite, real HTTP, the demo dataset; an injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { AuditTrail } from '../../../src/audit/audit-trail.service.js';
import type { AuditAction, AuditEntry } from '../../../src/domain/audit/audit-entry.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { REGISTRY_DB } from '../../../src/platform.tokens.js';
import type { RegistryDb } from '../../../src/registry/database.js';
import { DeviceRepository } from '../../../src/registry/device.repository.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, LOGIN_PROVIDERS, login, makeFallAlert, residentsServedBy } from '../../e2e/dispatch/dispatch.fixtures.js';

/** 2026-03-02 08:00 in Asia/Shanghai. */
const T0 = Date.UTC(2026, 2, 2, 0, 0, 0);
const DAY = 86_400_000;
const MINZU = LOGIN_PROVIDERS.minzu?.[1] ?? '';
const JIANGHAN = '420103';
const LOOPBACK = expect.stringMatching(/127\.0\.0\.1$/);

let now = T0;
let platform: TestPlatform;
const tokens: Record<'caregiver' | 'dispatcher' | 'jianghanOfficer' | 'wuchangOfficer', string> = { caregiver: '', dispatcher: '', jianghanOfficer: '', wuchangOfficer: '' };
let resident: Resident;
let deviceId: string;
let orderId: string;

const call = (token: string, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(platform.httpUrl + path, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

/** The trail as the platform admin queries it. */
async function audit(filter: Record<string, string | number>): Promise<AuditEntry[]> {
  const qs = new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await call(TEST_ADMIN_TOKEN, `/api/audit?${qs.toString()}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: AuditEntry[] }).items;
}

/**
 * The message a statement fails with. Not `rejects.toThrow`: better-sqlite3's
 * native addon keeps the error class of the first test file that loaded it,
 * so in a later file its errors are not instances of this realm's Error.
 */
async function failureOf(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
    return 'did not fail';
  } catch (error) {
    return (error as { message?: string }).message ?? String(error);
  }
}

/** Runs `act` and returns the entries of `action` it appended. */
async function entriesOf(action: AuditAction, act: () => Promise<Response>, expectedStatus = 200): Promise<AuditEntry[]> {
  const before = (await audit({ action, limit: 1 }))[0]?.id ?? 0;
  const res = await act();
  expect(res.status).toBe(expectedStatus);
  return (await audit({ action, limit: 1_000 })).filter((e) => e.id > before);
}

beforeAll(async () => {
  platform = await startTestPlatform({ config: DEMO_CONFIG, now: () => now });
  tokens.caregiver = await login(platform, 'minzu.caregiver1');
  tokens.dispatcher = await login(platform, 'minzu.dispatcher');
  tokens.jianghanOfficer = await login(platform, 'jianghan.officer');
  tokens.wuchangOfficer = await login(platform, 'wuchang.officer');

  // A Minzu-served resident with a device, a fall for them, and the Minzu caregiver's acceptance.
  const devices = platform.get(DeviceRepository);
  for (const r of await residentsServedBy(platform, MINZU)) {
    const own = await devices.listByResident(r.id);
    if (own[0] !== undefined) {
      resident = r;
      deviceId = own[0].id;
      break;
    }
  }
  expect(resident).toBeDefined();
  const alert = makeFallAlert(resident.id, T0);
  platform.get(DomainEventBus).publish('AlertRaised', { type: 'AlertRaised', alert });
  const orders = platform.get(WorkOrderRepository);
  orderId = await eventually(async () => (await orders.byAlert(alert.id))[0]?.id);
  const accepted = await call(tokens.caregiver, `/api/orders/${orderId}/accept`, { method: 'POST', body: JSON.stringify({ attempt: 1 }) });
  expect(accepted.status).toBe(200);
});

afterAll(async () => {
  await platform?.dispose();
});

describe('reading a resident card', () => {
  it('writes exactly one audit entry, which the admin query returns with actor, role, resident, purpose, address and time', async () => {
    now = T0 + 60_000;
    const card = await call(tokens.caregiver, `/api/orders/${orderId}/resident`);
    expect(card.status).toBe(200);
    expect(await card.json()).toMatchObject({ masked: false, residentId: resident.id });

    const entries = await audit({ residentId: resident.id, action: 'resident.card.read' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      id: expect.any(Number),
      at: T0 + 60_000,
      action: 'resident.card.read',
      actorId: expect.stringMatching(/.+/),
      actorName: 'minzu.caregiver1',
      role: 'caregiver',
      residentId: resident.id,
      districtCode: JIANGHAN,
      targetKind: 'order',
      targetId: orderId,
      purpose: orderId,
      address: LOOPBACK,
      detail: {},
    });
  });

  it('writes nothing when the read is refused', async () => {
    const entries = await entriesOf('resident.card.read', () => call(tokens.jianghanOfficer, `/api/orders/${orderId}/resident`), 403);
    expect(entries).toEqual([]);
  });
});

describe('who reads the trail', () => {
  it.each([
    ['a provider dispatcher', 'dispatcher'],
    ['a caregiver', 'caregiver'],
  ] as const)('refuses %s the audit query and the CSV export (403)', async (_name, who) => {
    expect((await call(tokens[who], '/api/audit')).status).toBe(403);
    expect((await call(tokens[who], '/api/audit.csv')).status).toBe(403);
  });

  it('lets only the platform admin verify the hash chain', async () => {
    expect((await call(TEST_ADMIN_TOKEN, '/api/audit/verify')).status).toBe(200);
    expect((await call(tokens.jianghanOfficer, '/api/audit/verify')).status).toBe(403);
  });

  it("shows a district officer their district's entries only, and refuses another district", async () => {
    const jianghan = (await (await call(tokens.jianghanOfficer, '/api/audit?limit=1000')).json()) as { items: AuditEntry[] };
    expect(jianghan.items.length).toBeGreaterThan(0);
    expect(jianghan.items.every((e) => e.districtCode === JIANGHAN)).toBe(true);
    expect(jianghan.items.map((e) => e.action)).toContain('resident.card.read');

    const wuchang = (await (await call(tokens.wuchangOfficer, '/api/audit?limit=1000')).json()) as { items: AuditEntry[] };
    expect(wuchang.items.every((e) => e.districtCode === '420106')).toBe(true);
    expect(wuchang.items.filter((e) => e.residentId === resident.id)).toEqual([]);

    expect((await call(tokens.jianghanOfficer, '/api/audit?districtCode=420106')).status).toBe(403);
  });

  it('filters by actor, action and time, newest first, with a cursor', async () => {
    const all = await audit({ residentId: resident.id, limit: 1_000 });
    const mine = await audit({ actor: all[0]?.actorId ?? '', residentId: resident.id });
    expect(mine.every((e) => e.actorId === all[0]?.actorId)).toBe(true);
    expect(await audit({ residentId: resident.id, from: T0 + 60_000, to: T0 + 60_001 })).toEqual(all.filter((e) => e.at === T0 + 60_000));
    const first = (await (await call(TEST_ADMIN_TOKEN, `/api/audit?residentId=${resident.id}&limit=1`)).json()) as { items: AuditEntry[]; nextCursor: number | null };
    if (all.length > 1) {
      expect(first.nextCursor).toBe(first.items[0]?.id);
      const second = await audit({ residentId: resident.id, limit: 1, cursor: first.nextCursor ?? 0 });
      expect(second[0]?.id).toBeLessThan(first.items[0]?.id ?? 0);
    }
  });
});

describe('each sensitive read writes its entry', () => {
  // Rows are thunks: the resident and tokens exist only once beforeAll ran.
  it.each<[string, AuditAction, () => [string, string], () => Partial<AuditEntry>]>([
    ["a caregiver reads the resident's vitals", 'resident.vitals.read', () => [tokens.caregiver, `/api/residents/${resident.id}/vitals`], () => ({ role: 'caregiver', residentId: resident.id, targetKind: 'resident' })],
    ["a caregiver reads a resident's device's latest telemetry", 'device.telemetry.read', () => [tokens.caregiver, `/api/devices/${deviceId}/telemetry/latest`], () => ({ role: 'caregiver', residentId: resident.id, targetKind: 'device', targetId: deviceId })],
    ['the admin reads a telemetry range', 'telemetry.range.read', () => [TEST_ADMIN_TOKEN, `/api/telemetry/range?residentId=${resident.id}&measurement=vitals&field=heartRate&from=${T0 - DAY}&to=${T0}`], () => ({ role: 'platform_admin', residentId: resident.id, purpose: null })],
    ["a district officer reads a provider's staff locations", 'staff.location.read', () => [tokens.jianghanOfficer, `/api/providers/${MINZU}`], () => ({ role: 'district_officer', residentId: null, targetKind: 'provider', targetId: MINZU, purpose: null })],
    ['the admin reads the unmasked resident record', 'resident.record.read', () => [TEST_ADMIN_TOKEN, `/api/residents/${resident.id}?unmasked=true`], () => ({ role: 'platform_admin', residentId: resident.id, purpose: null })],
    ["the admin lists a resident's alerts (their evidence holds readings)", 'alert.read', () => [TEST_ADMIN_TOKEN, `/api/alerts?residentId=${resident.id}`], () => ({ role: 'platform_admin', residentId: resident.id, targetKind: 'alert', detail: { alerts: 0 } })],
    ["the admin reads a resident's care plan (its overrides tell conditions)", 'care_plan.read', () => [TEST_ADMIN_TOKEN, `/api/residents/${resident.id}/care-plan`], () => ({ role: 'platform_admin', residentId: resident.id, targetKind: 'resident' })],
    ["the simulator's manifest of home positions", 'fleet.manifest.read', () => [TEST_ADMIN_TOKEN, '/api/fleet/manifest?homes=2'], () => ({ role: 'platform_admin', residentId: null, districtCode: null, targetKind: 'fleet', detail: { homes: 2 } })],
  ])('%s: one %s entry', async (_name, action, request, expected) => {
    const [token, path] = request();
    const entries = await entriesOf(action, () => call(token, path));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action, districtCode: JIANGHAN, address: LOOPBACK, at: now, ...expected() });
  });

  it('gives a provider staff read the work order that sent them as its purpose', async () => {
    const [vitals] = await audit({ action: 'resident.vitals.read', residentId: resident.id, limit: 1 });
    expect(vitals).toMatchObject({ actorName: 'minzu.caregiver1', purpose: orderId });
  });

  it('writes nothing for the masked resident record', async () => {
    expect(await entriesOf('resident.record.read', () => call(TEST_ADMIN_TOKEN, `/api/residents/${resident.id}`))).toEqual([]);
  });
});

describe('each change writes its entry after it succeeded', () => {
  it('records a care-plan change with the resident and the versions', async () => {
    const entries = await entriesOf('care_plan.change', () => call(TEST_ADMIN_TOKEN, `/api/residents/${resident.id}/care-plan`, { method: 'PATCH', body: JSON.stringify({ spo2Scale: 2 }) }));
    expect(entries).toEqual([expect.objectContaining({ actorName: 'admin-token', role: 'platform_admin', residentId: resident.id, districtCode: JIANGHAN, detail: { fromVersion: 0, toVersion: 1 } })]);
  });

  it('records an account created, in the district of its scope', async () => {
    const body = { username: 'audit.officer', displayName: '审计测试', password: 'correct-horse-battery-staple', role: 'district_officer', districtCode: JIANGHAN };
    const entries = await entriesOf('account.create', () => call(TEST_ADMIN_TOKEN, '/api/accounts', { method: 'POST', body: JSON.stringify(body) }), 201);
    expect(entries).toEqual([expect.objectContaining({ targetKind: 'account', districtCode: JIANGHAN, detail: { role: 'district_officer', username: 'audit.officer' } })]);
  });

  it('records a device provisioned for a resident, in their district', async () => {
    const entries = await entriesOf('device.provision', () => call(TEST_ADMIN_TOKEN, '/api/devices', { method: 'POST', body: JSON.stringify({ type: 'fall-radar', residentId: resident.id, label: '审计雷达' }) }), 201);
    expect(entries).toEqual([expect.objectContaining({ targetKind: 'device', residentId: resident.id, districtCode: JIANGHAN })]);
  });

  it('records nothing for a change that was refused', async () => {
    expect(await entriesOf('care_plan.change', () => call(TEST_ADMIN_TOKEN, `/api/residents/${resident.id}/care-plan`, { method: 'PATCH', body: JSON.stringify({ spo2Scale: 3 }) }), 400)).toEqual([]);
  });
});

describe('the CSV export', () => {
  it('answers the filtered entries as CSV and is itself audited', async () => {
    const exports = await entriesOf('audit.export', async () => {
      const res = await call(TEST_ADMIN_TOKEN, `/api/audit.csv?residentId=${resident.id}&action=resident.card.read`);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await res.text();
      const lines = text.replace(/^\uFEFF/, '').split('\r\n');
      expect(lines[0]).toBe('id,at,action,actorId,actorName,role,residentId,districtCode,targetKind,targetId,purpose,address,detail');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(`,resident.card.read,`);
      expect(lines[1]).toContain(`,minzu.caregiver1,caregiver,${resident.id},${JIANGHAN},order,${orderId},${orderId},`);
      return res;
    });
    expect(exports).toEqual([expect.objectContaining({ actorName: 'admin-token', targetKind: 'audit', detail: { residentId: resident.id, action: 'resident.card.read', rows: 1 } })]);
  });

  it("gives a district officer their district's rows only", async () => {
    const text = await (await call(tokens.jianghanOfficer, '/api/audit.csv')).text();
    const rows = text.replace(/^\uFEFF/, '').split('\r\n').slice(1, -1);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.split(',')[7] === JIANGHAN)).toBe(true);
  });
});

describe('fail closed', () => {
  it('answers a sensitive read 503 when its entry cannot be written, counts the failure, and still answers a change', async () => {
    const db = platform.get<RegistryDb>(REGISTRY_DB as never);
    // A real SQLite write failure, as a full disk or a lost lock would give.
    await sql`CREATE TEMP TRIGGER audit_down BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`.execute(db);
    try {
      const refused = await call(tokens.caregiver, `/api/residents/${resident.id}/vitals`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(JSON.stringify(await refused.json())).not.toContain('series');
      const change = await call(TEST_ADMIN_TOKEN, `/api/residents/${resident.id}/snoozes`, { method: 'POST', body: JSON.stringify({ kinds: ['device_offline'], until: now + 3_600_000, reason: '住院' }) });
      expect(change.status).toBe(201);
    } finally {
      await sql`DROP TRIGGER audit_down`.execute(db);
    }
    const metrics = await (await call(TEST_ADMIN_TOKEN, '/metrics')).text();
    expect(metrics).toMatch(/^anxin_audit_write_failures_total 2$/m);
    expect(metrics).toMatch(/^anxin_audit_entries_total\{action="resident.card.read"\} 1$/m);
  });
});

describe('append-only', () => {
  it('refuses an UPDATE and a DELETE of an entry in the database itself', async () => {
    const db = platform.get<RegistryDb>(REGISTRY_DB as never);
    expect(await failureOf(sql`UPDATE audit_entries SET actor_name = 'someone else'`.execute(db))).toMatch(/append-only: UPDATE refused/);
    expect(await failureOf(sql`DELETE FROM audit_entries`.execute(db))).toMatch(/append-only: DELETE refused/);
    expect((await audit({ action: 'resident.card.read' }))[0]?.actorName).toBe('minzu.caregiver1');
  });

  it('offers no route that changes or deletes an entry', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) expect([404, 405]).toContain((await call(TEST_ADMIN_TOKEN, '/api/audit', { method })).status);
  });
});

describe('retention', () => {
  it('prunes entries older than audit.retentionDays (365 by default), records the prune, and keeps the rest', async () => {
    const before = await audit({ limit: 1_000 });
    expect(before.length).toBeGreaterThan(5);
    now = T0 + 300 * DAY;
    // Not yet a year old: nothing goes, and an idle prune leaves no entry.
    expect(await entriesOf('audit.prune', async () => {
      expect(await platform.get(AuditTrail).prune()).toBe(0);
      return new Response(null, { status: 200 });
    })).toEqual([]);
    const recent = await entriesOf('resident.record.read', () => call(TEST_ADMIN_TOKEN, `/api/residents/${resident.id}?unmasked=true`));

    now = T0 + 400 * DAY;
    expect(await platform.get(AuditTrail).prune()).toBe(before.length);
    const after = await audit({ limit: 1_000 });
    expect(after.every((e) => e.at >= now - 365 * DAY)).toBe(true);
    expect(after.map((e) => e.id)).toContain(recent[0]?.id);
    expect(after.find((e) => e.action === 'audit.prune' && e.at === now)).toMatchObject({ actorId: 'system', role: 'system', detail: { deleted: before.length, retentionDays: 365 } });
  });

  it('refuses in the database a prune that reaches into the last 180 days', async () => {
    const db = platform.get<RegistryDb>(REGISTRY_DB as never);
    expect(await failureOf(sql`INSERT INTO audit_prune_permits (before_at) VALUES (${now - 179 * DAY})`.execute(db))).toMatch(/180-day floor/);
  });
});

describe('tamper evidence', () => {
  it('verifies the hash chain from the oldest retained entry, after the prune too', async () => {
    const res = await call(TEST_ADMIN_TOKEN, '/api/audit/verify');
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as { ok: boolean; checked: number };
    expect(verdict).toEqual({ ok: true, checked: (await audit({ limit: 1_000 })).length });
  });

  it('names the first entry changed behind the triggers’ back (someone with the database file)', async () => {
    const db = platform.get<RegistryDb>(REGISTRY_DB as never);
    now += 60_000;
    for (let i = 0; i < 3; i += 1) await call(TEST_ADMIN_TOKEN, `/api/residents/${resident.id}?unmasked=true`);
    const [, middle] = await audit({ action: 'resident.record.read', limit: 3 });
    await sql`DROP TRIGGER audit_entries_no_update`.execute(db);
    await sql`UPDATE audit_entries SET actor_name = 'nobody' WHERE id = ${middle?.id ?? 0}`.execute(db);
    expect(await (await call(TEST_ADMIN_TOKEN, '/api/audit/verify')).json()).toMatchObject({ ok: false, brokenAt: middle?.id, reason: 'hash_mismatch' });
  });
});
