/**
 * Issue 11, point 6, on the console's wire: a fall seen by one device is
 * 待确认 (alert:pending) on the console of the provider its offer would go
 * to, and survives a reconnect. Two demo residents of one provider fall, each
 * seen by their radar alone (mosquitto_pub over the embedded broker), while
 * that provider's console is away; it reconnects with its cursor and gets
 * both as 待确认 in its resync. Away again: one resident stands up at 12 s,
 * the other lies still until the window ends; the next resync holds the
 * first's 已自行起身 and P2 welfare offer, the second's P1 offer and then the
 * end of its 待确认. Another provider's console hears none of it.
 * The platform runs on a clock the test moves (its only clock).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { dispatchResyncSchema, type AlertPendingPayload, type DispatchMissedEvent } from '../../../src/contracts/dispatch.contracts.js';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { providerStream } from '../../../src/dispatch/dispatch.service.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, LOGIN_PROVIDERS, login, mosquittoPub, residentsServedBy, TestConsole } from './dispatch.fixtures.js';

jest.setTimeout(120_000);

const SEC = 1_000;
const WINDOW_MS = 30 * SEC;

interface Device {
  readonly deviceId: string;
  readonly secret: string;
}

describe('a one-device fall is 待确认 on the covering console, across reconnects', () => {
  let platform: TestPlatform;
  let clock = Math.floor(Date.now() / SEC) * SEC;
  let providerId = '';
  let console_: TestConsole;
  let other: TestConsole;
  let recovers: Resident;
  let liesStill: Resident;
  let radarA: Device;
  let radarB: Device;
  let fallAt = 0;

  const publish = (d: Device, channel: 'event' | 'telemetry', body: Record<string, unknown>): Promise<number> =>
    mosquittoPub(platform.mqttPort, ['-i', d.deviceId, '-u', d.deviceId, '-P', d.secret, '-t', `anxin/v1/${d.deviceId}/${channel}`, '-m', JSON.stringify(body)]);
  const fallOf = async (r: Resident): Promise<Alert | undefined> => {
    const res = await platform.api(`/api/alerts?residentId=${r.id}&kind=fall`);
    return ((await res.json()) as { items: Alert[] }).items[0];
  };
  /** What the provider's stream holds after `since`, as the outbox has it (committed before any socket hears it). */
  const stream = async (since: number): Promise<DispatchMissedEvent[]> =>
    (await platform.get(WorkOrderRepository).readStream(providerStream(providerId), since, 500)).map((r) => ({ event: r.event, data: r.payload }) as DispatchMissedEvent);
  /** Reconnects with the last cursor seen and returns the resync the server pushes. */
  const reconnect = async (): Promise<DispatchMissedEvent[]> => {
    const before = console_.received.length;
    await console_.reconnect();
    const resync = await eventually(() => console_.received.slice(before).find((r) => r.event === 'resync'), 10_000);
    return dispatchResyncSchema.parse(resync.data).events;
  };
  const pendingOf = (events: readonly DispatchMissedEvent[], alertId: string): AlertPendingPayload[] =>
    events.flatMap((e) => (e.event === 'alert:pending' && e.data.alertId === alertId ? [e.data] : []));

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG, now: () => clock });
    for (const [key, [, id]] of Object.entries(LOGIN_PROVIDERS)) {
      const served = await residentsServedBy(platform, id);
      if (served.length < 2) continue;
      [recovers, liesStill] = served as [Resident, Resident];
      providerId = id;
      console_ = new TestConsole(platform.httpUrl, await login(platform, `${key}.dispatcher`));
      const otherKey = Object.keys(LOGIN_PROVIDERS).find((k) => k !== key) ?? key;
      other = new TestConsole(platform.httpUrl, await login(platform, `${otherKey}.dispatcher`), { autoAck: false });
      break;
    }
    await Promise.all([console_.connected(), other.connected()]);
    const radar = (r: Resident): Promise<Device> => provisionOverApi(platform, { type: 'fall-radar', residentId: r.id, label: '卧室雷达' });
    [radarA, radarB] = await Promise.all([radar(recovers), radar(liesStill)]);
  });

  afterAll(async () => {
    console_?.disconnect();
    other?.disconnect();
    await platform?.dispose();
  });

  it('a console back from an outage gets both falls as 待确认 by cursor: masked, counting down to the end of the window, nothing to accept', async () => {
    console_.disconnect();
    fallAt = clock;
    for (const d of [radarA, radarB]) expect(await publish(d, 'event', { seq: 1, ts: fallAt, event: 'fall', confidence: 0.9, zone: 'bedroom' })).toBe(0);
    const [a, b] = await eventually(async () => {
      const both = await Promise.all([fallOf(recovers), fallOf(liesStill)]);
      return both.every((x) => x !== undefined) ? (both as [Alert, Alert]) : undefined;
    }, 10_000);
    await eventually(async () => ((await stream(console_.lastCursor)).filter((e) => e.event === 'alert:pending').length === 2 ? true : undefined), 10_000);

    const missed = await reconnect();
    expect(missed.map((e) => e.event)).toEqual(['alert:pending', 'alert:pending']);
    for (const [alert, resident] of [[a, recovers], [b, liesStill]] as const) {
      expect(alert.awaitingConfirmationUntil).toBe(fallAt + WINDOW_MS);
      const [notice] = pendingOf(missed, alert.id);
      expect(notice).toMatchObject({ status: 'awaiting_confirmation', confirmBy: fallAt + WINDOW_MS, alert: { kind: 'fall', priority: 'P1' }, resident: { residentId: resident.id, masked: true } });
      if (notice?.status !== 'awaiting_confirmation') throw new Error('not an announcement');
      expect(notice.resident.displayName).not.toBe(resident.displayName);
    }
    // Nobody is paged yet: no offer anywhere.
    expect(console_.offers).toEqual([]);
  });

  it('after the window, the next resync holds the self-recovered fall with its P2 welfare offer, and the P1 offer of the other before the end of its 待确认', async () => {
    const [a, b] = (await Promise.all([fallOf(recovers), fallOf(liesStill)])) as [Alert, Alert];
    console_.disconnect();
    clock = fallAt + 12 * SEC;
    expect(await publish(radarA, 'telemetry', { seq: 2, ts: clock, presence: true, posture: 'standing', zone: 'bedroom', movement: 30 })).toBe(0);
    await eventually(async () => ((await fallOf(recovers))?.downgraded === true ? true : undefined), 10_000);
    clock = fallAt + WINDOW_MS;
    const settled = (events: DispatchMissedEvent[]): boolean => pendingOf(events, a.id).length === 1 && pendingOf(events, b.id).length === 1 && events.filter((e) => e.event === 'offer').length === 2;
    await eventually(async () => (settled(await stream(console_.lastCursor)) ? true : undefined), 10_000);

    const missed = await reconnect();
    expect(pendingOf(missed, a.id)).toEqual([{ cursor: expect.any(Number), alertId: a.id, status: 'self_recovered', note: '居民已自行取消/起身：跌倒后 12 秒雷达检测到站立，未派紧急单', at: fallAt + 12 * SEC }]);
    expect(pendingOf(missed, b.id)).toEqual([{ cursor: expect.any(Number), alertId: b.id, status: 'confirmed', note: null, at: fallAt + WINDOW_MS }]);
    const offers = missed.flatMap((e, i) => (e.event === 'offer' ? [{ i, alertId: e.data.alert.alertId, priority: e.data.alert.priority }] : []));
    expect(offers.map(({ alertId, priority }) => ({ alertId, priority }))).toEqual(expect.arrayContaining([{ alertId: a.id, priority: 'P2' }, { alertId: b.id, priority: 'P1' }]));
    expect(offers).toHaveLength(2);
    // The console has the P1 offer in hand when the 待确认 card goes.
    const endOfB = missed.findIndex((e) => e.event === 'alert:pending' && e.data.alertId === b.id);
    expect(offers.find((o) => o.alertId === b.id)?.i).toBeLessThan(endOfB);
    // And never a P1 for the resident who got up.
    expect(console_.offers.map((o) => o.offer.alert.alertId).sort()).toEqual([a.id, b.id].sort());
  });

  it('another provider’s console never hears of either fall', () => {
    const seen = JSON.stringify(other.received);
    expect(other.received.filter((r) => r.event === 'alert:pending' || r.event === 'offer')).toEqual([]);
    expect(seen).not.toContain(recovers.id);
    expect(seen).not.toContain(liesStill.id);
  });
});
