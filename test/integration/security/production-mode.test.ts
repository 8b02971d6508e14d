/**
 * Acceptance (security issue, production mode): the real entry point
 * (`dist/src/main.js`) with ANXIN_ENV=production and the insecure defaults
 * refuses to start with exit code 78 (EX_CONFIG), names each refusal, and
 * opens no port. The data dir was used by a demo first, so the demo accounts
 * with the published password are in its registry. A secure production
 * configuration (fresh data dir, admin token, TLS) starts.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../support/device-load.js';
import { backendEnv, distPath, run } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN } from '../../support/test-platform.js';
import { startDemoPlatform } from '../accounts/access.fixtures.js';

let dataDir: string;

beforeAll(async () => {
  const demo = await startDemoPlatform();
  dataDir = demo.dataDir;
  await demo.close();
}, 60_000);

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function runBackend(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [distPath('src/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('refuses every insecure default in production with exit code 78, naming each, without opening a port', async () => {
  const [httpPort, mqttPort] = [await findFreePort(), await findFreePort()];
  const env = backendEnv({
    dataDir,
    httpPort,
    mqttPort,
    adminToken: TEST_ADMIN_TOKEN,
    // The defaults a first `npm start` runs with: demo on with the published key, no admin token, no TLS.
    extra: { ANXIN_ENV: 'production', ANXIN_DEMO: 'true', ANXIN_ADMIN_TOKEN: '', ANXIN_LIVE_HOMES: '0' },
  });
  const { code, output } = await runBackend(env);
  expect(code).toBe(78);
  for (const name of ['demo_data', 'demo_key', 'demo_account_passwords', 'generated_admin_token', 'mqtt_plaintext']) expect(output).toContain(`"problem":"${name}"`);
  expect(output).toContain('production mode refuses to start: demo_data, demo_key, demo_account_passwords, generated_admin_token, mqtt_plaintext');
  expect(output).toContain('admin, ');
  expect(output).not.toContain('listening');
}, 60_000);

/** Resolves with whether a TCP connection to the port is accepted. */
function accepts(port: number, secure: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = secure ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : netConnect({ host: '127.0.0.1', port });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('starts in production with no insecure default (a fresh data dir, demo off, an admin token, MQTT over TLS) and keeps the plain MQTT port closed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-production-'));
  const [httpPort, mqttPort, tlsPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const [keyPath, certPath] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost']);
  const env = backendEnv({
    dataDir: join(dir, 'data'),
    httpPort,
    mqttPort,
    adminToken: TEST_ADMIN_TOKEN,
    extra: { ANXIN_ENV: 'production', ANXIN_MQTT_TLS_PORT: String(tlsPort), ANXIN_MQTT_TLS_KEY: keyPath, ANXIN_MQTT_TLS_CERT: certPath },
  });
  const child = spawn('node', [distPath('src/main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let ready = false;
    for (let i = 0; i < 200 && !ready && child.exitCode === null; i += 1) {
      ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect({ ready, stderr }).toEqual({ ready: true, stderr: '' });
    expect({ tls: await accepts(tlsPort, true), plain: await accepts(mqttPort, false) }).toEqual({ tls: true, plain: false });
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
