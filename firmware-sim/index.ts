/**
 * firmware-sim's public API, for the platform's demo fleet and e2e tests.
 * The simulator uses only devices/ (protocol + catalogue) and the alert kinds.
 */
export { startFleet, MAX_DEVICES_PER_PROCESS, type Fleet, type FleetOptions, type FleetStats } from './fleet/fleet.js';
export { runScenario, assignHomes, type ScenarioRun, type ScenarioRunOptions } from './scenarios/run-scenario.js';
export { SCENARIOS, findScenario } from './scenarios/scenario-library.js';
export { compileScenario, type ScenarioDefinition, type ScenarioStep } from './scenarios/scenario.js';
export { checkScenario, observedAlertSchema, type CheckResult, type ExpectedAlert, type ObservedAlert, type ScenarioExpectation } from './scenarios/check-scenario.js';
export {
  buildDemoManifest,
  demoDeviceSecret,
  fleetManifestSchema,
  loadManifestFile,
  withDemoSecrets,
  type FleetManifest,
  type ManifestHome,
} from './manifest/fleet-manifest.js';
export { PlatformClient } from './platform/platform-client.js';
export { writeMosquittoConfig, renderAcl, renderConfig } from './mosquitto/mosquitto-config.js';
export { silentLogger, type Logger } from './fleet/sim-engine.js';
