/** Helpers for account and provider integration tests: a demo platform, logins, authenticated fetch. */
import { request } from 'node:http';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from '../../support/test-platform.js';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';

/** 2026-03-02 08:00 in Asia/Shanghai. */
export const T0 = Date.UTC(2026, 2, 2, 0, 0, 0);

/** A platform with the demo geography, providers and accounts, but no demo residents or live fleet (fast). */
export function startDemoPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  return startTestPlatform({ ...options, config: { demo: { enabled: true, residents: 0, liveHomes: 0 }, ...options.config } });
}

export async function login(platform: TestPlatform, username: string, password = DEMO_PASSWORD): Promise<Response> {
  return fetch(`${platform.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

/**
 * A login over real HTTP from a chosen loopback address (127.0.0.2, 127.0.0.3, …:
 * the whole 127/8 is loopback on Linux), so the server sees distinct client
 * addresses on its socket. fetch cannot bind a local address; node:http can.
 */
export function loginFrom(platform: TestPlatform, localAddress: string, username: string, password = DEMO_PASSWORD): Promise<Response> {
  const url = new URL('/api/auth/login', platform.httpUrl);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function tokenOf(platform: TestPlatform, username: string): Promise<string> {
  const res = await login(platform, username);
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export function call(platform: TestPlatform, token: string | undefined, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(platform.httpUrl + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}
