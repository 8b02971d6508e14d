/**
 * Boots the whole backend in-process for integration and e2e tests: real
 * SQLite in a temp data dir, the embedded broker on a free port, HTTP on a
 * free port, and the telemetry store the test chooses (embedded by default,
 * or a real InfluxDB).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { AppModule } from '../../src/app.module.js';
import { configSchema, type AppConfig } from '../../src/config/config.schema.js';
import { silentLogger, type Logger } from '../../src/observability/logger.js';
import { PlatformRuntime } from '../../src/platform.runtime.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestPlatform {
  readonly app: INestApplication;
  readonly config: AppConfig;
  /** e.g. http://127.0.0.1:41234 */
  readonly httpUrl: string;
  readonly mqttPort: number;
  readonly mqttUrl: string;
  readonly dataDir: string;
  /** fetch against the API with the admin token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  get<T>(token: abstract new (...args: never[]) => T): T;
  /** Closes the app (graceful shutdown); keeps the data dir unless `dispose()`. */
  close(): Promise<void>;
  /** close() and delete the data dir. */
  dispose(): Promise<void>;
}

/** What a test may set: any top-level section of the config file, typed by its schema. */
export type TestConfig = Partial<z.input<typeof configSchema>>;

export interface TestPlatformOptions {
  /** Reuse a data dir (restart tests). */
  readonly dataDir?: string;
  /**
   * Config sections merged (shallowly, per top-level key) over the test
   * defaults, in the platform's own schema: e.g. `{ dispatch: { sla: { p1AcceptMs: 1_000 } } }`.
   */
  readonly config?: TestConfig;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Replaces the platform's sleeper (slowed logins): e.g. one that records the delay and returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'anxin-platform-'));
  const config = configSchema.parse({
    dataDir,
    logLevel: 'silent',
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { host: '127.0.0.1', port: 0 },
    demo: { enabled: false, liveHomes: 0 },
    adminToken: TEST_ADMIN_TOKEN,
    ...options.config,
  });
  const app = await NestFactory.create(AppModule.forRoot(config, { logger: options.logger ?? silentLogger, ...(options.now ? { now: options.now } : {}), ...(options.sleep ? { sleep: options.sleep } : {}) }), { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  await app.get(PlatformRuntime).openIngress();
  const address = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
  const httpUrl = `http://127.0.0.1:${address.port}`;
  const mqttPort = app.get(PlatformRuntime).brokerAddresses()?.tcp ?? 0;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  return {
    app,
    config,
    httpUrl,
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    dataDir,
    api: (path, init = {}) =>
      fetch(httpUrl + path, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(init.headers ?? {}) } }),
    get: (token) => app.get(token),
    close,
    dispose: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Provisions a device over the REST API and returns its credentials. */
export async function provisionOverApi(platform: TestPlatform, body: Record<string, unknown>): Promise<{ deviceId: string; secret: string }> {
  const res = await platform.api('/api/devices', { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`provisioning failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { deviceId: string; secret: string };
}
