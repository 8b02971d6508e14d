/**
 * Issue 5, acceptances 2 and 3: an offer nobody accepts moves to the next
 * candidate after its timeout, then to the district duty officer, and the
 * family webhook (a real node:http server) receives its notification once —
 * with an injected clock, and with real short timeouts (P1 accept 1 s). The
 * timer survives a backend restart between offer and timeout.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DispatchService } from '../../../src/dispatch/dispatch.service.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { WebhookNotifier } from '../../../src/dispatch/webhook.notifier.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import type { WorkOrderSnapshot } from '../../../src/domain/dispatch/work-order.schema.js';
import { startTestPlatform, type TestConfig, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, makeFallAlert, residentWithCandidates, startWebhookReceiver, type WebhookReceiver } from '../../e2e/dispatch/dispatch.fixtures.js';

async function orderOf(platform: TestPlatform, alertId: string): Promise<WorkOrderSnapshot | undefined> {
  return (await platform.get(WorkOrderRepository).byAlert(alertId))[0];
}

describe('an offer nobody accepts', () => {
  let family: WebhookReceiver;
  let duty: WebhookReceiver;
  /** The demo dataset, with both webhooks pointing at this test's receivers and the given P1 accept SLA. */
  const configWith = (p1AcceptMs?: number): TestConfig => ({
    ...DEMO_CONFIG,
    dispatch: {
      notify: { familyUrl: `${family.url}/family`, dutyUrl: `${duty.url}/duty` },
      ...(p1AcceptMs !== undefined ? { sla: { p1AcceptMs } } : {}),
    },
  });

  beforeEach(async () => {
    family = await startWebhookReceiver(1); // the first delivery fails: the notifier retries
    duty = await startWebhookReceiver();
  });

  afterEach(async () => {
    await family.close();
    await duty.close();
  });

  it('moves to the next candidate at each accept timeout, then to the duty officer, and notifies the family once (injected clock)', async () => {
    let now = Date.UTC(2026, 0, 15, 2, 0, 0);
    const platform = await startTestPlatform({ config: configWith(), now: () => now });
    try {
      const { resident, candidates } = await residentWithCandidates(platform, 2);
      const alert = makeFallAlert(resident.id, now);
      platform.get(DomainEventBus).publish('AlertRaised', { type: 'AlertRaised', alert });
      const first = await eventually(() => orderOf(platform, alert.id));
      expect(first.attempts.map((a) => a.candidate.providerId)).toEqual([candidates[0]]);
      const service = platform.get(DispatchService);

      // One millisecond before the deadline nothing happens.
      now += 60_000 - 1;
      expect(await service.tick()).toBe(0);
      for (let i = 1; i < candidates.length; i++) {
        now += 1;
        expect(await service.tick()).toBe(1);
        const o = await orderOf(platform, alert.id);
        expect(o?.state).toBe('offered');
        expect(o?.attempts.map((a) => a.outcome)).toEqual([...Array<string>(i).fill('timed_out'), 'pending']);
        expect(o?.attempts[i]?.candidate.providerId).toBe(candidates[i]);
        now += 60_000 - 1;
      }
      now += 1;
      expect(await service.tick()).toBe(1);
      const escalated = await orderOf(platform, alert.id);
      expect(escalated).toMatchObject({ state: 'escalated', escalationReason: 'candidates_exhausted', familyNotifiedAt: now });

      // The webhook answered 503 once; the notifier retries with backoff, then delivers exactly once.
      // Let the injected clock run: each probe advances it 2 s and wakes the notifier.
      const notifier = platform.get(WebhookNotifier);
      const delivered = await eventually(() => {
        now += 2_000;
        notifier.kick();
        return family.requests.length > 0 ? family.requests : undefined;
      }, 10_000, 50);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({ path: '/family', idempotencyKey: `family:${escalated?.id ?? ''}`, body: { type: 'family_notification', orderId: escalated?.id, kind: 'fall', priority: 'P1' } });
      expect((delivered[0]?.body as { contacts: unknown[] }).contacts).toEqual(resident.emergencyContacts);
      await eventually(() => (duty.requests.length > 0 ? duty.requests : undefined), 5_000);
      expect(duty.requests[0]?.body).toMatchObject({ type: 'escalation', reason: 'candidates_exhausted', orderId: escalated?.id });
      await new Promise((r) => setTimeout(r, 300));
      expect(family.requests).toHaveLength(1);
    } finally {
      await platform.dispose();
    }
  }, 30_000);

  it('times out for real after the configured 1 s accept window, then escalates and notifies the family', async () => {
    const platform = await startTestPlatform({ config: configWith(1_000) });
    try {
      const { resident, candidates } = await residentWithCandidates(platform, 2);
      const alert = makeFallAlert(resident.id, Date.now());
      platform.get(DomainEventBus).publish('AlertRaised', { type: 'AlertRaised', alert });
      const escalated = await eventually(async () => {
        const o = await orderOf(platform, alert.id);
        return o?.state === 'escalated' ? o : undefined;
      }, candidates.length * 1_000 + 3_000, 20);
      expect(escalated.attempts.map((a) => a.candidate.providerId)).toEqual(candidates);
      for (const a of escalated.attempts) {
        // Each offer ended on its deadline, within the scheduler's jitter.
        expect((a.endedAt ?? 0) - a.acceptBy).toBeGreaterThanOrEqual(0);
        expect((a.endedAt ?? 0) - a.acceptBy).toBeLessThan(150);
      }
      const [req] = await eventually(() => (family.requests.length > 0 ? family.requests : undefined), 8_000);
      expect(req).toMatchObject({ idempotencyKey: `family:${escalated.id}` });
    } finally {
      await platform.dispose();
    }
  }, 30_000);

  it('fires the accept timeout on time after a backend restart between offer and timeout', async () => {
    const config = configWith(4_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'anxin-dispatch-restart-'));
    try {
      let platform = await startTestPlatform({ config, dataDir });
      const { resident, candidates } = await residentWithCandidates(platform, 2);
      const alert = makeFallAlert(resident.id, Date.now());
      platform.get(DomainEventBus).publish('AlertRaised', { type: 'AlertRaised', alert });
      const offered = await eventually(() => orderOf(platform, alert.id));
      await platform.close();
      platform = await startTestPlatform({ config, dataDir });
      try {
        const acceptBy = offered.attempts[0]?.acceptBy ?? 0;
        expect(Date.now()).toBeLessThan(acceptBy); // restarted before the deadline
        const moved = await eventually(async () => {
          const o = await orderOf(platform, alert.id);
          return o !== undefined && o.attempts.length >= 2 ? o : undefined;
        }, 8_000, 20);
        const ended = moved.attempts[0]?.endedAt ?? 0;
        expect(ended - acceptBy).toBeGreaterThanOrEqual(0);
        expect(ended - acceptBy).toBeLessThan(150);
        expect(moved.attempts[1]?.candidate.providerId).toBe(candidates[1]);
      } finally {
        await platform.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
