import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema, type AppConfig } from './config.schema.js';

/** A configuration the platform cannot run with; the message names every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Environment variables and the config keys they set. Nested keys use dots;
 * see the README's configuration reference.
 */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  ANXIN_ENV: 'env',
  ANXIN_DATA_DIR: 'dataDir',
  ANXIN_LOG_LEVEL: 'logLevel',
  ANXIN_REFUSAL_LOG_INTERVAL_MS: 'refusalLogIntervalMs',
  ANXIN_HTTP_HOST: 'http.host',
  ANXIN_HTTP_PORT: 'http.port',
  ANXIN_METRICS_TOKEN: 'http.metricsToken',
  ANXIN_HTTP_ALLOWED_ORIGINS: 'http.allowedOrigins',
  ANXIN_MQTT_MODE: 'mqtt.mode',
  ANXIN_MQTT_HOST: 'mqtt.host',
  ANXIN_MQTT_PORT: 'mqtt.port',
  ANXIN_MQTT_URL: 'mqtt.url',
  ANXIN_MQTT_USERNAME: 'mqtt.username',
  ANXIN_MQTT_PASSWORD: 'mqtt.password',
  ANXIN_MQTT_CONSUMERS: 'mqtt.consumers',
  ANXIN_MQTT_TLS_PORT: 'mqtt.tls.port',
  ANXIN_MQTT_TLS_KEY: 'mqtt.tls.keyPath',
  ANXIN_MQTT_TLS_CERT: 'mqtt.tls.certPath',
  ANXIN_MQTT_TLS_CA: 'mqtt.tls.caPath',
  ANXIN_MQTT_WS_PORT: 'mqtt.websocket.port',
  ANXIN_MQTT_ALLOW_PLAINTEXT: 'mqtt.allowPlaintext',
  ANXIN_INFLUX_VERSION: 'influx.version',
  ANXIN_INFLUX_URL: 'influx.url',
  ANXIN_INFLUX_DATABASE: 'influx.database',
  ANXIN_INFLUX_RETENTION_POLICY: 'influx.retentionPolicy',
  ANXIN_INFLUX_USERNAME: 'influx.username',
  ANXIN_INFLUX_PASSWORD: 'influx.password',
  ANXIN_INFLUX_ORG: 'influx.org',
  ANXIN_INFLUX_BUCKET: 'influx.bucket',
  ANXIN_INFLUX_TOKEN: 'influx.token',
  ANXIN_ADMIN_TOKEN: 'adminToken',
  ANXIN_AUTH_TOKEN_SECRET: 'auth.tokenSecret',
  ANXIN_DEMO: 'demo.enabled',
  ANXIN_DEMO_KEY: 'demo.key',
  ANXIN_DEMO_RESIDENTS: 'demo.residents',
  ANXIN_LIVE_HOMES: 'demo.liveHomes',
  ANXIN_NOTIFY_FAMILY_URL: 'dispatch.notify.familyUrl',
  ANXIN_NOTIFY_DUTY_URL: 'dispatch.notify.dutyUrl',
  ANXIN_DISPATCH_P1_ACCEPT_MS: 'dispatch.sla.p1AcceptMs',
  ANXIN_DISPATCH_P2_ACCEPT_MS: 'dispatch.sla.p2AcceptMs',
  ANXIN_DISPATCH_P3_ACCEPT_MS: 'dispatch.sla.p3AcceptMs',
  ANXIN_DISPATCH_REDELIVER_MS: 'dispatch.redeliverMs',
  ANXIN_AUDIT_RETENTION_DAYS: 'audit.retentionDays',
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Numbers in env vars arrive as strings; coerce only keys whose schema wants a number. */
const NUMERIC_ENV = new Set(['refusalLogIntervalMs', 'influx.version', 'mqtt.port', 'mqtt.tls.port', 'mqtt.websocket.port', 'http.port']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  let raw: Record<string, unknown> = {};
  const file = env.ANXIN_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read ANXIN_CONFIG file "${file}": ${(error as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`ANXIN_CONFIG file "${file}" is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`ANXIN_CONFIG file "${file}" must hold a JSON object`);
  }
  /** config key → the variable that set it, so an error names what the operator actually wrote. */
  const fromEnv = new Map<string, string>();
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, NUMERIC_ENV.has(path) ? Number(value) : value);
    fromEnv.set(path, name);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration:\n${describeIssues(parsed.error, fromEnv)}`);
  }
  return parsed.data;
}

/**
 * One line per bad key, naming the key and, when the environment set it, the
 * variable (never the value: it may be a password or token).
 *
 * @example
 * ✖ dispatch.sla.p1AcceptMs (ANXIN_DISPATCH_P1_ACCEPT_MS): expected a positive whole number of milliseconds
 */
function describeIssues(error: z.ZodError, fromEnv: ReadonlyMap<string, string>): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.map(String).join('.');
      const variable = fromEnv.get(key);
      return `✖ ${key || '(root)'}${variable ? ` (${variable})` : ''}: ${issue.message}`;
    })
    .join('\n');
}
