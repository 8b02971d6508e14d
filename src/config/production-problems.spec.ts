import { configSchema, PUBLISHED_DEMO_KEY } from './config.schema.js';
import { EMPTY_REGISTRY, opensPlainMqttListener, PRODUCTION_PROBLEM_NAMES, productionProblems, type RegistryFacts } from './production-problems.js';

/** A production configuration with nothing insecure in it; each case changes one thing. */
const SECURE = {
  env: 'production',
  adminToken: 'a-configured-admin-token-0123456789',
  demo: { enabled: false, key: 'a-private-demo-key-0123456789' },
  mqtt: { tls: { keyPath: '/etc/anxin/tls/key.pem', certPath: '/etc/anxin/tls/cert.pem' } },
} as const;

function config(overrides: Record<string, unknown> = {}): ReturnType<typeof configSchema.parse> {
  return configSchema.parse({ ...SECURE, ...overrides });
}

describe('productionProblems', () => {
  it('finds nothing in a fully secure production configuration', () => {
    expect(productionProblems(config())).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Partial<RegistryFacts>, string[]]>([
    ['demo mode on', { demo: { ...SECURE.demo, enabled: true } }, {}, ['demo_data']],
    ['demo devices left in the registry', {}, { demoDevices: 120 }, ['demo_data']],
    ['the published demo key with demo devices in the registry', { demo: { enabled: false } }, { demoDevices: 120 }, ['demo_data', 'demo_key']],
    ['the published demo key, unused (demo off, no demo devices)', { demo: { enabled: false, key: PUBLISHED_DEMO_KEY } }, {}, []],
    ['accounts still on the demo password', {}, { demoPasswordAccounts: ['admin', 'jianghan.officer'] }, ['demo_account_passwords']],
    ['no admin token (one would be generated)', { adminToken: undefined }, {}, ['generated_admin_token']],
    ['the embedded broker without TLS', { mqtt: {} }, {}, ['mqtt_plaintext']],
    ['plain MQTT over WebSocket beside TLS', { mqtt: { ...SECURE.mqtt, websocket: { port: 8083 } } }, {}, ['mqtt_plaintext']],
    ['an external broker on mqtt://', { mqtt: { mode: 'external', url: 'mqtt://mosquitto:1883' } }, {}, ['mqtt_plaintext']],
    ['an external broker on mqtts://', { mqtt: { mode: 'external', url: 'mqtts://mosquitto:8883' } }, {}, []],
    ['the embedded broker without TLS, plaintext explicitly allowed', { mqtt: { allowPlaintext: true } }, {}, []],
  ])('%s → %j', (_name, overrides, registry, expected) => {
    expect(productionProblems(config(overrides), { ...EMPTY_REGISTRY, ...registry }).map((p) => p.name)).toEqual(expected);
  });

  it('names every problem of the all-defaults configuration, each with a message saying what to set', () => {
    const problems = productionProblems(configSchema.parse({ env: 'production' }), { demoDevices: 0, demoPasswordAccounts: ['admin'] });
    expect(problems.map((p) => p.name)).toEqual([...PRODUCTION_PROBLEM_NAMES]);
    for (const p of problems) expect(p.message).toMatch(/ANXIN_[A-Z_]+/);
  });

  it('names the accounts on the demo password', () => {
    const [problem] = productionProblems(config(), { demoDevices: 0, demoPasswordAccounts: ['admin', 'jianghan.officer'] });
    expect(problem?.message).toContain('admin, jianghan.officer');
  });

  it('finds nothing in development, whatever the defaults', () => {
    expect(productionProblems(configSchema.parse({}), { demoDevices: 300, demoPasswordAccounts: ['admin'] })).toEqual([]);
  });

  it('reads ANXIN_ENV as development by default', () => {
    expect(configSchema.parse({}).env).toBe('development');
  });
});

describe('opensPlainMqttListener', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['production with TLS: the plain port stays closed', {}, false],
    ['production with TLS and plaintext explicitly allowed', { mqtt: { ...SECURE.mqtt, allowPlaintext: true } }, true],
    ['production without TLS, plaintext allowed (TLS terminated in front)', { mqtt: { allowPlaintext: true } }, true],
    ['development with TLS: both, as `npm start` users expect', { env: 'development' }, true],
    ['development without TLS', { env: 'development', mqtt: {} }, true],
  ])('%s', (_name, overrides, expected) => {
    expect(opensPlainMqttListener(config(overrides))).toBe(expected);
  });
});
