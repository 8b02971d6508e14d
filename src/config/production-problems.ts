/**
 * What production mode (`ANXIN_ENV=production`) refuses: every default that
 * is fine for an evaluation on a laptop and unsafe with real residents. Pure:
 * the configuration and a few facts read from the registry go in, every
 * problem comes out with a stable name and what the operator must do.
 *
 * Not refused: the generated account-token secret. Unlike the admin token it
 * is never logged; it is 256 random bits kept in `<dataDir>/auth-token-secret`
 * (mode 0600) and survives restarts, so it is as strong as a configured one.
 * Set ANXIN_AUTH_TOKEN_SECRET only to share it between instances.
 *
 * @example
 * productionProblems(loadConfig(), await readRegistryFacts(config))
 * // [{ name: 'generated_admin_token', message: 'ANXIN_ADMIN_TOKEN is not set: …' }]
 */
import { PUBLISHED_DEMO_KEY, type AppConfig } from './config.schema.js';

export const PRODUCTION_PROBLEM_NAMES = ['demo_data', 'demo_key', 'demo_account_passwords', 'generated_admin_token', 'mqtt_plaintext'] as const;
export type ProductionProblemName = (typeof PRODUCTION_PROBLEM_NAMES)[number];

export interface ProductionProblem {
  readonly name: ProductionProblemName;
  /** For the operator: what is wrong and how to fix it. Never a secret's value. */
  readonly message: string;
}

/** What an already-used data dir holds that production must not run with. */
export interface RegistryFacts {
  /** Devices the demo seeded (their secrets derive from the demo key). */
  readonly demoDevices: number;
  /** Enabled accounts whose password is still the published demo password. */
  readonly demoPasswordAccounts: readonly string[];
}

export const EMPTY_REGISTRY: RegistryFacts = { demoDevices: 0, demoPasswordAccounts: [] };

type Config = Pick<AppConfig, 'env' | 'adminToken' | 'demo' | 'mqtt'>;

/** Every reason the configuration may not run in production; none in development. */
export function productionProblems(config: Config, registry: RegistryFacts = EMPTY_REGISTRY): ProductionProblem[] {
  if (config.env !== 'production') return [];
  const problems: ProductionProblem[] = [];
  if (config.demo.enabled) {
    problems.push({
      name: 'demo_data',
      message: 'demo mode is on (ANXIN_DEMO defaults to true): it seeds fictitious residents, devices and accounts and simulates live homes. Set ANXIN_DEMO=false.',
    });
  } else if (registry.demoDevices > 0) {
    problems.push({
      name: 'demo_data',
      message: `the registry in the data dir holds ${registry.demoDevices} devices seeded by demo mode. Start production on a fresh ANXIN_DATA_DIR.`,
    });
  }
  // The key only matters where it is used: by demo mode, or by demo devices already seeded with it.
  if (config.demo.key === PUBLISHED_DEMO_KEY && (config.demo.enabled || registry.demoDevices > 0)) {
    problems.push({
      name: 'demo_key',
      message: 'the demo key is the published default, so anyone can derive every demo device\'s MQTT secret. Set ANXIN_DEMO_KEY to a random secret of at least 16 characters, or remove the demo devices (a fresh ANXIN_DATA_DIR).',
    });
  }
  if (registry.demoPasswordAccounts.length > 0) {
    problems.push({
      name: 'demo_account_passwords',
      message: `accounts still have the published demo password: ${registry.demoPasswordAccounts.join(', ')}. Start once with ANXIN_ENV=development on a closed network and disable them (POST /api/accounts/:id/disable), or start on a fresh ANXIN_DATA_DIR.`,
    });
  }
  if (config.adminToken === undefined) {
    problems.push({
      name: 'generated_admin_token',
      message: 'ANXIN_ADMIN_TOKEN is not set: a generated one would be written to the log and change at every start. Set it to at least 16 random characters (e.g. `openssl rand -base64 32`).',
    });
  }
  const plaintext = plaintextMqtt(config.mqtt);
  if (plaintext !== undefined && !config.mqtt.allowPlaintext) {
    problems.push({ name: 'mqtt_plaintext', message: `${plaintext} Set ANXIN_MQTT_ALLOW_PLAINTEXT=true only if TLS is terminated in front of the broker or the network is closed.` });
  }
  return problems;
}

/** Why device traffic would travel in clear, or undefined when it would not. */
function plaintextMqtt(mqtt: Config['mqtt']): string | undefined {
  if (mqtt.mode === 'external') {
    return /^(mqtts|wss):\/\//i.test(mqtt.url ?? '') ? undefined : 'the external broker URL (ANXIN_MQTT_URL) is not mqtts:// or wss://, so the backend\'s broker password travels in clear. Use the broker\'s TLS listener.';
  }
  if (mqtt.tls === undefined) {
    return 'the embedded broker has no TLS listener, so device secrets and readings travel in clear. Set ANXIN_MQTT_TLS_KEY and ANXIN_MQTT_TLS_CERT (devices connect on ANXIN_MQTT_TLS_PORT).';
  }
  if (mqtt.websocket !== undefined) {
    return 'MQTT over WebSocket (ANXIN_MQTT_WS_PORT) is plain ws://. Unset ANXIN_MQTT_WS_PORT or put a TLS proxy in front of it.';
  }
  return undefined;
}

/**
 * Whether the embedded broker opens its plain MQTT port. Production with a TLS
 * listener keeps it closed unless plaintext is allowed explicitly (TLS
 * terminated in front, or a closed network): otherwise a device misconfigured
 * to plain MQTT would send its secret in clear, and the TLS check above would
 * pass while a plain door stayed open.
 */
export function opensPlainMqttListener(config: Pick<AppConfig, 'env' | 'mqtt'>): boolean {
  return config.env !== 'production' || config.mqtt.allowPlaintext || config.mqtt.tls === undefined;
}
