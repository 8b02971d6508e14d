/**
 * Security suite: the headers every answer carries (helmet) and the origin
 * check at the socket.io handshake. A page on another origin must not open a
 * console socket even with a stolen token: browsers apply no CORS to
 * WebSocket, so the server checks Origin itself.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import { DISPATCH_NAMESPACE, DISTRICT_NAMESPACE } from '../../../src/contracts/dispatch.contracts.js';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { login } from '../../e2e/dispatch/dispatch.fixtures.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ config: { demo: { enabled: true, residents: 0, liveHomes: 0 } } });
});

afterAll(async () => {
  await platform?.dispose();
});

describe('response headers', () => {
  it.each(['/console/', '/screen/', '/api/openapi.json', '/api/devices', '/healthz', '/no-such-route'])('%s carries the CSP, framing, nosniff and referrer headers and no X-Powered-By', async (path) => {
    const res = await fetch(platform.httpUrl + path);
    const csp = res.headers.get('content-security-policy') ?? '';

    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-eval/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('the socket.io handshake', () => {
  /** Resolves 'connected' or the connect_error message. */
  function handshake(namespace: string, token: string, origin?: string): Promise<string> {
    const socket = io(`${platform.httpUrl}${namespace}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      ...(origin !== undefined ? { extraHeaders: { origin } } : {}),
    });
    return new Promise((resolve) => {
      socket.on('connect', () => {
        socket.close();
        resolve('connected');
      });
      socket.on('connect_error', (error) => {
        socket.close();
        resolve(error.message);
      });
    });
  }

  it.each([DISPATCH_NAMESPACE, DISTRICT_NAMESPACE])('refuses a foreign Origin on %s before looking at the token', async (namespace) => {
    const token = await login(platform, namespace === DISPATCH_NAMESPACE ? 'minzu.dispatcher' : 'jianghan.officer');

    expect(await handshake(namespace, token, 'http://evil.example')).not.toBe('connected');
    expect(await handshake(namespace, token, platform.httpUrl)).toBe('connected');
    expect(await handshake(namespace, token)).toBe('connected');
  });

  it('accepts an origin the operator configured', async () => {
    const configured = await startTestPlatform({ config: { demo: { enabled: true, residents: 0, liveHomes: 0 }, http: { host: '127.0.0.1', port: 0, allowedOrigins: ['https://console.city.example'] } } });
    try {
      const token = await login(configured, 'minzu.dispatcher');
      const socket = io(`${configured.httpUrl}${DISPATCH_NAMESPACE}`, { auth: { token }, transports: ['websocket'], reconnection: false, extraHeaders: { origin: 'https://console.city.example' } });
      const outcome = await new Promise<string>((resolve) => {
        socket.on('connect', () => resolve('connected'));
        socket.on('connect_error', (error) => resolve(error.message));
      });
      socket.close();
      expect(outcome).toBe('connected');
    } finally {
      await configured.dispose();
    }
  });
});
