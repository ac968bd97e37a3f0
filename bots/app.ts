import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import { Redis } from 'ioredis';
import { Telegram } from 'telegraf';
import type { Config } from '../src/config.js';
import type { Clock, Logger } from '../src/ports.js';
import { systemClock } from '../src/ports.js';
import { AccessPolicy } from '../src/cases/access-policy.js';
import { CaseService } from '../src/cases/case-service.js';
import { RatingService } from '../src/cases/rating-service.js';
import { AskService } from '../src/asks/ask-service.js';
import type { Deliverer } from '../src/delivery/deliverer.js';
import { RateLimiter, type RateLimit } from '../src/delivery/rate-limiter.js';
import { StreamDrainer } from '../src/delivery/stream-drainer.js';
import { Metrics } from '../src/metrics.js';
import { openDatabase } from '../db/sqlite/open-database.js';
import { SqliteCaseStore } from '../db/sqlite/sqlite-case-store.js';
import { SqliteOutbox } from '../db/sqlite/sqlite-outbox.js';
import { SqliteReportSource } from '../db/sqlite/sqlite-report-source.js';
import { SqliteSlackNameStore } from '../db/sqlite/sqlite-slack-name-store.js';
import { createOutboxQueue, createOutboxWorker, outboxQueueName, QueueDeliveryTrigger } from '../jobs/outbox-queue.js';
import { BullDeadlineScheduler, createDeadlineQueue, createDeadlineWorker, deadlineQueueName } from '../jobs/deadline-queue.js';
import { registerActionListeners } from './slack/listeners/actions/index.js';
import { registerViewListeners } from './slack/listeners/views/index.js';
import { createHttpServer, createOperatorServer, type HealthReport } from './http-server.js';
import { createKeepAliveFetch } from './keep-alive-fetch.js';
import { registerMessageListeners } from './slack/listeners/messages/index.js';
import { registerCommandListeners } from './slack/listeners/commands/index.js';
import { registerEventListeners } from './slack/listeners/events/index.js';
import { SupportTeam } from './slack/support-team.js';
import { tellButtonFailures } from './slack/listeners/failure-notice.js';
import { SlackFileSource, slackFileHost, slackFileOriginHost } from './slack/slack-file-source.js';
import { RepkaMetrics } from './repka-metrics.js';
import { SlackDeliverer } from './slack/slack-deliverer.js';
import { SlackDirectory } from './slack/slack-directory.js';
import { ChannelMembershipError, ensureChannelMembership } from './slack/channel-membership.js';
import { createTelegramBot } from './telegram/telegram-bot.js';
import { TelegramDeliverer, telegramFileLimits } from './telegram/telegram-deliverer.js';
import { createClientFileDownload } from './telegram/client-file-download.js';
import { StartupError } from './startup-error.js';
import { rethrowSlackRejection, rethrowTelegramRejection, slackRejection } from './rejected-credential.js';

export { StartupError };

/** Tunables that are not part of the environment contract (tests and benchmarks set them). */
export interface RepkaOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  /** Slack posts per channel. Default: 85% of the config rate, no burst. */
  readonly slackChannelRate?: RateLimit;
  /** Telegram messages per chat. Default: config rate, burst 3. */
  readonly telegramChatRate?: RateLimit;
  /** Telegram messages for the whole bot. Default: config rate, burst of one second's worth. */
  readonly telegramGlobalRate?: RateLimit;
  /** How often pending outbox rows are re-queued, ms. Default 10 s. */
  readonly sweepEveryMs?: number;
  /** First retry delay after a failed platform call, ms. Default 250. */
  readonly backoffBaseMs?: number;
  /** How often deadline jobs are rebuilt from SQLite, ms. Default 5 minutes. */
  readonly rebuildEveryMs?: number;
  /** A scrape of `/metrics` younger than this is answered again instead of recomputed, ms. Default 5 s. */
  readonly metricsMaxAgeMs?: number;
}

