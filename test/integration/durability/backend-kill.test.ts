/**
 * Acceptance (spine #2, point 5b): the backend killed with SIGKILL mid-load
 * and restarted: every message that got a PUBACK is in InfluxDB exactly once.
 * The backend runs as a real child process (the built `dist/src/main.js`).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startDeviceLoad, type LoadDevice } from '../../support/device-load.js';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import { backendEnv, distPath } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN } from '../../support/test-platform.js';
import { expectStoredExactlyOnce } from './stored-exactly-once.js';

let influx: InfluxServer;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let httpUrl: string;
let mqttUrl: string;
let backend: ChildProcess | undefined;
let stderr = '';

async function startBackend(): Promise<void> {
  backend = spawn('node', [distPath('src/main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  backend.stderr?.setEncoding('utf8');
  backend.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${httpUrl}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backend did not become ready:\n${stderr}`);
}

async function backlog(): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
  return Number(/^anxin_ingest_backlog_messages (\d+)/m.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  influx = await startInfluxServer();
  dataDir = mkdtempSync(join(tmpdir(), 'anxin-kill-'));
  const [httpPort, mqttPort] = [await findFreePort(), await findFreePort()];
  httpUrl = `http://127.0.0.1:${httpPort}`;
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  env = backendEnv({ dataDir, httpPort, mqttPort, adminToken: TEST_ADMIN_TOKEN, extra: { ANXIN_INFLUX_VERSION: '1', ANXIN_INFLUX_URL: influx.url, ANXIN_INFLUX_DATABASE: 'anxin_kill' } });
  await startBackend();
}, 60_000);

afterAll(async () => {
  backend?.kill('SIGKILL');
  await influx?.dispose();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('stores every acknowledged message exactly once across a SIGKILL of the backend', async () => {
  const devices: LoadDevice[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${httpUrl}/api/devices`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body: JSON.stringify({ type: 'pir-motion' }) });
    devices.push((await res.json()) as LoadDevice);
  }
  const load = startDeviceLoad(mqttUrl, devices, 50);
  try {
    await new Promise((r) => setTimeout(r, 4_000));
    const beforeKill = load.totals();
    backend!.kill('SIGKILL');
    await new Promise((r) => backend!.once('exit', r));
    await startBackend();
    await new Promise((r) => setTimeout(r, 4_000));
    await load.stop();
    const after = load.totals();
    expect(beforeKill.acked).toBeGreaterThan(1_000);
    expect(after.acked).toBeGreaterThan(beforeKill.acked);
    const deadline = Date.now() + 30_000;
    while ((await backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await backlog()).toBe(0);
    await expectStoredExactlyOnce(influx, 'anxin_kill', load);
  } finally {
    await load.stop(0);
  }
}, 120_000);
