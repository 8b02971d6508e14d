/**
 * Issue 11, acceptance 7: falls are confirmed before they page. Through the
 * real platform (demo dataset), falls published with mosquitto_pub over the
 * embedded broker, and a real socket.io console of the covering provider:
 * - one device reports a fall, the resident stands up 12 s later: no P1
 *   offer ever goes out; the alert is kept as self-recovered (downgraded,
 *   "未派紧急单") and a P2 welfare call is offered instead;
 * - one device reports a fall and nothing moves afterwards: the P1 offer goes
 *   out at the end of the 30 s cancel window, not before;
 * - the radar and the wearable both report the fall: P1 at once, confirmed by
 *   the second device.
 * The three homes run side by side, so the test waits out one window, in real
 * time (the platform's clock is the wall clock here).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import type { OfferPayload } from '../../../src/contracts/dispatch.contracts.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, LOGIN_PROVIDERS, login, mosquittoPub, residentsServedBy, TestConsole } from './dispatch.fixtures.js';

jest.setTimeout(120_000);

const WINDOW_MS = 30_000;

interface Device {
  readonly deviceId: string;
  readonly secret: string;
}

describe('a fall is confirmed before it pages', () => {
  let platform: TestPlatform;
  let console_: TestConsole;
  let recovers: Resident;
  let liesStill: Resident;
  let twoDevices: Resident;
  let fallAt = 0;

  const publish = (d: Device, channel: 'event' | 'telemetry', body: Record<string, unknown>): Promise<number> =>
    mosquittoPub(platform.mqttPort, ['-i', d.deviceId, '-u', d.deviceId, '-P', d.secret, '-t', `anxin/v1/${d.deviceId}/${channel}`, '-m', JSON.stringify(body)]);
  const offersFor = (r: Resident): { offer: OfferPayload; at: number }[] => console_.offers.filter((o) => o.offer.resident.residentId === r.id);
  const fallOf = async (r: Resident): Promise<Alert> => {
    const res = await platform.api(`/api/alerts?residentId=${r.id}&kind=fall`);
    const { items } = (await res.json()) as { items: Alert[] };
    const [alert] = items;
    if (!alert) throw new Error(`no fall alert for ${r.id}`);
    return alert;
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG });
    for (const [key, [, providerId]] of Object.entries(LOGIN_PROVIDERS)) {
      const served = await residentsServedBy(platform, providerId);
      if (served.length < 3) continue;
      [recovers, liesStill, twoDevices] = served as [Resident, Resident, Resident];
      console_ = new TestConsole(platform.httpUrl, await login(platform, `${key}.dispatcher`));
      break;
    }
    await console_.connected();
    const radar = async (r: Resident): Promise<Device> => provisionOverApi(platform, { type: 'fall-radar', residentId: r.id, label: '卧室雷达' });
    const [radarA, radarB, radarC] = await Promise.all([radar(recovers), radar(liesStill), radar(twoDevices)]);
    const wearableC = await provisionOverApi(platform, { type: 'wearable', residentId: twoDevices.id, label: '手环' });

    fallAt = Date.now();
    const fall = (seq: number): Record<string, unknown> => ({ seq, ts: fallAt, event: 'fall', confidence: 0.9, zone: 'bedroom' });
    for (const d of [radarA, radarB, radarC]) expect(await publish(d, 'event', fall(1))).toBe(0);
    expect(await publish(wearableC, 'event', { seq: 1, ts: fallAt + 2_000, event: 'fall', confidence: 0.8 })).toBe(0);

    // 12 s after the fall the radar sees the first resident standing.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, fallAt + 12_000 - Date.now())));
    expect(await publish(radarA, 'telemetry', { seq: 2, ts: fallAt + 12_000, presence: true, posture: 'standing', zone: 'bedroom', movement: 30 })).toBe(0);
  });

  afterAll(async () => {
    console_?.disconnect();
    await platform?.dispose();
  });

  it('radar and wearable both reporting the fall: P1 at once, confirmed by the second device', async () => {
    const { offer } = await eventually(() => offersFor(twoDevices)[0], 10_000);
    expect(offer).toMatchObject({ attempt: 1, alert: { kind: 'fall', priority: 'P1' } });
    const alert = await fallOf(twoDevices);
    expect(alert).toMatchObject({ count: 2, awaitingConfirmationUntil: null, severity: 'critical' });
    expect(alert.evidence.summary).toContain('智能手环同时报告跌倒，已确认');
  });

  it('a fall with no movement afterwards: P1 at the end of the window, not before', async () => {
    const { offer, at } = await eventually(() => offersFor(liesStill)[0], 45_000, 50);
    expect(offer).toMatchObject({ attempt: 1, alert: { kind: 'fall', priority: 'P1' } });
    expect(at).toBeGreaterThanOrEqual(fallAt + WINDOW_MS);
    const alert = await fallOf(liesStill);
    expect(alert.awaitingConfirmationUntil).toBeNull();
    expect(alert.evidence.summary).toContain('30 秒内未起身或取消，已确认');
  });

  it('a one-device fall followed by standing at 12 s: never a P1 offer, kept as self-recovered with a P2 welfare call', async () => {
    // By now the window of the fall has ended (the previous case waited it out).
    expect(Date.now()).toBeGreaterThanOrEqual(fallAt + WINDOW_MS);
    const { offer } = await eventually(() => offersFor(recovers)[0], 10_000);
    expect(offer).toMatchObject({ alert: { kind: 'fall', priority: 'P2' } });
    expect(offersFor(recovers).map((o) => o.offer.alert.priority)).toEqual(['P2']);
    const alert = await fallOf(recovers);
    expect(alert).toMatchObject({ state: 'active', downgraded: true, severity: 'warning', priority: 'P2', awaitingConfirmationUntil: null });
    expect(alert.downgradeReason).toBe('居民已自行取消/起身：跌倒后 12 秒雷达检测到站立，未派紧急单');
  });
});
