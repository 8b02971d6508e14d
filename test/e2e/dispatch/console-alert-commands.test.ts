/**
 * Issue 11, point 3: a provider console acknowledges (确认告警) and clears
 * (解除告警) the alert of an order its provider holds, and only such alerts.
 * An SOS pressed over MQTT (mosquitto_pub) is offered to the nearest covering
 * provider's console (a real socket.io-client); another provider's console is
 * refused by name (`not_your_order`), every refusal counted in /metrics, and
 * every acknowledgement and clear is in the audit trail with the order as its
 * purpose. Clearing the alert leaves the order's own lifecycle to its staff.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';
import type { AlertCommandResult, AlertUpdatePayload } from '../../../src/contracts/dispatch.contracts.js';
import type { AuditEntry } from '../../../src/domain/audit/audit-entry.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, LOGIN_PROVIDERS, login, mosquittoPub, residentsServedBy, TestConsole } from './dispatch.fixtures.js';

const OFFICERS: Readonly<Record<string, string>> = { '420103': 'jianghan', '420106': 'wuchang', '420111': 'hongshan' };

interface StoredAlert {
  readonly id: string;
  readonly state: string;
  readonly acknowledged: boolean;
  readonly acknowledgedBy: string | null;
  readonly clearedBy: string | null;
  readonly clearNote: string | null;
}

describe("a provider console acknowledges and clears its own order's alert, and only its own", () => {
  let platform: TestPlatform;
  let resident: Resident;
  let providerKey: string;
  let caregiver: TestConsole;
  let stranger: TestConsole;
  let officer: TestConsole;
  let caregiverStaffId: string;
  let orderId: string;
  let alertId: string;

  const alert = async (): Promise<StoredAlert> => (await (await platform.api(`/api/alerts/${alertId}`)).json()) as StoredAlert;
  const auditOf = async (action: string): Promise<AuditEntry[]> => ((await (await platform.api(`/api/audit?action=${action}`)).json()) as { items: AuditEntry[] }).items;
  /** anxin_dispatch_alert_commands_refused_total by `command reason`, from /metrics. */
  const refusals = async (): Promise<Record<string, number>> => {
    const text = await (await platform.api('/metrics')).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^anxin_dispatch_alert_commands_refused_total\{([^}]*)\} (\d+)$/gm)) {
      const labels = new Map([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l): [string, string] => [l[1] ?? '', l[2] ?? '']));
      out[`${labels.get('command')} ${labels.get('reason')}`] = Number(m[2]);
    }
    return out;
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG });
    for (const [key, [, providerId]] of Object.entries(LOGIN_PROVIDERS)) {
      const [first] = await residentsServedBy(platform, providerId, 'sos');
      if (first) {
        resident = first;
        providerKey = key;
        break;
      }
    }
    const [districtCode] = LOGIN_PROVIDERS[providerKey] ?? [''];
    const caregiverLogin = (await (
      await fetch(`${platform.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `${providerKey}.caregiver1`, password: DEMO_PASSWORD }) })
    ).json()) as { token: string; account: { staffId: string } };
    caregiverStaffId = caregiverLogin.account.staffId;
    caregiver = new TestConsole(platform.httpUrl, caregiverLogin.token);
    // Another provider, of the same district when there is one (the closest thing to a rightful claim).
    const others = Object.keys(LOGIN_PROVIDERS).filter((k) => k !== providerKey);
    const other = others.find((k) => LOGIN_PROVIDERS[k]?.[0] === districtCode) ?? others[0] ?? '';
    stranger = new TestConsole(platform.httpUrl, await login(platform, `${other}.dispatcher`));
    officer = new TestConsole(platform.httpUrl, await login(platform, `${OFFICERS[districtCode] ?? ''}.officer`), { namespace: '/district' });
    await Promise.all([caregiver, stranger, officer].map((c) => c.connected()));

    const button = await provisionOverApi(platform, { type: 'sos-button', residentId: resident.id, label: '床头呼叫按钮' });
    const payload = JSON.stringify({ seq: 1, ts: Date.now(), event: 'sos' });
    expect(await mosquittoPub(platform.mqttPort, ['-i', button.deviceId, '-u', button.deviceId, '-P', button.secret, '-t', `anxin/v1/${button.deviceId}/event`, '-m', payload])).toBe(0);
    const { offer } = await eventually(() => caregiver.offers[0], 3_000);
    expect(offer.alert).toMatchObject({ kind: 'sos', priority: 'P1' });
    orderId = offer.orderId;
    alertId = offer.alert.alertId ?? '';
  });

  afterAll(async () => {
    for (const c of [caregiver, stranger, officer]) c?.disconnect();
    await platform.dispose();
  });

  it('refuses by name, counts every refusal and changes nothing: another provider, an offer not yet accepted, a bad payload, an unknown order', async () => {
    expect(resident).toBeDefined();
    const before = await refusals();
    const cases: [TestConsole, 'alert:acknowledge' | 'alert:clear', unknown, string][] = [
      [stranger, 'alert:clear', { orderId, note: '不是我们的工单' }, 'not_your_order'],
      [stranger, 'alert:acknowledge', { orderId }, 'not_your_order'],
      [caregiver, 'alert:acknowledge', { orderId }, 'not_accepted'],
      [caregiver, 'alert:clear', { orderId, note: '   ' }, 'invalid_payload'],
      [caregiver, 'alert:clear', { orderId: 'ord-nope', note: '误按' }, 'not_found'],
    ];
    for (const [who, command, body, code] of cases) {
      expect({ command, body, result: await who.command(command, body as never) }).toEqual({ command, body, result: { ok: false, error: { code, message: expect.any(String) } } });
    }
    expect(await refusals()).toEqual({
      ...before,
      'alert:clear not_your_order': (before['alert:clear not_your_order'] ?? 0) + 1,
      'alert:acknowledge not_your_order': (before['alert:acknowledge not_your_order'] ?? 0) + 1,
      'alert:acknowledge not_accepted': (before['alert:acknowledge not_accepted'] ?? 0) + 1,
      'alert:clear invalid_payload': (before['alert:clear invalid_payload'] ?? 0) + 1,
      'alert:clear not_found': (before['alert:clear not_found'] ?? 0) + 1,
    });
    expect(await alert()).toMatchObject({ state: 'active', acknowledged: false });
    // Refusals are counted, not written to the trail (the trail records what was done).
    expect([...(await auditOf('alert.acknowledge')), ...(await auditOf('alert.clear'))]).toEqual([]);
  });

  it('acknowledges the alert of an order the provider accepted, as the staff member, audited with the order as purpose', async () => {
    expect(await caregiver.command('order:accept', { orderId, attempt: 1 })).toMatchObject({ ok: true, order: { state: 'accepted' } });
    const result = (await caregiver.command('alert:acknowledge', { orderId })) as AlertCommandResult;
    expect(result).toEqual({ ok: true, alert: { alertId, orderId, kind: 'sos', state: 'active', acknowledged: true, clearNote: null } });
    expect(await alert()).toMatchObject({ state: 'active', acknowledged: true, acknowledgedBy: caregiverStaffId });
    await eventually(() => caregiver.received.find((r) => r.event === 'alert:update' && (r.data as AlertUpdatePayload).acknowledged));
    expect(await auditOf('alert.acknowledge')).toEqual([
      expect.objectContaining({ actorName: `${providerKey}.caregiver1`, role: 'caregiver', targetKind: 'alert', targetId: alertId, residentId: resident.id, districtCode: resident.districtCode, purpose: orderId, detail: { kind: 'sos', orderId } }),
    ]);
    // Taking the order made it the caregiver's provider's, nobody else's.
    expect(await stranger.command('alert:acknowledge', { orderId })).toMatchObject({ ok: false, error: { code: 'not_your_order' } });
  });

  it('clears the alert with the note, the district screen hears it, and the order keeps its own lifecycle', async () => {
    const note = '电话确认老人误按，已上门查看无异常';
    const result = (await caregiver.command('alert:clear', { orderId, note })) as AlertCommandResult;
    expect(result).toEqual({ ok: true, alert: { alertId, orderId, kind: 'sos', state: 'cleared', acknowledged: true, clearNote: note } });
    expect(await alert()).toMatchObject({ state: 'cleared', clearedBy: caregiverStaffId, clearNote: note });
    await eventually(() => officer.received.find((r) => r.event === 'alert:update' && (r.data as { alertId: string; state: string }).alertId === alertId && (r.data as { state: string }).state === 'cleared'));
    expect(await auditOf('alert.clear')).toEqual([expect.objectContaining({ actorName: `${providerKey}.caregiver1`, targetId: alertId, residentId: resident.id, purpose: orderId, detail: { kind: 'sos', orderId } })]);

    // The order is still the caregiver's to finish: 出发, 到达, 结案 as before.
    const order = await (await fetch(`${platform.httpUrl}/api/orders/${orderId}`, { headers: { authorization: `Bearer ${await login(platform, `${providerKey}.caregiver1`)}` } })).json();
    expect(order).toMatchObject({ state: 'accepted' });
    expect(await caregiver.command('order:en_route', { orderId })).toMatchObject({ ok: true, order: { state: 'en_route' } });
    expect(await caregiver.command('order:on_site', { orderId })).toMatchObject({ ok: true, order: { state: 'on_site' } });
    expect(await caregiver.command('order:resolve', { orderId, outcome: 'false_alarm', notes: '误按' })).toMatchObject({ ok: true, order: { state: 'resolved', outcome: 'false_alarm' } });
    // 结案 finds the alert cleared already: the person's note stays.
    await eventually(() => caregiver.received.find((r) => r.event === 'order:update' && (r.data as { state: string }).state === 'resolved'));
    expect(await alert()).toMatchObject({ state: 'cleared', clearNote: note });

    const before = await refusals();
    expect(await caregiver.command('alert:clear', { orderId, note: '再次解除' })).toMatchObject({ ok: false, error: { code: 'already_cleared' } });
    expect((await refusals())['alert:clear already_cleared']).toBe((before['alert:clear already_cleared'] ?? 0) + 1);
  });
});
