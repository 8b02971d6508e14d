/**
 * Picks the telemetry store for the configuration: InfluxDB when one is
 * configured, the embedded SQLite store otherwise.
 *
 * @example
 *   const store = createTelemetryStore({ kind: 'embedded', path: 'var/telemetry.db' }, new Logger('Telemetry'));
 */
import { EmbeddedTelemetryStore } from './embedded-telemetry.store.js';
import { InfluxTelemetryStore } from './influx-telemetry.store.js';
import type { TelemetryStoreConfig } from './telemetry-store.config.js';
import type { TelemetryStore } from './telemetry.store.js';

/** What the factory logs through; Nest's `Logger` fits. */
export interface TelemetryLogger {
  log(message: string): void;
  warn(message: string): void;
}

export function createTelemetryStore(config: TelemetryStoreConfig, logger?: TelemetryLogger): TelemetryStore {
  switch (config.kind) {
    case 'influx': {
      const store = new InfluxTelemetryStore(config);
      logger?.log(`telemetry: InfluxDB ${config.version}.x at ${config.url}`);
      // Not awaited: the backend starts while InfluxDB is down; writes fail
      // (retryable) into the outbox and the database is created on the first
      // write that reaches the server.
      store.ensureDatabase().catch((err: unknown) => {
        logger?.warn(`telemetry: InfluxDB not ready yet (${err instanceof Error ? err.message : String(err)}); will retry on write`);
      });
      return store;
    }
    case 'embedded': {
      logger?.log(`telemetry: embedded SQLite at ${config.path}`);
      return new EmbeddedTelemetryStore(config);
    }
  }
}
