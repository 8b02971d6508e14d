import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ENV_KEYS, loadConfig } from './load-config.js';

/** Every test passes its own environment: the loader never needs process.env touched. */
const load = (env: Record<string, string> = {}) => loadConfig(env);

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: the dispatch section', () => {
  it('has the documented defaults when nothing is set', () => {
    const { dispatch } = load();

    expect(dispatch).toEqual({
      notify: { timeoutMs: 5_000, backoffBaseMs: 1_000, backoffMaxMs: 300_000, maxAttempts: 20 },
      sla: { p1AcceptMs: 60_000, p2AcceptMs: 300_000, p3AcceptMs: 1_800_000 },
      redeliverMs: 2_000,
      maxSleepMs: 1_000,
      kpiWindowMs: 86_400_000,
      kpiThrottleMs: 250,
      resyncPageSize: 500,
    });
  });

  it.each([
    ['ANXIN_NOTIFY_FAMILY_URL', 'https://family.example/hook', (c: ReturnType<typeof load>) => c.dispatch.notify.familyUrl, 'https://family.example/hook'],
    ['ANXIN_NOTIFY_DUTY_URL', 'http://duty.local:8080/escalations', (c: ReturnType<typeof load>) => c.dispatch.notify.dutyUrl, 'http://duty.local:8080/escalations'],
    ['ANXIN_DISPATCH_P1_ACCEPT_MS', '45000', (c: ReturnType<typeof load>) => c.dispatch.sla.p1AcceptMs, 45_000],
    ['ANXIN_DISPATCH_P2_ACCEPT_MS', '240000', (c: ReturnType<typeof load>) => c.dispatch.sla.p2AcceptMs, 240_000],
    ['ANXIN_DISPATCH_P3_ACCEPT_MS', '3600000', (c: ReturnType<typeof load>) => c.dispatch.sla.p3AcceptMs, 3_600_000],
    ['ANXIN_DISPATCH_REDELIVER_MS', '500', (c: ReturnType<typeof load>) => c.dispatch.redeliverMs, 500],
  ])('%s=%s sets its dispatch key', (name, value, read, expected) => {
    expect(read(load({ [name]: value }))).toEqual(expected);
  });

  it('maps every dispatch variable the README documents, and no other', () => {
    const dispatchVariables = Object.entries(ENV_KEYS).filter(([, path]) => path.startsWith('dispatch.'));

    expect(Object.fromEntries(dispatchVariables)).toEqual({
      ANXIN_NOTIFY_FAMILY_URL: 'dispatch.notify.familyUrl',
      ANXIN_NOTIFY_DUTY_URL: 'dispatch.notify.dutyUrl',
      ANXIN_DISPATCH_P1_ACCEPT_MS: 'dispatch.sla.p1AcceptMs',
      ANXIN_DISPATCH_P2_ACCEPT_MS: 'dispatch.sla.p2AcceptMs',
      ANXIN_DISPATCH_P3_ACCEPT_MS: 'dispatch.sla.p3AcceptMs',
      ANXIN_DISPATCH_REDELIVER_MS: 'dispatch.redeliverMs',
    });
  });

  it('ignores an empty variable, like every other section', () => {
    expect(load({ ANXIN_DISPATCH_P1_ACCEPT_MS: '', ANXIN_NOTIFY_DUTY_URL: '' }).dispatch).toMatchObject({ sla: { p1AcceptMs: 60_000 }, notify: {} });
  });

  describe('with a config file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'anxin-config-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = (content: unknown): string => {
      const path = join(dir, 'anxin.json');
      writeFileSync(path, JSON.stringify(content));
      return path;
    };

    it('reads the section from the file, config-file-only keys included, and lets the environment win', () => {
      const path = file({ dispatch: { sla: { p1AcceptMs: 45_000, p3AcceptMs: 7_200_000 }, redeliverMs: 3_000, kpiWindowMs: 3_600_000, notify: { maxAttempts: 5 } } });

      const { dispatch } = load({ ANXIN_CONFIG: path, ANXIN_DISPATCH_P1_ACCEPT_MS: '30000' });

      expect(dispatch.sla).toEqual({ p1AcceptMs: 30_000, p2AcceptMs: 300_000, p3AcceptMs: 7_200_000 });
      expect(dispatch).toMatchObject({ redeliverMs: 3_000, kpiWindowMs: 3_600_000, notify: { maxAttempts: 5, timeoutMs: 5_000 } });
    });

    it('names the key of a bad value in the file', () => {
      const path = file({ dispatch: { sla: { p2AcceptMs: 'soon' } } });

      expect(errorOf(() => load({ ANXIN_CONFIG: path })).message).toBe(
        'invalid configuration:\n✖ dispatch.sla.p2AcceptMs: expected a positive whole number of milliseconds',
      );
    });
  });

  it.each([
    ['ANXIN_DISPATCH_P1_ACCEPT_MS', 'fast', 'dispatch.sla.p1AcceptMs', 'expected a positive whole number of milliseconds'],
    ['ANXIN_DISPATCH_P2_ACCEPT_MS', '1.5', 'dispatch.sla.p2AcceptMs', 'expected a positive whole number of milliseconds'],
    ['ANXIN_DISPATCH_P3_ACCEPT_MS', '-60000', 'dispatch.sla.p3AcceptMs', 'expected a positive whole number of milliseconds'],
    ['ANXIN_DISPATCH_REDELIVER_MS', '0', 'dispatch.redeliverMs', 'expected a positive whole number of milliseconds'],
    ['ANXIN_NOTIFY_FAMILY_URL', 'family-webhook', 'dispatch.notify.familyUrl', 'expected an http(s) URL'],
    ['ANXIN_NOTIFY_DUTY_URL', 'duty.example/hook', 'dispatch.notify.dutyUrl', 'expected an http(s) URL'],
    ['ANXIN_NOTIFY_DUTY_URL', 'mailto:duty@example.org', 'dispatch.notify.dutyUrl', 'expected an http(s) URL'],
    // The same one-line form for the other sections.
    ['ANXIN_HTTP_PORT', 'eighty', 'http.port', 'Invalid input: expected number, received NaN'],
  ])('refuses %s=%s with an error naming the key and the variable', (name, value, key, reason) => {
    const error = errorOf(() => load({ [name]: value }));

    expect(error.message).toBe(`invalid configuration:\n✖ ${key} (${name}): ${reason}`);
  });

  it('lists every bad key at once and never echoes a value (it may be a secret)', () => {
    const error = errorOf(() => load({ ANXIN_DISPATCH_P1_ACCEPT_MS: 'fast', ANXIN_NOTIFY_DUTY_URL: 'secret-token-in-a-url', ANXIN_ADMIN_TOKEN: 'short' }));

    expect(error.message.split('\n').slice(1).sort()).toEqual([
      '✖ adminToken (ANXIN_ADMIN_TOKEN): Too small: expected string to have >=16 characters',
      '✖ dispatch.notify.dutyUrl (ANXIN_NOTIFY_DUTY_URL): expected an http(s) URL',
      '✖ dispatch.sla.p1AcceptMs (ANXIN_DISPATCH_P1_ACCEPT_MS): expected a positive whole number of milliseconds',
    ]);
    expect(error.message).not.toContain('secret-token-in-a-url');
    expect(error.message).not.toContain('short');
  });
});

describe('loadConfig: production mode', () => {
  it('reads ANXIN_ENV and ANXIN_MQTT_ALLOW_PLAINTEXT, development and false by default', () => {
    expect([load().env, load().mqtt.allowPlaintext]).toEqual(['development', false]);
    const config = load({ ANXIN_ENV: 'production', ANXIN_MQTT_ALLOW_PLAINTEXT: 'true' });
    expect([config.env, config.mqtt.allowPlaintext]).toEqual(['production', true]);
  });

  it('names ANXIN_ENV when it is neither development nor production', () => {
    expect(errorOf(() => load({ ANXIN_ENV: 'prod' })).message).toContain('env (ANXIN_ENV)');
  });
});
