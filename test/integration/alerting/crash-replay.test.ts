/**
 * After a crash, the rules see every accepted message (README: "no
 * acknowledged message is lost"). The backend runs as a real child process
 * (the built `dist/src/main.js`) and is killed with SIGKILL right after a
 * real MQTT client got its PUBACKs; it restarts on the same data dir.
 *
 * The crash window is made wide instead of hoped for: while the messages are
 * sent, another connection holds the registry database's write lock (a stalled
 * disk, as far as the backend can tell). The durable inbox is a separate file,
 * so the messages are still committed and acknowledged, but neither the SOS
 * alert nor a new rule-engine snapshot can be written before the kill. The
 * test checks that on disk before restarting: only the replay of the inbox can
 * bring the SOS back.
 *
 * Windowed rule: apnea raises (major) at 5 episodes within an hour. Three are
 * in the snapshot before the crash, one is in the crash gap, the fifth comes
 * after the restart: one alert, raised by the fifth — not before (a replay that
 * counted the snapshotted three again would raise at the restart) and not
 * never (a restart without replay would have counted four).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '../../../devices/protocol.js';
import { eventually, seedResident } from '../../e2e/alerting/alerting.fixtures.js';
import { findFreePort } from '../../support/device-load.js';
import { backendEnv, distPath } from '../../support/processes.js';
import { provisionOverApi, startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../../support/test-platform.js';

const RESIDENT = 'r-alert-1';
let dataDir: string;
let bed: { deviceId: string; secret: string };
let sos: { deviceId: string; secret: string };
let backend: ChildProcess | undefined;
let stderr = '';
const platforms: TestPlatform[] = [];
let seq = 0;

interface AlertView {
  kind: string;
  severity: string;
  count: number;
  state: string;
}

async function startBackend(httpPort: number, mqttPort: number): Promise<void> {
  const env = backendEnv({ dataDir, httpPort, mqttPort, adminToken: TEST_ADMIN_TOKEN });
  backend = spawn('node', [distPath('src/main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  backend.stderr?.setEncoding('utf8');
  backend.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backend did not become ready:\n${stderr}`);
}

/** Publishes at QoS 1 and resolves on the PUBACK. */
async function publish(mqttUrl: string, device: { deviceId: string; secret: string }, payloads: Record<string, unknown>[]): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: device.deviceId, username: device.deviceId, password: device.secret, reconnectPeriod: 0 });
  try {
    for (const p of payloads) await client.publishAsync(topics.uplink(device.deviceId, 'event'), JSON.stringify({ seq: ++seq, ts: Date.now() - 1_000 + seq, ...p }), { qos: 1 });
  } finally {
    await client.endAsync(true);
  }
}

const apnea = { event: 'apnea', durationS: 20 };

function registry(): Database.Database {
  return new Database(join(dataDir, 'registry.sqlite'), { readonly: true });
}

/** Apnea episodes the stored snapshot holds for the resident. */
function snapshottedApneas(): number {
  const db = registry();
  try {
    const row = db.prepare("SELECT snapshot FROM rule_engine_state WHERE name = 'rule-engine'").get() as { snapshot: string } | undefined;
    const residents = row ? (JSON.parse(row.snapshot) as { residents: { residentId: string; apneaTs: number[] }[] }).residents : [];
    return residents.find((r) => r.residentId === RESIDENT)?.apneaTs.length ?? 0;
  } finally {
    db.close();
  }
}

function storedAlertKinds(): string[] {
  const db = registry();
  try {
    return (db.prepare('SELECT kind FROM alerts WHERE resident_id = ?').all(RESIDENT) as { kind: string }[]).map((r) => r.kind);
  } finally {
    db.close();
  }
}

async function alerts(platform: TestPlatform, kind: string): Promise<AlertView[]> {
  const res = await platform.api(`/api/alerts?residentId=${RESIDENT}&kind=${kind}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: AlertView[] }).items;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'anxin-crash-replay-'));
  const setup = await startTestPlatform({ dataDir });
  await seedResident(setup);
  bed = await provisionOverApi(setup, { type: 'care-bed', residentId: RESIDENT });
  sos = await provisionOverApi(setup, { type: 'sos-button', residentId: RESIDENT });
  await setup.close();
}, 60_000);

afterAll(async () => {
  backend?.kill('SIGKILL');
  for (const p of platforms) await p.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('raises, after a SIGKILL, the SOS acknowledged just before it, exactly once, and counts every apnea episode once', async () => {
  const [httpPort, mqttPort] = [await findFreePort(), await findFreePort()];
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  await startBackend(httpPort, mqttPort);

  await publish(mqttUrl, bed, [apnea, apnea, apnea]);
  await eventually(() => (snapshottedApneas() === 3 ? true : undefined), 30_000, 200);

  const lock = new Database(join(dataDir, 'registry.sqlite'));
  lock.exec('BEGIN IMMEDIATE');
  try {
    await publish(mqttUrl, bed, [apnea]);
    await publish(mqttUrl, sos, [{ event: 'sos' }]);
    backend!.kill('SIGKILL');
    await new Promise((r) => backend!.once('exit', r));
    backend = undefined;
  } finally {
    lock.exec('ROLLBACK');
    lock.close();
  }
  // What the crash left: no SOS alert, and a snapshot without the fourth episode.
  expect(storedAlertKinds()).not.toContain('sos');
  expect(snapshottedApneas()).toBe(3);

  const restarted = await startTestPlatform({ dataDir });
  platforms.push(restarted);
  expect(await alerts(restarted, 'sos')).toEqual([expect.objectContaining({ severity: 'critical', state: 'active', count: 1 })]);
  expect(await alerts(restarted, 'apnea')).toEqual([]);

  await publish(restarted.mqttUrl, bed, [apnea]);
  const [raised] = await eventually(async () => {
    const items = await alerts(restarted, 'apnea');
    return items.length > 0 ? items : undefined;
  }, 10_000);
  expect(raised).toMatchObject({ severity: 'major', count: 1 });

  await restarted.close();
  const again = await startTestPlatform({ dataDir });
  platforms.push(again);
  expect(await alerts(again, 'sos')).toEqual([expect.objectContaining({ count: 1 })]);
  expect(await alerts(again, 'apnea')).toEqual([expect.objectContaining({ count: 1 })]);
}, 180_000);
