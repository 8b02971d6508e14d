/**
 * Logins, tokens and revocation against a booted platform with real SQLite:
 * argon2id passwords, HS256 tokens that expire (injected clock), revocation
 * checked on every use and surviving a restart, throttling per account+address
 * and per address (login-throttle.test.ts has the attack scenarios), and the
 * configured admin token still acting as platform admin.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Registry } from 'prom-client';
import { AuthService, type TokenRevoked } from '../../../src/accounts/auth.service.js';
import { TokenError } from '../../../src/accounts/auth.errors.js';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';
import { PROM_REGISTRY } from '../../../src/platform.tokens.js';
import { TEST_ADMIN_TOKEN, type TestPlatform } from '../../support/test-platform.js';
import { call, login, loginFrom, startDemoPlatform, T0, tokenOf } from './access.fixtures.js';

const HOUR = 3_600_000;

async function failures(platform: TestPlatform, reason: string): Promise<number> {
  const registry = platform.app.get<symbol, Registry>(PROM_REGISTRY);
  const metric = await registry.getSingleMetric('anxin_auth_failures_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

async function tokenErrorCode(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('accounts: login, tokens, revocation', () => {
  let platform: TestPlatform;
  let now = T0;

  beforeAll(async () => {
    platform = await startDemoPlatform({ now: () => now });
  });

  afterAll(async () => {
    await platform.dispose();
  });

  it('logs a demo district officer in and returns a 12-hour token carrying role and scope', async () => {
    const res = await login(platform, 'jianghan.officer');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiresAt: number; account: Record<string, unknown> };
    expect(body.expiresAt).toBe(now + 12 * HOUR);
    expect(body.account).toMatchObject({ username: 'jianghan.officer', role: 'district_officer', districtCode: '420103', providerId: null, disabled: false });
    expect(body.account).not.toHaveProperty('passwordHash');

    const me = await call(platform, body.token, 'GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'district_officer', scope: { districtCode: '420103', providerId: null, staffId: null }, via: 'account_token', expiresAt: body.expiresAt });
  });

  it('stores passwords as argon2id hashes, never in clear', async () => {
    const rows = await platform.app
      .get<symbol, import('../../../src/registry/database.js').RegistryDb>((await import('../../../src/platform.tokens.js')).REGISTRY_DB)
      .withTables<{ accounts: { username: string; password_hash: string } }>()
      .selectFrom('accounts')
      .select(['username', 'password_hash'])
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('answers a wrong password and an unknown user with the same 401, each counted by reason', async () => {
    const wrongBefore = await failures(platform, 'wrong_password');
    const unknownBefore = await failures(platform, 'unknown_user');
    const wrong = await login(platform, 'wuchang.officer', 'not-the-password');
    const unknown = await login(platform, 'nobody.here', DEMO_PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(await failures(platform, 'wrong_password')).toBe(wrongBefore + 1);
    expect(await failures(platform, 'unknown_user')).toBe(unknownBefore + 1);
  });

  it('throttles an account from one address after 5 failures (429 with Retry-After, even the right password), not from another address, and lets it in after 30 s', async () => {
    for (let i = 0; i < 5; i += 1) expect((await loginFrom(platform, '127.0.0.2', 'qiaokou.officer', `guess-${i}`)).status).toBe(401);
    const locked = await loginFrom(platform, '127.0.0.2', 'qiaokou.officer');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('30');
    expect(await locked.json()).toMatchObject({ retryAfterSeconds: 30 });
    expect(await failures(platform, 'throttled')).toBeGreaterThanOrEqual(1);
    // The same account from another address, and another account from the same address, are not locked.
    expect((await loginFrom(platform, '127.0.0.3', 'qiaokou.officer')).status).toBe(200);
    expect((await loginFrom(platform, '127.0.0.2', 'hanyang.officer')).status).toBe(200);

    now += 31_000;
    expect((await loginFrom(platform, '127.0.0.2', 'qiaokou.officer')).status).toBe(200);
  });

  it('rejects an expired token with 401 code expired', async () => {
    const token = await tokenOf(platform, 'qingshan.officer');
    expect((await call(platform, token, 'GET', '/api/auth/me')).status).toBe(200);
    now += 12 * HOUR + 1_000;
    const res = await call(platform, token, 'GET', '/api/auth/me');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'expired' });
    expect(await tokenErrorCode(platform.get(AuthService).verify(token))).toBe('expired');
  });

  it('revokes the presented token on logout, and tells onRevoked listeners', async () => {
    const heard: TokenRevoked[] = [];
    const off = platform.get(AuthService).onRevoked((e) => heard.push(e));
    const token = await tokenOf(platform, 'minzu.dispatcher');
    expect((await call(platform, token, 'POST', '/api/auth/logout')).status).toBe(204);
    const res = await call(platform, token, 'GET', '/api/auth/me');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'revoked' });
    expect(await tokenErrorCode(platform.get(AuthService).verify(token))).toBe('revoked');
    expect(heard).toEqual([expect.objectContaining({ accountId: 'acc-minzu-dispatcher', reason: 'logout' })]);
    off();
  });

  it('revokes every live token of an account on POST /api/accounts/:id/revoke-tokens', async () => {
    const first = await tokenOf(platform, 'minzu.caregiver1');
    const second = await tokenOf(platform, 'minzu.caregiver1');
    const res = await platform.api('/api/accounts/acc-minzu-caregiver1/revoke-tokens', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    for (const token of [first, second]) expect((await call(platform, token, 'GET', '/api/auth/me')).status).toBe(401);
    // A new login works again.
    expect((await call(platform, await tokenOf(platform, 'minzu.caregiver1'), 'GET', '/api/auth/me')).status).toBe(200);
  });

  it('refuses a forged, malformed or foreign-signed token as invalid', async () => {
    const token = await tokenOf(platform, 'jiangan.officer');
    const [header, payload] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'platform_admin' })).toString('base64url');
    for (const bad of [`${header}.${forgedPayload}.${token.split('.')[2]}`, 'not-a-jwt', `${header}.${payload}.`]) {
      const res = await call(platform, bad, 'GET', '/api/auth/me');
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'invalid' });
    }
  });

  it('lets a platform admin create an account and disable it, which revokes its tokens and blocks login', async () => {
    const created = await platform.api('/api/accounts', {
      method: 'POST',
      body: JSON.stringify({ username: 'Tangjiadun.Caregiver2', displayName: '唐家墩护理员2', password: 'long-enough-pass', role: 'caregiver', providerId: 'prv-420103-tangjiadun', staffId: 'stf-420103-tangjiadun-2' }),
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as { id: string; username: string };
    expect(account.username).toBe('tangjiadun.caregiver2');
    const res = await login(platform, 'tangjiadun.caregiver2', 'long-enough-pass');
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };

    expect((await platform.api(`/api/accounts/${account.id}/disable`, { method: 'POST' })).status).toBe(200);
    expect((await call(platform, token, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await login(platform, 'tangjiadun.caregiver2', 'long-enough-pass')).status).toBe(401);
  });

  it.each([
    ['a caregiver without a staff id', { role: 'caregiver', providerId: 'prv-420103-minzu' }, 400],
    ['a caregiver whose staff works for another provider', { role: 'caregiver', providerId: 'prv-420103-minzu', staffId: 'stf-420103-tangjiadun-1' }, 400],
    ['a district officer of a district that does not exist', { role: 'district_officer', districtCode: '999999' }, 400],
    ['a dispatcher of a provider that does not exist', { role: 'provider_dispatcher', providerId: 'prv-nope' }, 400],
    ['a username already taken', { username: 'admin', role: 'platform_admin' }, 409],
  ])('refuses to create %s', async (_name, body, status) => {
    const res = await platform.api('/api/accounts', { method: 'POST', body: JSON.stringify({ username: 'new.user', displayName: '新用户', password: 'long-enough-pass', ...body }) });
    expect(res.status).toBe(status);
  });

  it('keeps the configured admin token valid as platform admin, on new and existing admin endpoints', async () => {
    expect((await call(platform, TEST_ADMIN_TOKEN, 'GET', '/api/accounts')).status).toBe(200);
    expect((await call(platform, TEST_ADMIN_TOKEN, 'GET', '/api/providers/prv-420106-zhongnanlu')).status).toBe(200);
    expect(await (await call(platform, TEST_ADMIN_TOKEN, 'GET', '/api/auth/me')).json()).toMatchObject({ role: 'platform_admin', via: 'admin_token', account: null });
    expect((await call(platform, TEST_ADMIN_TOKEN, 'GET', '/api/alerts')).status).toBe(200);
  });

  it('refuses account administration to everyone but a platform admin', async () => {
    const officer = await tokenOf(platform, 'wuchang.officer');
    expect((await call(platform, officer, 'GET', '/api/accounts')).status).toBe(403);
    expect((await call(platform, undefined, 'GET', '/api/accounts')).status).toBe(401);
    const admin = await tokenOf(platform, 'admin');
    expect((await call(platform, admin, 'GET', '/api/accounts')).status).toBe(200);
  });

  it('throttles an address after 50 failures across usernames (password spraying), not after 49 (staff behind one NAT)', async () => {
    for (let i = 0; i < 49; i += 1) expect((await loginFrom(platform, '127.0.0.20', `spray-${i}`, 'Password1')).status).toBe(401);
    expect((await loginFrom(platform, '127.0.0.20', 'hongshan.officer')).status).toBe(200);
    expect((await loginFrom(platform, '127.0.0.20', 'spray-49', 'Password1')).status).toBe(401);
    const locked = await loginFrom(platform, '127.0.0.20', 'hongshan.officer');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect((await loginFrom(platform, '127.0.0.21', 'hongshan.officer')).status).toBe(200);
    now += 61_000;
    expect((await loginFrom(platform, '127.0.0.20', 'hongshan.officer')).status).toBe(200);
  });
});

describe('accounts across a restart', () => {
  it('keeps issued tokens valid (the signing key is kept in the data dir) and revoked tokens revoked', async () => {
    let platform = await startDemoPlatform({ now: () => T0 });
    const dataDir = platform.dataDir;
    try {
      const kept = await tokenOf(platform, 'jianghan.officer');
      const revoked = await tokenOf(platform, 'wuchang.officer');
      expect((await call(platform, revoked, 'POST', '/api/auth/logout')).status).toBe(204);
      await platform.close();

      platform = await startDemoPlatform({ now: () => T0 + 60_000, dataDir });
      expect((await call(platform, kept, 'GET', '/api/auth/me')).status).toBe(200);
      const res = await call(platform, revoked, 'GET', '/api/auth/me');
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'revoked' });
    } finally {
      await platform.dispose();
    }
  });
});
