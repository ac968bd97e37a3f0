import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { startRepka, StartupError } from './app.js';
import { checkRepka, configurationResults, formatCheck } from './check.js';
import { createLogger } from './logger.js';
import { createRedactor } from './redactor.js';
import { routeTelegrafLogs } from './telegram/telegraf-logs.js';

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

/**
 * Every problem, on one line (the contract: "exits non-zero with a one-line reason"): numbered and
 * separated by " | " when there are several. `npm run check` shows them one per line.
 */
function describeProblems(problems: readonly string[]): string {
  if (problems.length === 1) return `repka: invalid configuration: ${problems[0]}`;
  return `repka: invalid configuration, ${problems.length} problems: ${problems.map((p, i) => `(${i + 1}) ${p}`).join(' | ')}`;
}

/** `npm run check`: prints the checklist on stdout; exit code 1 when any check fails. */
async function check(config: Config | ConfigError): Promise<number> {
  const print = (line: string) => process.stdout.write(`${redact(line)}\n`);
  if (config instanceof ConfigError) {
    for (const result of configurationResults(config)) print(formatCheck(result));
    print('- database, Redis, Slack and Telegram not checked: they need a valid configuration');
    return 1;
  }
  print(formatCheck({ ok: true, text: 'configuration valid' }));
  const results = await checkRepka(config, { onResult: (result) => print(formatCheck(result)) });
  const failed = results.filter((r) => !r.ok).length;
  print(failed === 0 ? 'Everything checked: npm start should come up.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
  return failed === 0 ? 0 : 1;
}

/** The composition root of `npm start` (and of `npm run check`, `npm start -- --check`): the only place that reads process.env. */
async function main(args: readonly string[]): Promise<void> {
  // Node's own .env parser (as `node --env-file`): the environment wins over the file, so only the
  // lines of variables the environment did not set are what was read from it.
  const preset = new Set(Object.keys(process.env));
  const dotenv = existsSync('.env')
    ? readFileSync('.env', 'utf8')
        .split('\n')
        .filter((line) => !preset.has(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1] ?? ''))
        .join('\n')
    : undefined;
  if (dotenv !== undefined) process.loadEnvFile('.env');
  redact = createRedactor(secretValues(process.env));
  let config: Config;
  try {
    config = loadConfig(process.env, { dotenv });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (args.includes('--check')) process.exit(await check(error));
    return fail(describeProblems(error.problems));
  }
  if (args.includes('--check')) process.exit(await check(config));
  const log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: secretsOf(config) });
  routeTelegrafLogs(log, config.logLevel);
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

main(process.argv.slice(2)).catch((error: Error) => fail(`repka: ${error.stack ?? error.message}`));
