/**
 * The web apps end to end (issue 6 acceptance), in Debian's Chromium driven
 * by playwright-core against the whole backend in-process (demo dataset):
 * 1. a simulated fall (MQTT) appears on the covering provider's console
 *    within 2 s with the P1 sound cue and a running countdown; the console
 *    accepts, goes en route, on site and resolves it; the district screen's
 *    counters and 有效应答率 update; another provider's console never sees it.
 * 2. screenshots of both pages at 1920×1080 → artifacts/screenshots/.
 * 3. no unmasked name or phone number of any seeded resident in the screen's
 *    DOM or in any /district event (page frames and a socket.io-client).
 * 4. every request to an origin other than the platform's is aborted and
 *    counted: none is attempted, and the pages still work.
 * 5. the resident card's vitals are drawn per source device (issue 11,
 *    point 4): an empty care bed reporting inBed=false with a heart rate
 *    draws no line, so the heart-rate chart shows the wearable's alone.
 * Issue 11, acceptance 3: 结案 with outcome 误报 clears the fall's alert with
 * that outcome as its note and the screen's 当前告警 falls; the console's
 * 确认告警 and 解除告警 act on the alert of an order its provider holds (an
 * SOS), and the order goes on to 结案 by itself.
 * The apps must be built first (`npm run build` runs `build:apps`).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, BrowserContext } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';
import { DISTRICT_NAMESPACE, districtServerEventSchemas, parseEvent } from '../../../src/contracts/dispatch.contracts.js';
import { demoProviderId } from '../../../src/providers/demo/demo-providers.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ResidentRepository, type NewResident } from '../../../src/registry/resident.repository.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { inPage, launchChromium, login, minzuNeighbourhood, waitFor } from './apps.fixtures.js';

const SHOTS = join(process.cwd(), 'artifacts', 'screenshots');
const DISTRICT = '420103';
const MINZU = demoProviderId(DISTRICT, 'minzu');
const RESIDENT: Pick<NewResident, 'id' | 'displayName' | 'emergencyContacts'> = {
  id: 'r-apps-e2e-1',
  displayName: '欧阳秀英',
  emergencyContacts: [{ relation: '儿子', name: '欧阳建国', phone: '13987654321' }],
};

const MIN = 60_000;

jest.setTimeout(120_000);

interface Net {
  blocked: string[];
}

async function newContext(browser: Browser, platform: TestPlatform, net: Net): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  const origin = new URL(platform.httpUrl).origin;
  // Acceptance 4: the network to anything but the platform is cut.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
    net.blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return context;
}

describe('dispatch console and district screen in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  const net: Net = { blocked: [] };
  const districtEvents: { event: string; payload: unknown }[] = [];
  const pageFrames: string[] = [];
  /** Chromium reports each CSP violation on the page's console. */
  const cspViolations: string[] = [];
  let listener: Socket | undefined;
  let device: { deviceId: string; secret: string };
  let wearable: { deviceId: string; secret: string };
  let bed: { deviceId: string; secret: string };

  beforeAll(async () => {
    for (const app of ['dispatch-console', 'district-screen']) {
      if (!existsSync(join(process.cwd(), 'apps', app, 'dist', 'index.html'))) throw new Error(`apps/${app} is not built: run npm run build:apps`);
    }
    mkdirSync(SHOTS, { recursive: true });
    platform = await startTestPlatform({ config: { demo: { enabled: true, residents: 40, liveHomes: 0, key: 'apps-e2e-demo-key-0123456789' } } });

    // A resident next to the 民族街道 centre, so its console gets the offer.
    const geography = platform.get(GeographyRepository);
    const { communityCode, base } = await minzuNeighbourhood(platform, DISTRICT, MINZU);
    const community = { code: communityCode };
    const provider = { base };
    const home = { id: 'h-apps-e2e-1', communityCode: community.code, address: '民族路 12 号 2 单元 301 室', lat: provider.base.lat + 0.001, lon: provider.base.lon + 0.001, homeRadiusM: 80 };
    await geography.insertAll({ districts: [], streets: [], communities: [], homes: [home] });
    await platform.get(ResidentRepository).insertMany([
      { ...RESIDENT, phoneLast4: '4321', birthYear: 1940, gender: 'female', capabilityLevel: 2, livingSituation: 'alone', conditions: ['hypertension', 'osteoporosis'], communityCode: community.code, homeId: home.id, createdAt: Date.now() },
    ]);
    device = await provisionOverApi(platform, { type: 'fall-radar', residentId: RESIDENT.id, label: '卫生间雷达' });
    wearable = await provisionOverApi(platform, { type: 'wearable', residentId: RESIDENT.id, label: '手环' });
    bed = await provisionOverApi(platform, { type: 'care-bed', residentId: RESIDENT.id, label: '卧室床垫' });

    browser = await launchChromium();
    context = await newContext(browser, platform, net);
    context.on('page', (page) => {
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
      });
    });

    // Every /district event, as a second client sees it (acceptance 3).
    const loginRes = await fetch(`${platform.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'jianghan.officer', password: DEMO_PASSWORD }) });
    const { token } = (await loginRes.json()) as { token: string };
    listener = io(`${platform.httpUrl}${DISTRICT_NAMESPACE}`, { auth: { token, cursor: 0 }, transports: ['websocket'] });
    listener.onAny((event: string, payload: unknown) => {
      districtEvents.push({ event, payload });
    });
    await new Promise<void>((resolve, reject) => {
      listener!.once('connect', () => resolve());
      listener!.once('connect_error', reject);
    });
  });

  afterAll(async () => {
    listener?.disconnect();
    await browser?.close();
    await platform?.dispose();
  });

  it('shows a fall on the covering console within 2 s with sound and countdown, and the vitals per device (none from an empty bed); accept → resolve updates the screen; another provider never sees it', async () => {
    const screen = await context.newPage();
    screen.on('websocket', (ws) => ws.on('framereceived', (f) => pageFrames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
    await login(screen, `${platform.httpUrl}/screen/`, 'jianghan.officer');
    const consolePage = await context.newPage();
    await login(consolePage, `${platform.httpUrl}/console/`, 'minzu.dispatcher');
    const otherConsole = await context.newPage();
    await login(otherConsole, `${platform.httpUrl}/console/`, 'tangjiadun.dispatcher');
    const cuesBefore = await inPage<number>(consolePage, 'window.__anxinAudioCues ?? 0');

    // The last ten minutes before the fall: the bed empty but still reading 20 bpm every 30 s, the band on the wrist at 70 bpm.
    const connect = (d: { deviceId: string; secret: string }) => mqtt.connectAsync(platform.mqttUrl, { clientId: d.deviceId, username: d.deviceId, password: d.secret, reconnectPeriod: 0 });
    const [client, bedClient, band] = await Promise.all([connect(device), connect(bed), connect(wearable)]);
    const start = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
    const bedItems = Array.from({ length: 20 }, (_, i) => ({ channel: 'telemetry', seq: i + 1, ts: start + i * 30_000, heartRate: 20, respirationRate: 0, inBed: false, movement: 0 }));
    const bandItems = Array.from({ length: 10 }, (_, i) => ({ channel: 'telemetry', seq: i + 1, ts: start + i * MIN, heartRate: 70, spo2: 97, worn: true }));
    await bedClient.publishAsync(`anxin/v1/${bed.deviceId}/batch`, JSON.stringify({ items: bedItems }), { qos: 1 });
    await band.publishAsync(`anxin/v1/${wearable.deviceId}/batch`, JSON.stringify({ items: bandItems }), { qos: 1 });
    // The card reads the vitals once, when it opens: both devices' last readings must be stored by then.
    const lastStored = async (d: { deviceId: string }, field: string, ts: number): Promise<true | undefined> => {
      const { values } = (await (await platform.api(`/api/devices/${d.deviceId}/telemetry/latest`)).json()) as { values: { field: string; ts: number }[] };
      return values.some((v) => v.field === field && v.ts === ts) ? true : undefined;
    };
    await waitFor(() => lastStored(bed, 'inBed', start + 19 * 30_000), 10_000, 'the bed’s readings stored');
    await waitFor(() => lastStored(wearable, 'heartRate', start + 9 * MIN), 10_000, 'the band’s readings stored');

    // The fall, published like the radar does; alone it would wait out its
    // 30 s cancel window (待确认), the wearable's report of it confirms it.
    const fallAt = Date.now();
    await client.publishAsync(`anxin/v1/${device.deviceId}/event`, JSON.stringify({ seq: 1, ts: fallAt, event: 'fall', confidence: 0.93, zone: 'bathroom' }), { qos: 1 });
    const t0 = Date.now();
    await band.publishAsync(`anxin/v1/${wearable.deviceId}/event`, JSON.stringify({ seq: bandItems.length + 1, ts: fallAt + 500, event: 'fall', confidence: 0.8 }), { qos: 1 });
    await band.endAsync();
    const item = consolePage.locator('[data-testid="queue-item"][data-priority="P1"][data-state="offered"]').first();
    await item.waitFor({ timeout: 2_000 });
    const appearedMs = Date.now() - t0;
    expect(appearedMs).toBeLessThanOrEqual(2_000);
    const orderId = (await item.getAttribute('data-order-id'))!;

    // Sound cue and a running countdown.
    expect(await inPage<number>(consolePage, 'window.__anxinAudioCues ?? 0')).toBeGreaterThan(cuesBefore);
    const countdown = item.getByTestId('countdown');
    const r1 = Number(await countdown.getAttribute('data-remaining-ms'));
    await consolePage.waitForTimeout(1_100);
    const r2 = Number(await countdown.getAttribute('data-remaining-ms'));
    expect(r1).toBeGreaterThan(0);
    expect(r2).toBeLessThan(r1);
    await expect(consolePage.getByTestId('evidence').textContent()).resolves.toBeTruthy();

    // The fall is on the screen's 当前告警 while its order is open.
    const tile = (id: string) => screen.getByTestId(`tile-${id}`).getByTestId('tile-value');
    const activeWhileOpen = await waitFor(async () => {
      const n = Number(await tile('active-alerts').textContent());
      return n >= 1 ? n : undefined;
    }, 5_000, '当前告警 shows the fall');

    await item.click();
    const detail = consolePage.locator(`[data-testid="order-detail"][data-order-id="${orderId}"]`);

    // Acceptance 5: one line per source, named in the legend; the empty bed has none, in any chart,
    // and its 20 bpm raised no vitals alert.
    const heartRate = detail.locator('[data-testid="vitals-chart"][data-vital="heartRate"]');
    await heartRate.waitFor({ timeout: 5_000 });
    const heartRateSources = heartRate.getByTestId('vitals-source');
    expect((await heartRateSources.allTextContents()).map((text) => text.trim())).toEqual(['心率 · 智能手环']);
    expect(await heartRateSources.getAttribute('data-device-id')).toBe(wearable.deviceId);
    expect(Number(await heartRateSources.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
    const charts = await detail.getByTestId('vitals-chart').all();
    expect(await Promise.all(charts.map((chart) => chart.getAttribute('data-vital')))).toEqual(['heartRate', 'spo2']);
    await expect(detail.locator('[data-testid="vitals-source"][data-device-type="care-bed"]').count()).resolves.toBe(0);
    await expect(consolePage.getByTestId('queue-item').filter({ hasText: '生命体征异常' }).count()).resolves.toBe(0);

    // Accept → 出发 → 到达 → resolve.
    await detail.getByTestId('action-accept').click();
    await detail.locator('[data-testid="detail-state"]', { hasText: '已接单' }).waitFor({ timeout: 5_000 });
    // Accepted: the card is no longer masked for this provider.
    await detail.locator('[data-testid="resident-card"][data-masked="false"]').waitFor({ timeout: 5_000 });
    await consolePage.screenshot({ path: join(SHOTS, 'console-1920x1080.png') });
    await detail.getByTestId('action-en-route').click();
    await detail.locator('[data-testid="detail-state"]', { hasText: '在途' }).waitFor({ timeout: 5_000 });
    await detail.getByTestId('action-on-site').click();
    await detail.locator('[data-testid="detail-state"]', { hasText: '已到场' }).waitFor({ timeout: 5_000 });
    await detail.getByTestId('resolve-outcome').selectOption('false_alarm');
    await detail.getByTestId('resolve-notes').fill('老人已自行起身，无外伤，已叮嘱家属');
    await detail.getByTestId('action-resolve').click();
    await detail.getByTestId('resolved-outcome').waitFor({ timeout: 5_000 });
    await expect(consolePage.locator(`[data-testid="queue"] [data-order-id="${orderId}"][data-state="resolved"]`).count()).resolves.toBe(1);

    // 结案 with 误报 closes the loop: the alert is cleared with the outcome as its note, and 当前告警 falls.
    // (Nothing else raises alerts in this district meanwhile: no demo home is live, and the radar's silence
    // would raise device_offline only three heartbeat intervals, 3 min, after its fall.)
    await waitFor(async () => (Number(await tile('active-alerts').textContent()) === activeWhileOpen - 1 ? true : undefined), 5_000, '当前告警 falls by one');
    const fall = await waitFor(async () => {
      const { items } = (await (await platform.api(`/api/alerts?residentId=${RESIDENT.id}&kind=fall`)).json()) as { items: { state: string; clearNote: string | null; clearedBy: string | null }[] };
      return items[0]?.state === 'cleared' ? items[0] : undefined;
    }, 5_000, 'the fall alert cleared');
    expect(fall.clearNote).toBe('工单结案：误报（老人已自行起身，无外伤，已叮嘱家属）');
    expect(fall.clearedBy).not.toBe('system');

    // The screen's counters and 有效应答率.
    await waitFor(async () => ((await tile('effective-rate').textContent()) === '100.0%' ? true : undefined), 5_000, '有效应答率 100.0%');
    await waitFor(async () => (Number(await tile('today-alerts').textContent()) >= 1 ? true : undefined), 5_000, 'today alerts');
    await waitFor(async () => (Number(await tile('today-dispatches').textContent()) >= 1 ? true : undefined), 5_000, 'today dispatches');
    await waitFor(async () => ((await tile('accept-p50').textContent()) !== '—' ? true : undefined), 5_000, 'accept p50');
    await screen.waitForTimeout(800); // let the charts finish drawing
    await screen.screenshot({ path: join(SHOTS, 'screen-1920x1080.png') });

    // The radar stays connected until here: its disconnect would raise a (P2) device_offline order. So does the bed.
    await Promise.all([client.endAsync(), bedClient.endAsync()]);

    // The other provider's console never got it.
    expect(await inPage<string[]>(otherConsole, 'window.__anxinSeenOrders ?? []')).not.toContain(orderId);
    await expect(otherConsole.locator(`[data-order-id="${orderId}"]`).count()).resolves.toBe(0);

    // Acceptance 3: no personal data of any seeded resident on the screen or on /district.
    const residents = platform.get(ResidentRepository);
    const needles = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await residents.list({ limit: 500, ...(cursor !== undefined ? { cursor } : {}) });
      for (const masked of page.items) {
        const r = await residents.getById(masked.id, { unmasked: true });
        if (!r) continue;
        needles.add(r.displayName);
        for (const c of r.emergencyContacts) {
          needles.add(c.name);
          needles.add(c.phone.replace(/\D/g, ''));
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(needles.size).toBeGreaterThan(40);
    expect(needles).toContain(RESIDENT.displayName);
    const dom = await inPage<string>(screen, 'document.body.innerText + "\\n" + document.documentElement.outerHTML');
    expect(districtEvents.length).toBeGreaterThan(0);
    expect(pageFrames.length).toBeGreaterThan(0);
    for (const e of districtEvents) expect(parseEvent(districtServerEventSchemas, e.event as 'order:update', e.payload).success).toBe(true);
    const haystacks = { dom, events: JSON.stringify(districtEvents), frames: pageFrames.join('\n') };
    const digitsOf = (s: string) => s.replace(/\D/g, '');
    for (const [where, text] of Object.entries(haystacks)) {
      const found = [...needles].filter((n) => (/^\d+$/.test(n) ? digitsOf(text).includes(n) && text.includes(n) : text.includes(n)));
      expect({ where, found }).toEqual({ where, found: [] });
    }

    // Acceptance 4: nothing outside the platform was requested.
    expect(net.blocked).toEqual([]);
  });

  it('exports the KPI table as CSV in the browser', async () => {
    const screen = context.pages()[0]!;
    const [download] = await Promise.all([screen.waitForEvent('download'), screen.getByTestId('export-csv').click()]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^anxin-kpi-420103-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.split('\r\n')[0]).toContain('有效应答率');
    expect(csv.split('\r\n')[0]).toContain('误报率,跌倒自行起身');
    expect(csv).toContain('江汉区合计');
    expect(net.blocked).toEqual([]);
  });

  it("acknowledges (确认告警) and clears (解除告警) the SOS of an order its provider holds; the order goes on to 结案", async () => {
    const [screen, consolePage] = context.pages();
    if (!screen || !consolePage) throw new Error('the first test opens the screen and the console');
    const tile = () => screen.getByTestId('tile-active-alerts').getByTestId('tile-value');
    const before = Number(await tile().textContent());
    const dispatcher = (await (
      await fetch(`${platform.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'minzu.dispatcher', password: DEMO_PASSWORD }) })
    ).json()) as { account: { id: string; staffId: string | null } };
    const who = dispatcher.account.staffId ?? dispatcher.account.id;

    const button = await provisionOverApi(platform, { type: 'sos-button', residentId: RESIDENT.id, label: '床头呼叫按钮' });
    const client = await mqtt.connectAsync(platform.mqttUrl, { clientId: button.deviceId, username: button.deviceId, password: button.secret, reconnectPeriod: 0 });
    await client.publishAsync(`anxin/v1/${button.deviceId}/event`, JSON.stringify({ seq: 1, ts: Date.now(), event: 'sos' }), { qos: 1 });
    const item = consolePage.locator('[data-testid="queue-item"][data-priority="P1"][data-state="offered"]').first();
    await item.waitFor({ timeout: 5_000 });
    const orderId = (await item.getAttribute('data-order-id'))!;
    await waitFor(async () => (Number(await tile().textContent()) === before + 1 ? true : undefined), 5_000, '当前告警 shows the SOS');
    const sos = async () =>
      ((await (await platform.api(`/api/alerts?residentId=${RESIDENT.id}&kind=sos`)).json()) as { items: { state: string; acknowledged: boolean; acknowledgedBy: string | null; clearedBy: string | null; clearNote: string | null }[] }).items[0];

    await item.click();
    const detail = consolePage.locator(`[data-testid="order-detail"][data-order-id="${orderId}"]`);
    // An offer is taken by accepting it: no alert buttons before.
    await detail.getByTestId('action-accept').waitFor({ timeout: 5_000 });
    await expect(detail.getByTestId('alert-actions').count()).resolves.toBe(0);
    await detail.getByTestId('action-accept').click();
    await detail.locator('[data-testid="detail-state"]', { hasText: '已接单' }).waitFor({ timeout: 5_000 });

    await detail.locator('[data-testid="alert-status"]', { hasText: '告警未确认' }).waitFor({ timeout: 5_000 });
    await detail.getByTestId('action-alert-ack').click();
    await detail.locator('[data-testid="alert-status"][data-acknowledged="true"]', { hasText: '告警已确认' }).waitFor({ timeout: 5_000 });
    expect(await sos()).toMatchObject({ state: 'active', acknowledged: true, acknowledgedBy: who });

    const note = '护理员已在楼内，老人误按，身体无碍';
    await detail.getByTestId('alert-clear-note').fill(note);
    await detail.getByTestId('action-alert-clear').click();
    await detail.locator('[data-testid="alert-status"][data-alert-state="cleared"]', { hasText: '告警已解除' }).waitFor({ timeout: 5_000 });
    expect(await sos()).toMatchObject({ state: 'cleared', clearedBy: who, clearNote: note });
    await waitFor(async () => (Number(await tile().textContent()) === before ? true : undefined), 5_000, '当前告警 falls back');
    await consolePage.screenshot({ path: join(SHOTS, 'console-alert-cleared-1920x1080.png') });

    // Clearing the alert did not close the order: it is still the dispatcher's to finish (到达, then 结案).
    await expect(detail.getByTestId('detail-state').textContent()).resolves.toBe('已接单');
    // 结案 is offered only once on site, the one way the lifecycle allows to resolved.
    await expect(detail.getByTestId('action-resolve').count()).resolves.toBe(0);
    await detail.getByTestId('action-on-site').click();
    await detail.locator('[data-testid="detail-state"]', { hasText: '已到场' }).waitFor({ timeout: 5_000 });
    await detail.getByTestId('resolve-outcome').selectOption('false_alarm');
    await detail.getByTestId('action-resolve').click();
    await detail.getByTestId('resolved-outcome').waitFor({ timeout: 5_000 });
    // 结案 found the alert cleared by a person: their note stays.
    expect(await sos()).toMatchObject({ state: 'cleared', clearNote: note });
    await client.endAsync();
    expect(net.blocked).toEqual([]);
  });

  it('runs both apps under the platform’s Content-Security-Policy without a single violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
