import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, secretsOf } from '../src/config.js';
import { createLogger, createRedactor } from '../src/logger.js';
import { startRepka, StartupError } from './app.js';

/**
 * Everything this process writes itself goes through one redaction (the logger's): until the
 * configuration is read it knows the secrets from the environment as they are.
 */
let redact = createRedactor(secretValues(process.env));
const fail = (line: string): never => {
  process.stderr.write(`${redact(line)}\n`);
  process.exit(1);
};

/** Values of the environment that are secrets, before the configuration is validated. */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  return ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'METRICS_TOKEN']
    .map((name) => env[name]?.trim() ?? '')
    .filter((value) => value.length > 0);
}

/** The composition root of `npm start`: the only place that reads process.env. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  redact = createRedactor(secretValues(process.env));
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(`repka: invalid configuration: ${error.message}`);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  let running;
  try {
    running = await startRepka(config, { log });
  } catch (error) {
    if (error instanceof StartupError || error instanceof ConfigError) {
      fail(`repka: cannot start: ${error.message}`);
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

main().catch((error: Error) => fail(`repka: ${error.stack ?? error.message}`));
