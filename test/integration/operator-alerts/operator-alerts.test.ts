/**
 * Operator alerts end to end inside one process: what the broker or the login
 * throttle raises is counted on /metrics, kept in SQL across a restart, and
 * listed to the platform admin (newest first, filtered, paged), and to nobody else.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OperatorAlert, OperatorAlertSink } from '../../../src/domain/operator-alerts/operator-alert.js';
import type { OperatorAlertStore } from '../../../src/operator-alerts/operator-alert.store.js';
import { OPERATOR_ALERTS } from '../../../src/platform.tokens.js';
import { TEST_ADMIN_TOKEN, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { call, startDemoPlatform, T0, tokenOf } from '../accounts/access.fixtures.js';

const takeover = (subject: string, raisedAt: number): OperatorAlert => ({
  kind: 'mqtt_session_takeover',
  subject,
  raisedAt,
  detail: { takeovers: 3, windowMs: 600_000, addresses: ['127.0.0.2', '127.0.0.3'] },
});

interface AlertPage {
  items: { id: string; kind: string; subject: string; raisedAt: number; detail: Record<string, unknown> }[];
  nextCursor: string | null;
}

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startDemoPlatform({ now: () => T0 });
});
afterAll(async () => {
  await platform?.dispose();
});

const sink = (): OperatorAlertSink & OperatorAlertStore => platform.get<OperatorAlertStore>(OPERATOR_ALERTS as never);

describe('operator alerts', () => {
  it('are stored, counted and listed to the platform admin newest first', async () => {
    sink().raise(takeover('sos-000001', T0 - 2_000));
    sink().raise({ kind: 'account_login_attack', subject: 'minzu.dispatcher', raisedAt: T0 - 1_000, detail: { addresses: 40 } });
    await sink().flush();

    const res = await platform.api('/api/operator-alerts');
    expect(res.status).toBe(200);
    const page = (await res.json()) as AlertPage;
    expect(page.items.map((a) => [a.kind, a.subject])).toEqual([
      ['account_login_attack', 'minzu.dispatcher'],
      ['mqtt_session_takeover', 'sos-000001'],
    ]);
    expect(page.items[1]?.detail).toEqual({ takeovers: 3, windowMs: 600_000, addresses: ['127.0.0.2', '127.0.0.3'] });

    const metrics = await (await fetch(`${platform.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
    expect(metrics).toMatch(/anxin_operator_alerts_total\{kind="mqtt_session_takeover"\} 1/);
    expect(metrics).toMatch(/anxin_operator_alerts_total\{kind="account_login_attack"\} 1/);
  });

  it('filter by kind and subject, and page with the cursor', async () => {
    for (let i = 0; i < 3; i += 1) sink().raise(takeover('bed-000002', T0 + i));
    await sink().flush();
    const first = (await (await platform.api('/api/operator-alerts?subject=bed-000002&limit=2')).json()) as AlertPage;
    expect(first.items.map((a) => a.raisedAt)).toEqual([T0 + 2, T0 + 1]);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (await platform.api(`/api/operator-alerts?subject=bed-000002&limit=2&cursor=${first.nextCursor}`)).json()) as AlertPage;
    expect(second.items.map((a) => a.raisedAt)).toEqual([T0]);
    expect(second.nextCursor).toBeNull();
    const byKind = (await (await platform.api('/api/operator-alerts?kind=account_login_attack')).json()) as AlertPage;
    expect(byKind.items.map((a) => a.subject)).toEqual(['minzu.dispatcher']);
  });

  it('refuse a malformed query with the field that is wrong', async () => {
    const res = await platform.api('/api/operator-alerts?kind=coffee');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('kind');
  });

  it('are not shown to a dispatcher, a caregiver or a district officer', async () => {
    for (const username of ['minzu.dispatcher', 'minzu.caregiver1', 'jianghan.officer']) {
      const res = await call(platform, await tokenOf(platform, username), 'GET', '/api/operator-alerts');
      expect([username, res.status]).toEqual([username, 403]);
    }
  });

  it('survive a restart', async () => {
    const dataDir = platform.dataDir;
    await platform.close();
    const again = await startTestPlatform({ dataDir, now: () => T0 });
    try {
      const page = (await (await again.api('/api/operator-alerts?kind=mqtt_session_takeover')).json()) as AlertPage;
      expect(page.items).toHaveLength(4);
    } finally {
      await again.close();
    }
    platform = await startDemoPlatform({ dataDir, now: () => T0 });
  });
});
