import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { close } from '../tests/fakes/http-fake.js';
import { FakeSlack } from '../tests/fakes/fake-slack.js';
import { FakeTelegram } from '../tests/fakes/fake-telegram.js';
import { exportCommand } from './case-export.js';
import { takeLock } from './demo-lock.js';
import { claimPrefix, connectRedis, newRunPrefix, wipeAbandoned, wipeQueues } from './demo-queues.js';
import { agents, supportChannel } from './people.js';
import { Playground, type DemoDepartment } from './playground.js';
import { createWebServer, listenOn } from './web-server.js';

/**
 * `npm run demo`: fake Slack and Telegram servers, Repka started exactly as `npm start` starts it
 * (bots/main.ts in its own process, configured through the environment), and a web page that plays
 * the client, the agents and the departments through the platforms' HTTP APIs.
 *
 * Environment: DEMO_PORT (default 8080; 0: any free port), REDIS_URL (default redis://127.0.0.1:6379),
 * DEMO_QUEUE_PREFIX (default repka-demo-<random>, new each run), DEMO_DATABASE_PATH (default
 * ./data/demo.sqlite), DEMO_LOG_LEVEL (Repka's LOG_LEVEL, default warn).
 *
 * A run first takes `<database>.lock` (an exclusive file holding its pid; stale once that pid is
 * gone), its port and, in Redis, its queue prefix; when any is taken it exits with one sentence and
 * changes nothing. Then it wipes the SQLite file and the prefix's keys (and those of earlier runs'
 * own prefixes whose run is gone): each run begins with no cases.
 * The page answers at once; what the visitor does before Repka is up is sent once it is.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const departmentsFile = join(root, 'demo', 'departments.demo.json');

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

async function main(): Promise<void> {
  const env = process.env;
  const demoPort = Number(env.DEMO_PORT ?? 8080);
  if (!Number.isInteger(demoPort) || demoPort < 0 || demoPort > 65535) fail(`repka demo: DEMO_PORT must be a port number, got "${env.DEMO_PORT}"`);
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // Each run its own queues unless told otherwise: two demos on one Redis never take each other's jobs.
  const queuePrefix = env.DEMO_QUEUE_PREFIX || newRunPrefix();
  if (!/^[A-Za-z0-9_-]+$/.test(queuePrefix)) fail('repka demo: DEMO_QUEUE_PREFIX must be letters, digits, - or _');
  const databasePath = resolve(env.DEMO_DATABASE_PATH || join(root, 'data', 'demo.sqlite'));
  const inHere = relative(process.cwd(), databasePath);
  const shown = inHere === '' || inHere.startsWith('..') ? databasePath : inHere;

  // Nothing is touched before this run owns its database (the lock) and its port: a second
  // `npm run demo` refuses and leaves the first one's cases and queues alone.
  const taken = takeLock(`${databasePath}.lock`);
  if ('owner' in taken) {
    fail(
      `repka demo: another demo (pid ${taken.owner.pid}${taken.owner.url ? `, ${taken.owner.url}` : ''}) is using ${shown}; nothing was changed. ` +
        'Stop it first (Ctrl-C in its terminal), or run this one beside it with its own DEMO_DATABASE_PATH and DEMO_PORT.',
    );
  }
  const lock = taken.held;
  process.once('exit', () => lock.release());
  const refuse: (message: string) => never = (message) => {
    lock.release();
    return fail(message);
  };

  const departments = (JSON.parse(readFileSync(departmentsFile, 'utf8')) as { departments: DemoDepartment[] }).departments;
  const signingSecret = randomBytes(16).toString('hex');
  const webhookSecret = randomBytes(16).toString('hex');
  const botId = 100000 + Math.floor(Math.random() * 900000);
  const telegramToken = `${botId}:demo-${randomBytes(8).toString('hex')}`;
  const slack = await FakeSlack.start();
  // The demo workspace: the support channel and each department's, public, the bot in each.
  slack.addChannel(supportChannel, { name: 'support' });
  for (const d of departments) slack.addChannel(d.slackChannel, { name: d.slackChannel.toLowerCase() });
  const telegramBot = { id: botId, username: 'repka_demo_bot' };
  const telegram = await FakeTelegram.start({ token: telegramToken, botId, botUsername: telegramBot.username });
  const repkaPort = await freePort();
  const repkaUrl = `http://127.0.0.1:${repkaPort}`;

  let webPort = demoPort;
  const exports = { root, databasePath, departmentsFile };
  const playground = new Playground({ slack, telegram, telegramBot, repkaUrl, ownUrl: () => `http://127.0.0.1:${webPort}`, signingSecret, webhookSecret, departments, exports });
  const web = createWebServer(playground, join(root, 'demo', 'public'), exports);
  webPort = await listenOn(web, demoPort).catch((error: NodeJS.ErrnoException) =>
    refuse(
      error.code === 'EADDRINUSE'
        ? `repka demo: port ${demoPort} is taken (another demo? open http://127.0.0.1:${demoPort}); nothing was changed. Stop it, or set DEMO_PORT to another port.`
        : `repka demo: cannot listen on port ${demoPort} (${error.message}); set DEMO_PORT to another port`,
    ),
  );
  const url = `http://127.0.0.1:${webPort}`;
  lock.tell(url);

  const redis = await connectRedis(redisUrl);
  if (redis === undefined) {
    refuse(
      [
        `repka demo: no Redis answers on ${redisUrl}. Repka needs one for its job queues. Start one, then run npm run demo again:`,
        '  Debian/Ubuntu:  sudo apt-get install redis-server && redis-server --daemonize yes',
        '  macOS:          brew install redis && brew services start redis',
        '  Docker:         docker run -p 6379:6379 redis:7',
        'or point REDIS_URL at yours.',
      ].join('\n'),
    );
  }
  const prefix = await claimPrefix(redis, queuePrefix);
  if (prefix === undefined) refuse(`repka demo: another demo uses the queue prefix ${queuePrefix} on ${redisUrl}; nothing was changed. Give this one another DEMO_QUEUE_PREFIX, or leave it unset.`);

  // This run owns its database, port and queues: each run begins with no cases.
  await wipeQueues(redis, queuePrefix);
  await wipeAbandoned(redis);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${databasePath}${suffix}`, { force: true });
  process.stdout.write(`\nRepka playground: ${url} (starting Repka; what you type meanwhile is sent once it is up)\n`);

  // bots/main.ts, what `npm start` runs compiled, here from the sources (tsx), configured only through the environment.
  const repkaEnv: Record<string, string> = {
    PORT: String(repkaPort),
    DATABASE_PATH: databasePath,
    // The demo's own SQLite file, wiped at start: never a PostgreSQL database the environment names.
    DATABASE_URL: '',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    SLACK_BOT_TOKEN: `xoxb-demo-${randomBytes(8).toString('hex')}`,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: slack.url,
    SLACK_SUPPORT_CHANNEL: supportChannel,
    SLACK_AGENTS: agents.map((a) => a.id).join(','),
    TELEGRAM_BOT_TOKEN: telegramToken,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    // Telegram needs an https:// URL; the playground posts updates straight to repkaUrl instead.
    TELEGRAM_WEBHOOK_URL: 'https://repka-demo.example/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: webhookSecret,
    DEPARTMENTS_FILE: departmentsFile,
    LOG_LEVEL: env.DEMO_LOG_LEVEL ?? 'warn',
  };
  const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const repka: ChildProcess = spawn(process.execPath, ['--import', loader, join(root, 'bots', 'main.ts')], {
    cwd: root,
    env: { ...env, ...repkaEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolveExit) => repka.once('exit', (code) => resolveExit(code)));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (repka.exitCode === null && repka.signalCode === null) {
      repka.kill('SIGTERM');
      const killer = setTimeout(() => repka.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    playground.stop();
    await close(web);
    await Promise.all([slack.close(), telegram.close()]);
    await wipeQueues(redis, queuePrefix).catch(() => undefined);
    await prefix.release().catch(() => undefined);
    redis.disconnect();
    lock.release();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`repka demo: Repka stopped unexpectedly (exit code ${code}); see its output above.\n`);
    void stop(1);
  });

  // Repka registers its webhook as the last step of starting.
  const started = await telegram.waitFor('setWebhook', undefined, 120_000).then(
    () => true,
    () => false,
  );
  if (!started) {
    process.stderr.write('repka demo: Repka did not start within 2 minutes; see its output above.\n');
    return stop(1);
  }
  playground.repkaIsUp();
  process.stdout.write(
    [
      `Repka is up at ${url}`,
      'Try first: write to the bot as the client (left), then in the case thread as Anna type `!ask accounting in 30s Did we charge twice?`.',
      `Export a case of this demo: ${exportCommand(exports)} 1 --format html > case-1.html`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => fail(`repka demo: ${error.stack ?? error.message}`));