export interface RunningRepka {
  /** The port the HTTP server listens on (useful with PORT=0). */
  readonly port: number;
  /** The operator's metrics port, when METRICS_PORT is set. */
  readonly metricsPort?: number;
  /** Stops taking work, lets in-flight calls finish, closes workers, Redis and SQLite. */
  stop(): Promise<void>;
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    // Bolt's and the WebClient's debug output carries whole request and response bodies: every
    // client's message in full (phone and card numbers). It is never passed on, at any LOG_LEVEL.
    debug: () => undefined,
    info: (...args) => log.info(`bolt: ${text(args)}`),
    // A failed HTTP request is reported by whoever made it (withRetries, the drainer): not twice.
    warn: (...args) => (text(args).startsWith('http request failed') ? undefined : log.warn(`bolt: ${text(args)}`)),
    error: (...args) => log.error(`bolt: ${text(args)}`),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

async function withRetries<T>(what: string, attempts: number, work: () => Promise<T>, isFatal: (error: unknown) => boolean, log: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // Already worded for the operator (a rejected credential): retrying cannot help.
      if (error instanceof StartupError) throw error;
      const message = (error as Error).message;
      if (isFatal(error) || attempt >= attempts) throw new StartupError(`${what} failed: ${message}`);
      // Once, not once per attempt: the final failure, if it comes, is the error itself.
      if (attempt === 1) log.warn(`${what} failed, retrying`, { attempts, error: message });
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/**
 * Wraps an expensive computation: a call within `maxAgeMs` of the last result gets that result,
 * and calls while one computation runs share it. 0: always computed afresh.
 */
function latestWithin<T>(maxAgeMs: number, compute: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last !== undefined && now - last.at < maxAgeMs) return last.value;
    const value = compute();
    last = { at: now, value };
    // A failed computation is not kept: the next call tries again.
    value.catch(() => (last = undefined));
    return value;
  };
}

