/**
 * The alerting REST API against a booted platform: care plans (versioned,
 * audited, applied to the engine), snoozes (always expiring, who set them),
 * global rule settings, validation (400 names the field), and rule errors
 * counted without reaching ingest.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlertingService } from '../../../src/alerting/alerting.service.js';
import { ResidentContextCache } from '../../../src/alerting/resident-context.cache.js';
import type { AlertChange } from '../../../src/domain/alerts/alert.schema.js';
import type { DeviceEventReceived, TelemetryReceived } from '../../../src/domain/events/domain-events.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { eventually, HOME, seedResident } from '../../e2e/alerting/alerting.fixtures.js';

const MIN = 60_000;
/** 2026-01-16 00:30 in Asia/Shanghai: night. */
const T0 = Date.UTC(2026, 0, 15, 16, 30, 0);
const binding = { deviceId: 'bed-api00001', deviceType: 'care-bed', residentId: 'r-alert-1', homeId: HOME.id, districtCode: '420103', streetCode: '420103001' } as const;

function event(name: string, ts: number, seq: number): DeviceEventReceived {
  return { ...binding, ts, receivedAt: ts, seq, event: name, details: {}, buffered: false };
}

describe('alerting REST API', () => {
  let platform: TestPlatform;
  let now = T0;
  const changes: AlertChange[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({ now: () => now });
    await seedResident(platform);
    await platform.get(ResidentContextCache).refresh('r-alert-1');
    const bus = platform.get(DomainEventBus);
    for (const name of ['AlertRaised', 'AlertUpdated', 'AlertCleared', 'AlertDowngraded'] as const) bus.subscribe(name, (c) => changes.push(c));
  });

  afterAll(async () => {
    await platform.dispose();
  });

  const json = (body: unknown, actor = 'nurse-li'): RequestInit => ({ body: JSON.stringify(body), headers: { 'x-anxin-actor': actor } });

  it('refuses requests without the admin token', async () => {
    const res = await fetch(`${platform.httpUrl}/api/alerts`);
    expect(res.status).toBe(401);
  });

  it('answers 400 naming the bad field for bad queries and bodies', async () => {
    const q = await platform.api('/api/alerts?state=open&limit=0');
    expect(q.status).toBe(400);
    expect(((await q.json()) as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual(['query.limit', 'query.state']);
    const p = await platform.api('/api/residents/r-alert-1/care-plan', { method: 'PATCH', ...json({ bedExitNoReturnMs: -5 }) });
    expect(p.status).toBe(400);
    expect(((await p.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['body.bedExitNoReturnMs']);
    const s = await platform.api('/api/residents/r-alert-1/snoozes', { method: 'POST', ...json({ kinds: ['sos'], until: T0 + MIN, reason: 'visit' }) });
    expect(s.status).toBe(400); // SOS is never snoozed
    const r = await platform.api('/api/rules/settings', { method: 'PATCH', ...json({ bedExit: { noReturnAfterMs: 'soon' } }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['body.bedExit.noReturnAfterMs']);
  });

  it('versions and audits care-plan changes, and the engine uses them at once', async () => {
    const before = await platform.api('/api/residents/r-alert-1/care-plan');
    expect(await before.json()).toEqual({ residentId: 'r-alert-1', version: 0 });
    const patched = await platform.api('/api/residents/r-alert-1/care-plan', { method: 'PATCH', ...json({ bedExitNoReturnMs: 10 * MIN, spo2Scale: 2 }) });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { carePlan: unknown }).carePlan).toEqual({ residentId: 'r-alert-1', version: 1, bedExitNoReturnMs: 10 * MIN, spo2Scale: 2 });
    const history = (await (await platform.api('/api/residents/r-alert-1/care-plan/history')).json()) as { items: { toVersion: number; changedBy: string; changes: { field: string }[] }[] };
    expect(history.items.map((h) => [h.toVersion, h.changedBy, h.changes.map((c) => c.field).sort()])).toEqual([[1, 'nurse-li', ['bedExitNoReturnMs', 'spo2Scale']]]);

    platform.get(DomainEventBus).publish('DeviceEventReceived', event('bed_exit', T0, 1));
    now = T0 + 10 * MIN;
    // The home is silent: the 1 s server-time tick fires the (care-plan) 10-minute deadline.
    const raised = await eventually(() => changes.find((c) => c.type === 'AlertRaised' && c.alert.kind === 'bed_exit_no_return'));
    expect(raised.alert.firstRaisedAt).toBe(T0 + 10 * MIN);
  });

  it('records snoozes with expiry and who set them, and holds back the snoozed kind until it expires', async () => {
    const res = await platform.api('/api/residents/r-alert-1/snoozes', { method: 'POST', ...json({ kinds: ['low_battery'], until: T0 + 60 * MIN, reason: '待换电池' }, 'worker-9') });
    expect(res.status).toBe(201);
    const plan = (await (await platform.api('/api/residents/r-alert-1/care-plan')).json()) as { version: number; suspensions: unknown[] };
    expect(plan.version).toBe(2);
    expect(plan.suspensions).toEqual([{ kinds: ['low_battery'], until: T0 + 60 * MIN, setBy: 'worker-9', reason: '待换电池' }]);
    const expired = await platform.api('/api/residents/r-alert-1/snoozes', { method: 'POST', ...json({ kinds: ['low_battery'], until: now - 1, reason: 'late' }) });
    expect(expired.status).toBe(400);

    platform.get(DomainEventBus).publish('DeviceStatusReported', { ...binding, ts: T0 + 11 * MIN, receivedAt: T0 + 11 * MIN, battery: 5 });
    expect(changes.some((c) => c.alert.kind === 'low_battery')).toBe(false);
    now = T0 + 61 * MIN;
    platform.get(DomainEventBus).publish('DeviceStatusReported', { ...binding, ts: now + 2 * MIN, receivedAt: now, battery: 5 });
    expect(changes.find((c) => c.alert.kind === 'low_battery')?.type).toBe('AlertRaised');
  });

  it('refuses a snooze that names a life-safety kind, naming the refusal, and the plan stays as it was', async () => {
    const before = (await (await platform.api('/api/residents/r-alert-1/care-plan')).json()) as { version: number };
    for (const kinds of [['gas'], ['prolonged_inactivity', 'fall'], ['smoke'], ['water_leak']]) {
      const res = await platform.api('/api/residents/r-alert-1/snoozes', { method: 'POST', ...json({ kinds, until: now + 30 * MIN, reason: '护理员上门' }) });
      expect([kinds, res.status]).toEqual([kinds, 400]);
      expect(await res.text()).toContain('life_safety_not_snoozable');
    }
    const after = (await (await platform.api('/api/residents/r-alert-1/care-plan')).json()) as { version: number };
    expect(after.version).toBe(before.version);
  });

  it('closes an alert with its work order (结案): not while its condition holds, then with the outcome as the note', async () => {
    const bus = platform.get(DomainEventBus);
    bus.publish('DeviceEventReceived', { ...event('smoke', now, 40), deviceType: 'smoke-detector' });
    const smoke = changes.find((c) => c.type === 'AlertRaised' && c.alert.kind === 'smoke')?.alert;
    expect(smoke).toBeDefined();
    const resolved = { orderId: 'ord-test-1', alertId: smoke?.id ?? '', outcome: 'false_alarm' as const, notes: '厨房油烟', resolvedBy: 'stf-1', at: now };
    const alerting = platform.get(AlertingService);
    expect(await alerting.closeWithOrder(resolved)).toBe('condition_holds');
    expect(((await (await platform.api(`/api/alerts/${smoke?.id ?? ''}`)).json()) as { state: string }).state).toBe('active');

    bus.publish('DeviceEventReceived', { ...event('smoke_cleared', now + 1_000, 41), deviceType: 'smoke-detector' });
    expect(await alerting.closeWithOrder(resolved)).toBe('cleared');
    expect(await (await platform.api(`/api/alerts/${smoke?.id ?? ''}`)).json()).toMatchObject({ state: 'cleared', clearedBy: 'stf-1', clearNote: '工单结案：误报（厨房油烟）' });
    expect(await alerting.closeWithOrder(resolved)).toBe('already_cleared');
  });

  it('versions global rule settings and audits who changed them', async () => {
    const current = (await (await platform.api('/api/rules/settings')).json()) as { version: number; settings: { bathroom: { dwellMs: number } } };
    expect([current.version, current.settings.bathroom.dwellMs]).toEqual([0, 45 * MIN]);
    const res = await platform.api('/api/rules/settings', { method: 'PATCH', ...json({ bathroom: { dwellMs: 40 * MIN } }, 'district-admin') });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 1, settings: { bathroom: { dwellMs: 40 * MIN } }, updatedBy: 'district-admin' });
    const history = (await (await platform.api('/api/rules/settings/history')).json()) as { items: { toVersion: number; changedBy: string; patch: unknown }[] };
    expect(history.items).toEqual([{ fromVersion: 0, toVersion: 1, changedBy: 'district-admin', changedAt: now, patch: { bathroom: { dwellMs: 40 * MIN } } }]);
  });

  it('acknowledges an alert idempotently and filters the list', async () => {
    const [active] = ((await (await platform.api('/api/alerts?state=active&kind=low_battery')).json()) as { items: { id: string }[] }).items;
    expect(active).toBeDefined();
    const ack = await platform.api(`/api/alerts/${active?.id ?? ''}/acknowledge`, { method: 'POST', headers: { 'x-anxin-actor': 'nurse-li' } });
    expect(await ack.json()).toMatchObject({ acknowledged: true, acknowledgedBy: 'nurse-li', state: 'active' });
    const again = await platform.api(`/api/alerts/${active?.id ?? ''}/acknowledge`, { method: 'POST' });
    expect(await again.json()).toMatchObject({ acknowledged: true, acknowledgedBy: 'nurse-li' });
    expect((await platform.api('/api/alerts/nope/acknowledge', { method: 'POST' })).status).toBe(404);
    // Each press is in the audit trail under the authenticated operator; the refused one is not.
    const trail = ((await (await platform.api('/api/audit?action=alert.acknowledge')).json()) as { items: { actorName: string; targetId: string }[] }).items;
    expect(trail.map((e) => [e.actorName, e.targetId])).toEqual([['admin-token', active?.id], ['admin-token', active?.id]]);
    const ranged = (await (await platform.api(`/api/alerts?residentId=r-alert-1&from=${T0}&to=${T0 + 10 * MIN}`)).json()) as { items: { kind: string }[] };
    expect(ranged.items.map((a) => a.kind)).toEqual(['bed_exit_no_return']);
  });

  it('counts a rule error in anxin_rules_errors_total and keeps delivering to other subscribers', async () => {
    const bus = platform.get(DomainEventBus);
    const seen: number[] = [];
    bus.subscribe('TelemetryReceived', (e) => seen.push(e.seq));
    // A malformed event (no metrics) makes the engine throw; the adapter must swallow, log and count it.
    bus.publish('TelemetryReceived', { ...binding, ts: now, receivedAt: now, seq: 99, buffered: false } as unknown as TelemetryReceived);
    expect(seen).toEqual([99]);
    const metrics = await eventually(async () => {
      const text = await (await platform.api('/metrics')).text();
      return /anxin_rules_errors_total\{stage="evaluate"\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).toContain('anxin_alert_changes_total');
  });
});
