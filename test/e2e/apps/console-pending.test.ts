/**
 * The dispatch console in Debian's Chromium (playwright-core) for issue 11:
 * - point 6: a fall seen by the radar alone is shown on the covering
 *   provider's console as 待确认 during its cancel window, counting down to
 *   the window's end, the resident masked, with nothing to accept and no
 *   sound cue; another provider's console shows nothing. When the window
 *   ends with nobody up, the P1 offer replaces it, with the cue.
 * - a fall the resident gets up from inside the window shows 已自行起身
 *   briefly, next to the P2 welfare call that is offered instead.
 * - point 2: an inactivity alert whose condition ends and comes back within
 *   the episode merge window shows 反复 N 次 on its order, live, as it
 *   re-opens.
 * The whole backend runs in-process (demo dataset) on a clock the test moves,
 * its only clock; the pages' Date is fixed to the same clock, so countdowns
 * are exact. The apps must be built first (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import { demoProviderId } from '../../../src/providers/demo/demo-providers.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { inPage, launchChromium, login, minzuNeighbourhood, waitFor } from './apps.fixtures.js';

const SHOTS = join(process.cwd(), 'artifacts', 'screenshots');
const DISTRICT = '420103';
const MINZU = demoProviderId(DISTRICT, 'minzu');
const RESIDENT = { id: 'r-console-pending-1', displayName: '欧阳秀英' };
const GETS_UP = { id: 'r-console-pending-2', displayName: '司马桂兰' };
const SEC = 1_000;
const MIN = 60 * SEC;
const WINDOW_MS = 30 * SEC;

jest.setTimeout(120_000);

describe('the console shows a one-device fall as 待确认 and a flapping alert’s count', () => {
  let platform: TestPlatform;
  let clock = Math.floor(Date.now() / SEC) * SEC;
  let browser: Browser;
  let context: BrowserContext;
  let consolePage: Page;
  let otherConsole: Page;
  let radar: MqttClient;
  let radarId = '';

  /** Moves the platform's clock and the pages' with it. */
  const advance = async (ms: number): Promise<void> => {
    clock += ms;
    await context.clock.setFixedTime(clock);
  };
  const alertsOf = async (kind: string, residentId = RESIDENT.id): Promise<Alert[]> =>
    ((await (await platform.api(`/api/alerts?residentId=${residentId}&kind=${kind}`)).json()) as { items: Alert[] }).items;

  beforeAll(async () => {
    if (!existsSync(join(process.cwd(), 'apps', 'dispatch-console', 'dist', 'index.html'))) throw new Error('apps/dispatch-console is not built: run npm run build:apps');
    mkdirSync(SHOTS, { recursive: true });
    platform = await startTestPlatform({ config: { demo: { enabled: true, residents: 40, liveHomes: 0, key: 'console-pending-demo-key-0123' } }, now: () => clock });

    // Residents next to the 民族街道 centre, so its console is the one their offers would go to.
    const geography = platform.get(GeographyRepository);
    const { communityCode, base } = await minzuNeighbourhood(platform, DISTRICT, MINZU);
    const community = { code: communityCode };
    const provider = { base };
    for (const [i, r] of [RESIDENT, GETS_UP].entries()) {
      const home = { id: `h-console-pending-${i + 1}`, communityCode: community.code, address: `民族路 ${16 + i} 号 1 单元 202 室`, lat: provider.base.lat + 0.001, lon: provider.base.lon + 0.001 * (i + 1), homeRadiusM: 80 };
      await geography.insertAll({ districts: [], streets: [], communities: [], homes: [home] });
      await platform.get(ResidentRepository).insertMany([
        {
          ...r,
          emergencyContacts: [{ relation: '女儿', name: '欧阳丽', phone: '13912345678' }],
          phoneLast4: '5678',
          birthYear: 1941,
          gender: 'female',
          capabilityLevel: 2,
          livingSituation: 'alone',
          conditions: ['hypertension'],
          communityCode: community.code,
          homeId: home.id,
          createdAt: clock,
        },
      ]);
    }
    const device = await provisionOverApi(platform, { type: 'fall-radar', residentId: RESIDENT.id, label: '卫生间雷达' });
    radarId = device.deviceId;
    radar = await mqtt.connectAsync(platform.mqttUrl, { clientId: device.deviceId, username: device.deviceId, password: device.secret, reconnectPeriod: 0 });

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.clock.setFixedTime(clock);
    consolePage = await context.newPage();
    await login(consolePage, `${platform.httpUrl}/console/`, 'minzu.dispatcher');
    otherConsole = await context.newPage();
    await login(otherConsole, `${platform.httpUrl}/console/`, 'tangjiadun.dispatcher');
  });

  afterAll(async () => {
    await radar?.endAsync();
    await browser?.close();
    await platform?.dispose();
  });

  it('shows the fall as 待确认 with a countdown to the end of its window and no sound, then as the P1 offer once confirmed', async () => {
    const cuesBefore = await inPage<number>(consolePage, 'window.__anxinAudioCues ?? 0');
    const fallAt = clock;
    await radar.publishAsync(`anxin/v1/${radarId}/event`, JSON.stringify({ seq: 1, ts: fallAt, event: 'fall', confidence: 0.93, zone: 'bathroom' }), { qos: 1 });

    const card = consolePage.locator('[data-testid="pending-item"][data-status="awaiting_confirmation"]');
    await card.waitFor({ timeout: 5_000 });
    const [fall] = await alertsOf('fall');
    expect(fall).toMatchObject({ awaitingConfirmationUntil: fallAt + WINDOW_MS, state: 'active' });
    expect(await card.getAttribute('data-alert-id')).toBe(fall!.id);
    expect(await card.getAttribute('data-confirm-by')).toBe(String(fallAt + WINDOW_MS));
    // The pages' clock stands at the fall: the whole window is left.
    expect(await card.getByTestId('pending-countdown').getAttribute('data-remaining-ms')).toBe(String(WINDOW_MS));
    await expect(card.getByTestId('pending-countdown').textContent()).resolves.toContain('00:30');
    await expect(card.getByTestId('pending-item-status').textContent()).resolves.toBe('待确认');
    // Masked as on an offer.
    const meta = (await card.getByTestId('pending-item-meta').textContent()) ?? '';
    expect(meta).not.toContain(RESIDENT.displayName);
    expect(meta).toContain('*');
    // Nothing to accept, no order, no sound.
    await expect(card.locator('button').count()).resolves.toBe(0);
    await expect(consolePage.getByTestId('queue-item').count()).resolves.toBe(0);
    await expect(consolePage.getByTestId('action-accept').count()).resolves.toBe(0);
    expect(await inPage<number>(consolePage, 'window.__anxinAudioCues ?? 0')).toBe(cuesBefore);
    // Only the provider the offer would go to is told.
    expect(await inPage<string[]>(otherConsole, 'window.__anxinSeenPending ?? []')).not.toContain(fall!.id);
    await expect(otherConsole.getByTestId('pending-item').count()).resolves.toBe(0);
    await consolePage.screenshot({ path: join(SHOTS, 'console-pending-1920x1080.png') });

    // Nobody got up: at the end of the window the fall is confirmed and paged.
    await advance(WINDOW_MS);
    const offer = consolePage.locator('[data-testid="queue-item"][data-priority="P1"][data-state="offered"]');
    await offer.waitFor({ timeout: 5_000 });
    await consolePage.locator(`[data-testid="pending-item"][data-alert-id="${fall!.id}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    await expect(offer.textContent()).resolves.toContain('30 秒内未起身或取消，已确认');
    expect(await inPage<number>(consolePage, 'window.__anxinAudioCues ?? 0')).toBeGreaterThan(cuesBefore);
    await expect(otherConsole.getByTestId('queue-item').count()).resolves.toBe(0);

    // Taken, so that the SLA timers stay quiet while the next case moves the clock.
    await offer.click();
    await consolePage.getByTestId('action-accept').click();
    await consolePage.locator('[data-testid="detail-state"]', { hasText: '已接单' }).waitFor({ timeout: 5_000 });
  });

  it('shows 反复 N 次 on the order of an inactivity alert, counting each return within the merge window as it happens', async () => {
    const plan = await platform.api(`/api/residents/${RESIDENT.id}/care-plan`, { method: 'PATCH', body: JSON.stringify({ inactivityAfterMs: 5 * MIN, restPeriods: [] }) });
    expect(plan.status).toBe(200);
    const pirDevice = await provisionOverApi(platform, { type: 'pir-motion', residentId: RESIDENT.id, label: '客厅人体红外' });
    const pir = await mqtt.connectAsync(platform.mqttUrl, { clientId: pirDevice.deviceId, username: pirDevice.deviceId, password: pirDevice.secret, reconnectPeriod: 0 });
    let seq = 1;
    const moved = () => pir.publishAsync(`anxin/v1/${pirDevice.deviceId}/telemetry`, JSON.stringify({ seq: seq++, ts: clock, motionCount: 3 }), { qos: 1 });
    const inactivity = async (probe: (a: Alert) => boolean): Promise<Alert> => waitFor(async () => (await alertsOf('prolonged_inactivity')).find(probe), 10_000, 'the inactivity alert');

    await moved();
    await advance(5 * MIN);
    await inactivity((a) => a.count === 1);
    const order = consolePage.getByTestId('queue-item').filter({ hasText: '长时间无活动' });
    await order.waitFor({ timeout: 5_000 });
    await expect(order.getByTestId('queue-item-flaps').count()).resolves.toBe(0);
    // Taken, so it stays this console's while the clock moves on.
    const orderId = (await order.getAttribute('data-order-id'))!;
    await order.click();
    const detail = consolePage.locator(`[data-testid="order-detail"][data-order-id="${orderId}"]`);
    await detail.getByTestId('action-accept').click();
    await detail.locator('[data-testid="detail-state"]', { hasText: '已接单' }).waitFor({ timeout: 5_000 });
    await expect(detail.getByTestId('detail-flaps').count()).resolves.toBe(0);

    for (const flaps of [1, 2]) {
      // A blip of movement ends the condition; five minutes later it is back, within the merge window.
      await advance(2 * MIN);
      await moved();
      await inactivity((a) => a.conditionEndedAt !== null);
      // While it may be over, the order says so (it clears only once the merge window passes).
      await order.getByTestId('queue-item-condition-ended').waitFor({ timeout: 5_000 });
      await advance(5 * MIN);
      await inactivity((a) => a.flaps === flaps && a.conditionEndedAt === null);
      await order.locator(`[data-testid="queue-item-flaps"][data-flaps="${flaps}"]`, { hasText: `反复 ${flaps} 次` }).waitFor({ timeout: 5_000 });
      await order.getByTestId('queue-item-condition-ended').waitFor({ state: 'detached', timeout: 5_000 });
    }
    // Still one order for the whole episode, still in the queue, and its detail says the same.
    await expect(order.count()).resolves.toBe(1);
    await expect(order.getAttribute('data-state')).resolves.toBe('accepted');
    await detail.locator('[data-testid="detail-flaps"][data-flaps="2"]', { hasText: '反复出现 2 次' }).waitFor({ timeout: 5_000 });
    await consolePage.screenshot({ path: join(SHOTS, 'console-flaps-1920x1080.png') });
    await pir.endAsync();
  });

  it('shows a fall the resident got up from as 已自行起身 for a while, next to the P2 welfare call offered instead', async () => {
    const device = await provisionOverApi(platform, { type: 'fall-radar', residentId: GETS_UP.id, label: '卧室雷达' });
    const radar2 = await mqtt.connectAsync(platform.mqttUrl, { clientId: device.deviceId, username: device.deviceId, password: device.secret, reconnectPeriod: 0 });
    const fallAt = clock;
    await radar2.publishAsync(`anxin/v1/${device.deviceId}/event`, JSON.stringify({ seq: 1, ts: fallAt, event: 'fall', confidence: 0.9, zone: 'bedroom' }), { qos: 1 });
    const card = consolePage.locator('[data-testid="pending-item"][data-status="awaiting_confirmation"]');
    await card.waitFor({ timeout: 5_000 });
    const [fall] = await alertsOf('fall', GETS_UP.id);
    expect(await card.getAttribute('data-alert-id')).toBe(fall!.id);

    // 12 s later the radar sees her standing.
    await advance(12 * SEC);
    await radar2.publishAsync(`anxin/v1/${device.deviceId}/telemetry`, JSON.stringify({ seq: 2, ts: clock, presence: true, posture: 'standing', zone: 'bedroom', movement: 30 }), { qos: 1 });
    const recovered = consolePage.locator(`[data-testid="pending-item"][data-alert-id="${fall!.id}"][data-status="self_recovered"]`);
    await recovered.waitFor({ timeout: 5_000 });
    await expect(recovered.getByTestId('pending-item-status').textContent()).resolves.toBe('已自行起身');
    await expect(recovered.textContent()).resolves.toContain('跌倒后 12 秒雷达检测到站立，未派紧急单');
    await expect(recovered.getByTestId('pending-countdown').count()).resolves.toBe(0);
    const welfare = consolePage.locator('[data-testid="queue-item"][data-priority="P2"][data-state="offered"]').filter({ hasText: '跌倒' });
    await welfare.waitFor({ timeout: 5_000 });
    await consolePage.screenshot({ path: join(SHOTS, 'console-self-recovered-1920x1080.png') });

    // A minute on, only the welfare call is left.
    await advance(MIN);
    await recovered.waitFor({ state: 'detached', timeout: 5_000 });
    await expect(consolePage.getByTestId('pending-item').count()).resolves.toBe(0);
    await expect(welfare.count()).resolves.toBe(1);
    await radar2.endAsync();
  });
});
