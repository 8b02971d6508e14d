/**
 * End to end (issue 3, acceptance 4): a provisioned fall radar publishes a
 * fall with mosquitto_pub → the broker → ingest (durable commit) → the rule
 * engine → an active critical `fall` alert, emitted on the domain event bus
 * within 100 ms of ingest and stored with its evidence (REST).
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AlertRaised } from '../../../src/domain/alerts/alert.schema.js';
import type { DeviceEventReceived } from '../../../src/domain/events/domain-events.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { eventually, seedResident } from './alerting.fixtures.js';

const mosquittoPub = (port: number, args: string[]): Promise<number> =>
  new Promise((resolve) => {
    execFile('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', ...args], { timeout: 5_000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
    });
  });

interface StoredAlert {
  id: string;
  kind: string;
  residentId: string;
  severity: string;
  priority: string;
  state: string;
  acknowledged: boolean;
  count: number;
  firstRaisedAt: number;
  lastTriggeredAt: number;
  evidence: { ruleId: string; summary: string; thresholds: Record<string, number>; samples: { deviceId: string; metric: string; value: unknown }[] };
}

describe('fall event from a device to a stored, emitted alert', () => {
  let platform: TestPlatform;
  let device: { deviceId: string; secret: string };
  const ingested: { event: DeviceEventReceived; at: number }[] = [];
  const raised: { change: AlertRaised; at: number }[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    const resident = await seedResident(platform);
    device = await provisionOverApi(platform, { type: 'fall-radar', residentId: resident.id, label: '卫生间雷达' });
    const bus = platform.get(DomainEventBus);
    bus.subscribe('DeviceEventReceived', (event) => ingested.push({ event, at: Date.now() }));
    bus.subscribe('AlertRaised', (change) => raised.push({ change, at: Date.now() }));
  });

  afterAll(async () => {
    await platform.dispose();
  });

  it('raises an active critical fall alert with evidence within 100 ms of ingest, and stores it', async () => {
    const ts = Date.now();
    const payload = JSON.stringify({ seq: 1, ts, event: 'fall', confidence: 0.93, zone: 'bathroom' });
    const exit = await mosquittoPub(platform.mqttPort, ['-i', device.deviceId, '-u', device.deviceId, '-P', device.secret, '-t', `anxin/v1/${device.deviceId}/event`, '-m', payload]);
    expect(exit).toBe(0);

    const emitted = await eventually(() => raised.find((r) => r.change.alert.kind === 'fall'));
    const event = ingested.find((i) => i.event.event === 'fall')?.event;
    expect(event).toBeDefined();
    // From the broker handing the message to ingest (receivedAt: before the durable commit) to AlertRaised on the bus.
    const latencyMs = emitted.at - (event?.receivedAt ?? Number.NaN);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThan(100);
    expect(emitted.change.alert).toMatchObject({ kind: 'fall', residentId: 'r-alert-1', deviceId: device.deviceId, severity: 'critical', priority: 'P1', state: 'active', firstRaisedAt: ts });

    const stored = await eventually(async () => {
      const res = await platform.api('/api/alerts?residentId=r-alert-1&kind=fall&state=active');
      const body = (await res.json()) as { items: StoredAlert[] };
      return body.items[0];
    });
    expect(stored).toMatchObject({ id: emitted.change.alert.id, kind: 'fall', severity: 'critical', priority: 'P1', state: 'active', acknowledged: false, count: 1, firstRaisedAt: ts, lastTriggeredAt: ts });
    expect(stored.evidence.ruleId).toBe('fall.event');
    expect(stored.evidence.thresholds).toEqual({ cancelWindowMs: 30_000 });
    expect(stored.evidence.samples).toEqual([{ ts, deviceId: device.deviceId, metric: 'fall', value: 0.93 }]);
    expect(stored.evidence.summary).toContain('跌倒');
  });

  it('lets a person clear the fall (a machine never does), with the history naming who', async () => {
    const [active] = raised.filter((r) => r.change.alert.kind === 'fall');
    const id = active?.change.alert.id ?? 'missing';
    const cleared = await platform.api(`/api/alerts/${id}/clear`, { method: 'POST', headers: { 'x-anxin-actor': 'worker-7' }, body: JSON.stringify({ note: '上门确认：已扶起，无外伤' }) });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ id, state: 'cleared', clearedBy: 'worker-7', acknowledged: true });
    const again = await platform.api(`/api/alerts/${id}/clear`, { method: 'POST', body: JSON.stringify({ note: 'twice' }) });
    expect(again.status).toBe(409);
    const detail = (await (await platform.api(`/api/alerts/${id}`)).json()) as { history: { type: string; actor: string }[]; version: number };
    expect(detail.history.map((h) => `${h.type}:${h.actor}`)).toEqual(['AlertRaised:system', 'AlertCleared:worker-7']);
    expect(detail.version).toBe(2);
  });
});
