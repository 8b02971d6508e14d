/** Injection tokens for values that are not classes (config, clock, registries). */
export const APP_CONFIG = Symbol('AppConfig');
export const LOGGER = Symbol('Logger');
export const CLOCK = Symbol('Clock');
export const PROM_REGISTRY = Symbol('PrometheusRegistry');
export const READINESS = Symbol('Readiness');
export const REGISTRY_DB = Symbol('RegistryDb');

export type Clock = () => number;

/** Waits `ms` (a bounded delay, e.g. a slowed login); tests inject one that returns at once. */
export const SLEEPER = Symbol('Sleeper');
export type Sleeper = (ms: number) => Promise<void>;

export interface Readiness {
  check(): Promise<Record<string, boolean>>;
}

/** The configured (or generated) admin bearer token. */
export const ADMIN_TOKEN = Symbol('AdminToken');

/** Where operator alerts go (`OperatorAlertSink` of src/domain/operator-alerts): stored, counted and logged. */
export const OPERATOR_ALERTS = Symbol('OperatorAlerts');
