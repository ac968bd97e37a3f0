import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, secretsOf } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startRepka, StartupError } from './app.js';

/** The composition root of `npm start`: the only place that reads process.env. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`repka: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  let running;
  try {
    running = await startRepka(config, { log });
  } catch (error) {
    if (error instanceof StartupError || error instanceof ConfigError) {
      process.stderr.write(`repka: cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        log.error('shutdown failed', { error: error.message });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`repka: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