/** Starts the whole service in this process, as `npm start` does. */
export async function startRepka(config: Config, options: RepkaOptions): Promise<RunningRepka> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        log.warn('shutdown step failed', { error: (error as Error).message });
      }
    }
  };

  try {
    const database = openDatabase(config.databasePath, (error) => log.error('after-commit step failed', { error: error.message }));
    cleanups.push(() => database.close());
    const store = new SqliteCaseStore(database.db, database.commits);
    const outbox = new SqliteOutbox(database.db, database.commits);
    const metrics = new Metrics();

    // Slack first: a token or channel problem stops start-up before any queue is opened.
    const slackClientOptions = {
      slackApiUrl: config.slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 15_000,
      logger: boltLogger(log),
      fetch: createKeepAliveFetch(),
    };
    const slackClient = new webApi.WebClient(config.slack.botToken, slackClientOptions);
    const auth = await withRetries(
      'Slack auth.test',
      6,
      () => slackClient.auth.test().catch(rethrowSlackRejection('SLACK_BOT_TOKEN')),
      (error) => (error as { code?: string }).code === webApi.ErrorCode.PlatformError,
      log,
    );
    // A bot posts and hears messages only in channels it is in: join public ones, ask for /invite to private ones.
    const neededChannels = [
      { id: config.slack.supportChannel, configuredBy: 'SLACK_SUPPORT_CHANNEL' },
      ...config.departments.departments.map((d) => ({ id: d.slackChannel, configuredBy: `department "${d.id}" (its slackChannel in ${config.departmentsFile})` })),
    ];
    await withRetries('Slack channel check', 6, () => ensureChannelMembership(slackClient, neededChannels, auth.user ?? 'repka', log), (error) => error instanceof ChannelMembershipError, log);
    // The Telegram token too, before any queue is opened: a refused one stops start-up in one line.
    const telegramCheck = new Telegram(config.telegram.botToken, { apiRoot: config.telegram.apiRoot });
    await withRetries('Telegram getMe', 6, () => telegramCheck.getMe().catch(rethrowTelegramRejection), () => false, log);

    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    redis.on('error', (error) => log.warn('redis error', { error: error.message }));
    // quit, not disconnect: commands still in flight (a deadline job being added as start-up is
    // cut short) get their answers instead of rejecting unhandled; a Redis that does not answer
    // within a second is dropped.
    cleanups.push(async () => {
      if (redis.status !== 'ready') return redis.disconnect();
      await Promise.race([redis.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      redis.disconnect();
    });
    await withRetries('Redis connection', 3, () => redis.connect(), () => false, log);
    const queue = createOutboxQueue(redis, config.queuePrefix);
    cleanups.push(() => queue.close());
    const trigger: QueueDeliveryTrigger = new QueueDeliveryTrigger(
      queue,
      log,
      (id) => outbox.streamOfRow(id),
      // Called only once Repka runs, after the drainer below exists.
      (stream): boolean => drainer.nudge(stream),
    );

    const deadlineQueue = createDeadlineQueue(redis, config.queuePrefix);
    cleanups.push(() => deadlineQueue.close());
    const scheduler = new BullDeadlineScheduler(deadlineQueue, clock, log);
    // Runs before the queues close (cleanups run in reverse): job adds still on their way get their answers.
    cleanups.push(async () => {
      await Promise.all([scheduler.settled(), trigger.settled()]);
    });
    const asks = new AskService({ store, outbox, trigger, scheduler, clock, log, departments: config.departments });
    const supportTeam = new SupportTeam({ client: slackClient, supportChannel: config.slack.supportChannel, clock, log });
    // Without SLACK_AGENTS the support channel's members are the agents: read them now, not on the first press.
    if (config.slack.agents === undefined) void supportTeam.warm();
    const policy = new AccessPolicy({ agents: config.slack.agents, members: supportTeam, supportChannel: config.slack.supportChannel });
    const cases = new CaseService({ store, outbox, trigger, clock, log, supportChannel: config.slack.supportChannel, policy, asks, clientFileLimits: telegramFileLimits, maxOpenCasesPerClient: config.maxOpenCasesPerClient });
    const ratings = new RatingService({ store, outbox, trigger, clock, log });
    const telegramBot = createTelegramBot({ token: config.telegram.botToken, apiRoot: config.telegram.apiRoot, cases, ratings, committed: () => store.committed(), log });
    const telegram = telegramBot.bot.telegram;

    // Files shared in Slack, read with the bot token: an agent's reply to the client, a department's answer to the thread.
    const apiHost = new URL(config.slack.apiUrl);
    const slackFiles = new SlackFileSource({
      token: config.slack.botToken,
      client: slackClient,
      allowedHosts: new Set([slackFileHost, slackFileOriginHost, apiHost.host]),
      plainHttpHosts: apiHost.protocol === 'http:' ? new Set([apiHost.host]) : undefined,
    });
    const slackDeliverer = new SlackDeliverer({
      client: slackClient,
      store,
      files: slackFiles,
      downloadClientFile: createClientFileDownload(telegram),
      // Posts per channel: no burst, and 15% under the configured pace, so network jitter between two
      // posts a second apart never looks like two posts within a second to Slack.
      channelLimiter: new RateLimiter(options.slackChannelRate ?? { perSecond: config.rates.slackChannelPerSecond * 0.85, burst: 1 }, () => clock.now()),
      // Card updates: chat.update is a Tier 3 method (about 50 a minute); off when Slack limits are off.
      updateLimiter: new RateLimiter({ perSecond: Number.isFinite(config.rates.slackChannelPerSecond) ? 50 / 60 : Infinity, burst: 10 }, () => clock.now()),
      timeZone: config.timeZone,
      departments: config.departments,
      clock,
      log,
    });
    const telegramDeliverer = new TelegramDeliverer({
      telegram,
      store,
      chatLimiter: new RateLimiter(options.telegramChatRate ?? { perSecond: config.rates.telegramChatPerSecond, burst: 3 }, () => clock.now()),
      globalLimiter: new RateLimiter(options.telegramGlobalRate ?? { perSecond: config.rates.telegramGlobalPerSecond, burst: Math.min(30, config.rates.telegramGlobalPerSecond) }, () => clock.now()),
      timeZone: config.timeZone,
      clock,
      files: slackFiles,
    });
    const deliverer: Deliverer = {
      deliver: (messages, signal) => (messages[0]?.message.to === 'client' ? telegramDeliverer : slackDeliverer).deliver(messages, signal),
      ready: (head, signal) => (head.message.to === 'client' ? Promise.resolve() : slackDeliverer.ready(head, signal)),
    };
    const reports = new SqliteReportSource(database.db);
    const repkaMetrics = new RepkaMetrics({
      metrics,
      reports,
      outbox,
      queues: { [outboxQueueName]: queue, [deadlineQueueName]: deadlineQueue },
      departments: config.departments,
      clock,
      log,
    });
    const drainer: StreamDrainer = new StreamDrainer({
      outbox,
      transaction: (work) => store.transaction(work),
      afterCommit: (effect) => store.afterCommit(effect),
      deliverer,
      trigger,
      clock,
      log,
      backoffBaseMs: options.backoffBaseMs,
      onPermanentFailure: (message, reason) => cases.recordDeliveryFailure(message.message, reason),
      onDelivered: (message, latencyMs) => repkaMetrics.delivered(message.message.to, latencyMs),
    });

    const shutdown = new AbortController();
    // Every waiting delivery listens for shutdown: hundreds at once are normal here.
    setMaxListeners(0, shutdown.signal);
    const worker = createOutboxWorker(redis, config.queuePrefix, { drainer, streamOf: (id) => outbox.streamOfRow(id), signal: shutdown.signal, onStart: (stream) => trigger.started(stream) }, log);
    cleanups.push(async () => {
      shutdown.abort(new Error('shutting down'));
      await worker.close();
    });
    void worker.run();
    const deadlineWorker = createDeadlineWorker(redis, config.queuePrefix, asks, () => store.committed(), log);
    cleanups.push(() => deadlineWorker.close());
    void deadlineWorker.run();
    // Each queue and worker first asks Redis its version; a stop before that answer would leave
    // the question to reject unhandled ("Connection is closed"), so start-up waits for it.
    await Promise.all([queue.waitUntilReady(), deadlineQueue.waitUntilReady(), worker.waitUntilReady(), deadlineWorker.waitUntilReady()]);
    const rebuilt = asks.rebuildSchedules();
    log.info('deadline jobs rebuilt from SQLite', rebuilt);

    const sweep = async (tag?: string) => {
      const streams = outbox.pendingStreams();
      if (streams.length > 0) await trigger.add(streams.map((s) => s.firstId), tag);
    };
    await sweep(`start${clock.now().toString(36)}`);
    const sweepTimer = setInterval(() => sweep().catch((error: Error) => log.warn('outbox sweep failed', { error: error.message })), options.sweepEveryMs ?? 10_000);
    const forgetTimer = setInterval(() => store.forgetInboundBefore(clock.now() - 7 * 24 * 3600 * 1000), 3600 * 1000);
    // Guards against Redis being emptied while Repka runs: deterministic ids make this a no-op otherwise.
    const rebuildTimer = setInterval(() => asks.rebuildSchedules(), options.rebuildEveryMs ?? 5 * 60 * 1000);
    cleanups.push(() => {
      clearInterval(sweepTimer);
      clearInterval(forgetTimer);
      clearInterval(rebuildTimer);
    });

    const directory = new SlackDirectory(new webApi.WebClient(config.slack.botToken, { ...slackClientOptions, timeout: 3000 }), new SqliteSlackNameStore(database.db), clock, log);
    const receiver = config.slack.appToken
      ? new SocketModeReceiver({ appToken: config.slack.appToken, logger: boltLogger(log), installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } } as never })
      : new HTTPReceiver({ signingSecret: config.slack.signingSecret ?? '', processBeforeResponse: true, logger: boltLogger(log) });
    const app = new App({
      receiver,
      token: config.slack.botToken,
      botId: auth.bot_id,
      botUserId: auth.user_id,
      tokenVerificationEnabled: false,
      clientOptions: slackClientOptions,
      logger: boltLogger(log),
    });
    app.use(async ({ next }) => {
      metrics.inc('repka_inbound_total', 'Inbound platform deliveries', { source: 'slack' });
      await next();
      // Slack hears back (HTTP: processBeforeResponse) only once what the request wrote is durable.
      await store.committed();
    });
    app.use(tellButtonFailures);
    const departmentChannels = new Set(config.departments.departments.map((d) => d.slackChannel));
    registerMessageListeners(app, { cases, asks, directory, supportChannel: config.slack.supportChannel, departmentChannels, log });
    registerActionListeners(app, { asks, cases, directory, departments: config.departments, log, timeZone: config.timeZone });
    registerViewListeners(app, { asks, cases, directory, departments: config.departments, log });
    const reportDeps = {
      reports,
      team: policy,
      directory,
      departments: config.departments,
      timeZone: config.timeZone,
      clock,
      log,
      workspaceUrl: auth.url ?? 'https://slack.com/',
    };
    registerCommandListeners(app, reportDeps);
    registerEventListeners(app, reportDeps);
    app.error(async (error) => {
      log.error('slack listener failed', { error: error.message });
      throw error;
    });

    const health = async (): Promise<HealthReport> => {
      const parts: Record<string, string> = {};
      try {
        database.sqlite.prepare('select 1').get();
        parts.sqlite = 'ok';
      } catch (error) {
        parts.sqlite = `down: ${(error as Error).message}`;
      }
      try {
        await Promise.race([redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 1 s')), 1000))]);
        parts.redis = 'ok';
      } catch (error) {
        parts.redis = `down: ${(error as Error).message}`;
      }
      return { ok: Object.values(parts).every((p) => p === 'ok'), parts };
    };

    const webhook = config.telegram.webhookUrl;
    let stopping = false;
    const renderMetrics = latestWithin(options.metricsMaxAgeMs ?? 5000, async () => {
      await repkaMetrics.refresh();
      return metrics.render();
    });
    const { metricsToken, metricsPort, metricsHost } = config.operator;
    const server: Server = createHttpServer({
      stopping: () => stopping,
      slack: receiver instanceof HTTPReceiver ? receiver.requestListener : undefined,
      slackSigningSecret: config.slack.signingSecret,
      telegram: webhook ? { secret: config.telegram.webhookSecret ?? '', handleUpdate: (u) => telegramBot.handleUpdate(u) } : undefined,
      health,
      metrics: renderMetrics,
      metricsToken,
      servesMetrics: metricsPort === undefined,
      log,
    });
    const listen = async (what: Server, port: number, host?: string) => {
      await new Promise<void>((resolve, reject) => {
        what.once('error', (error) => reject(new StartupError(`cannot listen on port ${port}: ${error.message}`)));
        what.listen(port, host, resolve);
      });
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            stopping = true;
            // Connections busy now become idle once their answer is out: close them then too.
            const idleCloser = setInterval(() => what.closeIdleConnections(), 100);
            what.close(() => {
              clearInterval(idleCloser);
              resolve();
            });
            what.closeIdleConnections();
          }),
      );
      return (what.address() as AddressInfo).port;
    };
    const port = await listen(server, config.port);
    const operatorPort =
      metricsPort === undefined ? undefined : await listen(createOperatorServer({ health, metrics: renderMetrics, metricsToken, stopping: () => stopping, log }), metricsPort, metricsHost);

    if (webhook) {
      await withRetries(
        'Telegram setWebhook',
        6,
        () => telegram.setWebhook(webhook, { secret_token: config.telegram.webhookSecret, allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'] }).catch(rethrowTelegramRejection),
        (error) => (error as { response?: { error_code?: number } }).response?.error_code === 401,
        log,
      );
    } else {
      telegramBot.bot.launch({ allowedUpdates: ['message', 'edited_message', 'callback_query', 'my_chat_member'] }).catch((error: Error) => log.error('telegram polling stopped', { error: error.message }));
      cleanups.push(() => telegramBot.bot.stop('shutdown'));
    }
    if (receiver instanceof SocketModeReceiver) {
      try {
        await app.start();
      } catch (error) {
        const rejected = slackRejection('SLACK_APP_TOKEN', error);
        if (rejected !== undefined) throw rejected;
        const code = (error as { data?: { error?: string } }).data?.error;
        throw new StartupError(`Slack Socket Mode connection failed: ${code ?? (error as Error).message}`);
      }
      cleanups.push(async () => {
        await app.stop();
      });
    }
    log.info('repka started', { port, slack: receiver instanceof SocketModeReceiver ? 'socket-mode' : 'http', telegram: webhook ? 'webhook' : 'polling' });
    return { port, metricsPort: operatorPort, stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
