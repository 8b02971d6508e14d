/**
 * Platform configuration: one zod schema, read from an optional JSON file
 * (ANXIN_CONFIG) overlaid by ANXIN_* environment variables. Every default
 * runs the platform with nothing installed: embedded broker, embedded SQLite
 * registry and embedded telemetry store, demo data and a small live fleet.
 */
import { z } from 'zod';
import { authConfigSchema } from '../accounts/token-secret.js';
import { auditConfigSchema } from '../audit/audit.config.js';
import { dispatchConfigSchema } from '../dispatch/dispatch.config.js';

const port = z.coerce.number().int().min(0).max(65_535);
const bool = z.preprocess((v) => (typeof v === 'string' ? ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()) : v), z.boolean());

export const influxConfigSchema = z.discriminatedUnion('version', [
  z.object({
    version: z.literal(1),
    url: z.url(),
    database: z.string().min(1).default('anxin'),
    retentionPolicy: z.string().min(1).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
  }),
  z.object({
    version: z.literal(2),
    url: z.url(),
    org: z.string().min(1),
    bucket: z.string().min(1),
    token: z.string().min(1),
  }),
]);

/** The published demo key: anyone can derive every demo device's secret from it. */
export const PUBLISHED_DEMO_KEY = 'anxin-demo-key-not-for-production';

export const configSchema = z.object({
  /**
   * production: refuse to start with any insecure default (demo data and keys,
   * a generated admin token, plaintext MQTT unless allowed); see
   * production-problems.ts. development: the defaults below, as they are.
   */
  env: z.enum(['development', 'production']).default('development'),
  /** Where SQLite files (registry, durable inbox, embedded telemetry) live. */
  dataDir: z.string().min(1).default('var'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Refusals anyone can trigger (MQTT refusals and connection errors, socket.io handshake refusals) are logged as one line per reason per interval, with a count. */
  refusalLogIntervalMs: z.number().int().positive().default(60_000),
  http: z
    .object({
      host: z.string().default('0.0.0.0'),
      port: port.default(8080),
      /** Bearer token Prometheus presents for /metrics; absent: only the admin token (or a platform admin's) reads it. */
      metricsToken: z.string().min(16).optional(),
      /**
       * Origins (scheme://host[:port]) whose pages may open the socket.io
       * consoles; the platform's own origin is always allowed. Comma-separated
       * in ANXIN_HTTP_ALLOWED_ORIGINS.
       */
      allowedOrigins: z
        .preprocess((v) => (typeof v === 'string' ? v.split(',').map((o) => o.trim()).filter((o) => o !== '') : v), z.array(z.url().regex(/^https?:\/\/[^/]+$/, 'an origin: scheme://host[:port], no path')))
        .default([]),
    })
    .prefault({}),
  mqtt: z
    .object({
      /** embedded: run aedes in-process. external: consume from a broker the city already runs. */
      mode: z.enum(['embedded', 'external']).default('embedded'),
      host: z.string().default('0.0.0.0'),
      port: port.default(1883),
      tls: z.object({ port: port.default(8883), keyPath: z.string().min(1), certPath: z.string().min(1), caPath: z.string().min(1).optional() }).optional(),
      /** production only: accept MQTT without TLS (a broker behind a TLS-terminating proxy or on a closed network). */
      allowPlaintext: bool.default(false),
      websocket: z.object({ port: port.default(8083), path: z.string().default('/mqtt') }).optional(),
      /** Per-device token bucket: sustained messages per second and burst. */
      rateLimit: z.object({ perSecond: z.number().positive().default(20), burst: z.number().int().positive().default(200) }).prefault({}),
      /** Takeovers of one device's session within the window that raise the operator alert mqtt_session_takeover. */
      takeoverAlert: z.object({ threshold: z.number().int().min(1).default(3), windowMs: z.number().int().positive().default(10 * 60_000) }).prefault({}),
      /** external mode only: the city's broker, e.g. mqtt://mosquitto:1883 */
      url: z.string().optional(),
      /** external mode: consumer connections; above 1 they share a subscription (see external-broker.consumer.ts for the caveat) */
      consumers: z.coerce.number().int().min(1).max(32).default(1),
      clientIdPrefix: z.string().min(1).max(40).default('anxin-backend'),
      username: z.string().optional(),
      password: z.string().optional(),
    })
    .prefault({})
    .refine((m) => m.mode !== 'external' || m.url !== undefined, { message: 'mqtt.url (ANXIN_MQTT_URL) is required when mqtt.mode is external', path: ['url'] }),
  /** Absent: the embedded telemetry store (SQLite in dataDir). */
  influx: influxConfigSchema.optional(),
  ingest: z
    .object({
      maxClockAheadMs: z.number().int().min(0).default(5 * 60_000),
      /** Unforwarded messages the inbox holds before it stops acknowledging (backpressure). */
      maxBacklog: z.number().int().positive().default(2_000_000),
      dedupRetentionHours: z.number().positive().default(24),
    })
    .prefault({}),
  /** Account tokens (src/accounts): signing secret and lifetime. */
  auth: authConfigSchema,
  /** Bearer token for state-changing and personal-data endpoints; generated and logged at start when absent. */
  adminToken: z.string().min(16).optional(),
  demo: z
    .object({
      enabled: bool.default(true),
      /** Derives the demo devices' secrets. Demo mode is for evaluation only. */
      key: z.string().min(16).default(PUBLISHED_DEMO_KEY),
      residents: z.coerce.number().int().min(0).default(300),
      /** Homes the built-in live fleet simulates at start (0: none). */
      liveHomes: z.coerce.number().int().min(0).default(3),
    })
    .prefault({}),
  /** Work orders: webhooks, accept SLAs per priority, offer redelivery (src/dispatch/dispatch.config.ts). */
  dispatch: dispatchConfigSchema,
  /** Audit trail of sensitive reads and changes: retention (src/audit/audit.config.ts). */
  audit: auditConfigSchema,
});

export type AppConfig = z.infer<typeof configSchema>;
export type InfluxConfig = z.infer<typeof influxConfigSchema>;
