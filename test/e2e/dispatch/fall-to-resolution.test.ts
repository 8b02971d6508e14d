/**
 * Issue 5, acceptance 1: a fall published over MQTT (mosquitto_pub) for a
 * demo resident, confirmed by a second device → the nearest covering
 * provider's console (a real socket.io-client) receives the offer within 1 s
 * → accept → en route → on site → resolved; the district KPIs (REST and
 * kpi:update) reflect it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DistrictKpis } from '../../../src/domain/dispatch/kpi.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, districtConsole, eventually, LOGIN_PROVIDERS, login, mosquittoPub, residentsServedBy, TestConsole } from './dispatch.fixtures.js';

const OFFICERS: Readonly<Record<string, string>> = { '420103': 'jianghan', '420106': 'wuchang', '420111': 'hongshan' };

describe('a fall from a device to a resolved work order', () => {
  let platform: TestPlatform;
  let resident: Resident;
  let providerKey: string;
  const consoles: TestConsole[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG });
    for (const [key, [, providerId]] of Object.entries(LOGIN_PROVIDERS)) {
      const [first] = await residentsServedBy(platform, providerId);
      if (first) {
        resident = first;
        providerKey = key;
        break;
      }
    }
  });

  afterAll(async () => {
    for (const c of consoles) c.disconnect();
    await platform.dispose();
  });

  it('offers the fall to the nearest covering provider within 1 s and follows it to resolution, with KPIs', async () => {
    expect(resident).toBeDefined();
    const [districtCode, providerId] = LOGIN_PROVIDERS[providerKey] ?? ['', ''];
    const caregiver = new TestConsole(platform.httpUrl, await login(platform, `${providerKey}.caregiver1`));
    const dispatcher = new TestConsole(platform.httpUrl, await login(platform, `${providerKey}.dispatcher`));
    const other = Object.keys(LOGIN_PROVIDERS).find((k) => k !== providerKey) ?? '';
    const stranger = new TestConsole(platform.httpUrl, await login(platform, `${other}.dispatcher`));
    const officer = districtConsole(platform.httpUrl, await login(platform, `${OFFICERS[districtCode] ?? ''}.officer`));
    consoles.push(caregiver, dispatcher, stranger, officer);
    await Promise.all(consoles.map((c) => c.connected()));

    // The radar's report alone waits out its cancel window (待确认); the
    // wearable's report of the same fall confirms it, and that pages.
    const device = await provisionOverApi(platform, { type: 'fall-radar', residentId: resident.id, label: '卫生间雷达' });
    const wearable = await provisionOverApi(platform, { type: 'wearable', residentId: resident.id, label: '手环' });
    const fallAt = Date.now();
    const publishFall = (d: { deviceId: string; secret: string }, body: Record<string, unknown>): Promise<number> =>
      mosquittoPub(platform.mqttPort, ['-i', d.deviceId, '-u', d.deviceId, '-P', d.secret, '-t', `anxin/v1/${d.deviceId}/event`, '-m', JSON.stringify({ seq: 1, event: 'fall', ...body })]);
    expect(await publishFall(device, { ts: fallAt, confidence: 0.93, zone: 'bathroom' })).toBe(0);
    const pending = await eventually(async () => {
      const { items } = (await (await platform.api(`/api/alerts?residentId=${resident.id}&kind=fall`)).json()) as { items: { awaitingConfirmationUntil: number | null }[] };
      return items[0];
    });
    expect(pending.awaitingConfirmationUntil).toBe(fallAt + 30_000);
    expect(caregiver.offers).toEqual([]);
    const publishedAt = Date.now();
    expect(await publishFall(wearable, { ts: fallAt + 1_000, confidence: 0.8 })).toBe(0);

    const { offer, at } = await eventually(() => caregiver.offers[0], 3_000);
    expect(at - publishedAt).toBeLessThan(1_000);
    expect(offer).toMatchObject({ providerId, attempt: 1, service: expect.any(String), alert: { kind: 'fall', priority: 'P1' }, resident: { residentId: resident.id, masked: true } });
    expect(offer.resident.displayName).not.toBe(resident.displayName);
    await eventually(() => dispatcher.offers[0]);
    // The district screen hears of the new alert itself, not only of its work order.
    await eventually(() => officer.received.find((r) => r.event === 'alert:update' && (r.data as { kind: string; state: string }).kind === 'fall' && (r.data as { state: string }).state === 'active'));

    // The resident card's vitals: the offered provider's staff may read them, another provider's may not.
    const vitals = (username: string): Promise<Response> =>
      login(platform, username).then((token) => fetch(`${platform.httpUrl}/api/residents/${resident.id}/vitals`, { headers: { authorization: `Bearer ${token}` } }));
    expect((await vitals(`${providerKey}.caregiver1`)).status).toBe(200);
    expect((await vitals(`${other}.dispatcher`)).status).toBe(403);

    const accepted = (await caregiver.command('order:accept', { orderId: offer.orderId, attempt: 1 })) as { ok: boolean; order: { state: string } };
    expect(accepted).toMatchObject({ ok: true, order: { state: 'accepted', attemptOutcome: 'accepted' } });
    // The staff who accepted may now see the resident unmasked; another provider may not.
    const card = (username: string): Promise<Response> =>
      login(platform, username).then((token) => fetch(`${platform.httpUrl}/api/orders/${offer.orderId}/resident`, { headers: { authorization: `Bearer ${token}` } }));
    const unmasked = await card(`${providerKey}.caregiver1`);
    expect(unmasked.status).toBe(200);
    expect(await unmasked.json()).toMatchObject({ masked: false, displayName: resident.displayName });
    expect([403, 404]).toContain((await card(`${other}.dispatcher`)).status);
    expect(await caregiver.command('order:en_route', { orderId: offer.orderId })).toMatchObject({ ok: true, order: { state: 'en_route' } });
    expect(await caregiver.command('order:on_site', { orderId: offer.orderId })).toMatchObject({ ok: true, order: { state: 'on_site' } });
    expect(await caregiver.command('order:resolve', { orderId: offer.orderId, outcome: 'real_emergency', notes: '老人摔倒，已扶起，无明显外伤' })).toMatchObject({
      ok: true,
      order: { state: 'resolved', outcome: 'real_emergency' },
    });
    // The other console of the same provider saw every step; another provider saw nothing.
    await eventually(() => dispatcher.received.find((r) => r.event === 'order:update' && (r.data as { state: string }).state === 'resolved'));
    expect(stranger.received).toEqual([]);

    // 结案 closes the loop: the fall alert is cleared by the caregiver with the order's outcome, and the district screen hears it.
    const cleared = await eventually(() =>
      officer.received.find((r) => r.event === 'alert:update' && (r.data as { kind: string; state: string }).kind === 'fall' && (r.data as { state: string }).state === 'cleared'),
    );
    const alertId = (cleared.data as { alertId: string }).alertId;
    const stored = (await (await platform.api(`/api/alerts/${alertId}`)).json()) as { state: string; clearedBy: string; clearNote: string };
    expect(stored).toMatchObject({ state: 'cleared', clearNote: '工单结案：确有紧急情况（老人摔倒，已扶起，无明显外伤）' });
    expect(stored.clearedBy).not.toBe('system');

    const officerToken = await login(platform, `${OFFICERS[districtCode] ?? ''}.officer`);
    const kpis = await eventually(async () => {
      const res = await fetch(`${platform.httpUrl}/api/kpis?districtCode=${districtCode}`, { headers: { authorization: `Bearer ${officerToken}` } });
      const body = (await res.json()) as DistrictKpis;
      return body.district.resolved === 1 ? body : undefined;
    });
    // The demo fleet may raise other alerts in the district (e.g. devices that never came online): count ours.
    expect(kpis.district).toMatchObject({ acceptedWithinSla: 1, resolved: 1, falseAlarms: 0, falseAlarmShare: 0 });
    expect(kpis.district.acceptTime.samples).toBe(1);
    expect(kpis.district.onSiteTime.samples).toBe(1);
    expect(kpis.streets.find((s) => s.streetCode === resident.streetCode)).toMatchObject({ resolved: 1, acceptedWithinSla: 1 });
    const pushed = await eventually(() => officer.received.find((r) => r.event === 'kpi:update' && (r.data as DistrictKpis).district.resolved === 1));
    expect(pushed.data).toMatchObject({ districtCode, district: { resolved: 1, acceptedWithinSla: 1 } });
    expect(officer.received.some((r) => r.event === 'order:update' && (r.data as { state: string }).state === 'resolved')).toBe(true);

    const res = await fetch(`${platform.httpUrl}/api/orders?state=resolved`, { headers: { authorization: `Bearer ${await login(platform, `${other}.dispatcher`)}` } });
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
