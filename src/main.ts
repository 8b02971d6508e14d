/**
 * `npm start`: the platform on embedded defaults (embedded MQTT broker,
 * SQLite registry, embedded telemetry store unless InfluxDB is configured,
 * demo data and a small live fleet). Configuration: README § Configuration.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { productionProblems } from './config/production-problems.js';
import { readRegistryFacts } from './config/registry-facts.js';
import { createLogger } from './observability/logger.js';
import { NestLoggerAdapter } from './observability/nest-logger.adapter.js';
import { PlatformRuntime } from './platform.runtime.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`anxin: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (config.env === 'production') {
    // Before any module is built, so no port opens and no demo data is seeded.
    const problems = productionProblems(config, await readRegistryFacts(config.dataDir));
    if (problems.length > 0) {
      for (const problem of problems) logger.error({ problem: problem.name }, problem.message);
      process.stderr.write(`anxin: production mode refuses to start: ${problems.map((p) => p.name).join(', ')}\n`);
      process.exit(78); // EX_CONFIG
    }
  }
  const app = await NestFactory.create(AppModule.forRoot(config, { logger }), { logger: new NestLoggerAdapter(logger), abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  await app.get(PlatformRuntime).openIngress();
  logger.info({ http: await app.getUrl() }, 'HTTP API listening');
}

// The process must not die on one bad callback: log and keep serving.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`anxin: unhandled rejection: ${String(reason)}\n`);
});

main().catch((error: unknown) => {
  process.stderr.write(`anxin: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
