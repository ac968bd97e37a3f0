import type { Config } from './config.js';
import type { Clock, Logger } from '../src/ports.js';
import { systemClock } from '../src/ports.js';
import { AccessPolicy } from '../src/cases/access-policy.js';
import { CaseService } from '../src/cases/case-service.js';
import { RatingService } from '../src/cases/rating-service.js';
import { AskService } from '../src/asks/ask-service.js';
import { openStorage } from '../db/open-storage.js';
import { outboxQueueName } from '../jobs/outbox-queue.js';
import { deadlineQueueName } from '../jobs/deadline-queue.js';
import type { HealthReport } from './http-server.js';
import { SupportTeam } from './slack/support-team.js';
import { RepkaMetrics } from './repka-metrics.js';
import { telegramFileLimits } from './telegram/telegram-deliverer.js';
import { StartupError } from './startup-error.js';
import { latestWithin, Stops } from './wiring/startup.js';
import { startQueues } from './wiring/queues.js';
import { startDelivery, type Delivery, type DeliveryOptions } from './wiring/delivery.js';
import { startDigest } from './wiring/digest.js';
import { startMaintenance } from './wiring/maintenance.js';
import { connectSlack, createSlackApp } from './wiring/slack.js';
import { checkTelegram, createClientBot, receiveUpdates } from './wiring/telegram.js';
import { startHttp } from './wiring/http.js';
import { slackPlatform } from './slack/platform-name.js';

export { StartupError };

/** Tunables that are not part of the environment contract (tests and benchmarks set them). */
export interface RepkaOptions extends DeliveryOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  /** How often pending outbox rows are re-queued, ms. Default 10 s. */
  readonly sweepEveryMs?: number;
  /** How often Redis is checked for lost deadline jobs (rebuilt from storage then), ms. Default 5 minutes. */
  readonly rebuildEveryMs?: number;
  /** A scrape of `/metrics` younger than this is answered again instead of recomputed, ms. Default 5 s. */
  readonly metricsMaxAgeMs?: number;
}

export interface RunningRepka {
  /** The port the HTTP server listens on (useful with PORT=0). */
  readonly port: number;
  /** The operator's metrics port, when METRICS_PORT is set. */
  readonly metricsPort?: number;
  /** Stops taking work, lets in-flight calls finish, closes workers, Redis and the database. */
  stop(): Promise<void>;
}

/**
 * Starts the whole service in this process, as `npm start` does: storage, the platforms' checks,
 * the queues, the use cases, delivery, maintenance, Slack, HTTP and Telegram, each step's stop
 * kept to be run in reverse order. A step that fails stops what was started before it.
 */
export async function startRepka(config: Config, options: RepkaOptions): Promise<RunningRepka> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const stops = new Stops(log);
  try {
    const storage = await openStorage(config, log);
    stops.push(() => storage.close());
    const { uow } = storage;

    // The platforms first: a token or channel problem stops start-up before any queue is opened.
    const slack = await connectSlack(config, log);
    await checkTelegram(config, log);

    // The drainer comes later: until it exists, no stream is being drained here.
    const draining: { delivery?: Delivery } = {};
    const queues = await startQueues(config, clock, log, {
      nudge: (stream) => draining.delivery?.drainer.nudge(stream) ?? false,
      drainHere: (stream) => draining.delivery?.drainHere(stream) ?? false,
    });
    stops.push(queues.stop);
    const { trigger, scheduler } = queues;

    const asks = new AskService({ uow, trigger, scheduler, clock, log, departments: config.departments });
    const supportTeam = new SupportTeam({ client: slack.client, supportChannel: config.slack.supportChannel, clock, log });
    // Without SLACK_AGENTS the support channel's members are the agents: read them now, not on the first press.
    if (config.slack.agents === undefined) void supportTeam.warm();
    const policy = new AccessPolicy({ agents: config.slack.agents, members: supportTeam, supportChannel: config.slack.supportChannel });
    const ratings = new RatingService({ uow, trigger, clock, log });
    const cases = new CaseService({ uow, trigger, clock, log, support: { platform: slackPlatform, conversation: config.slack.supportChannel }, policy, asks, clientFileLimits: telegramFileLimits, maxOpenCasesPerClient: config.maxOpenCasesPerClient, comments: ratings });
    const telegramBot = createClientBot(config, cases, ratings, log);

    const repkaMetrics = new RepkaMetrics({
      reports: storage.reports,
      outbox: storage.backlog,
      queues: { [outboxQueueName]: queues.outboxQueue, [deadlineQueueName]: queues.deadlineQueue },
      departments: config.departments,
      clock,
      log,
    });
    const delivery = await startDelivery({
      config,
      options,
      uow,
      queues,
      slackClient: slack.client,
      slackCallMethod: slack.callMethod,
      slackFiles: slack.files,
      telegram: telegramBot.bot.telegram,
      cases,
      asks,
      onDelivered: (to, latencyMs) => repkaMetrics.delivered(to, latencyMs),
      onFailed: (to) => repkaMetrics.failed(to),
      clock,
      log,
    });
    draining.delivery = delivery;
    stops.push(delivery.stop);
    const maintenance = await startMaintenance({ uow, asks, trigger, scheduler: queues.scheduler, clock, log, sweepEveryMs: options.sweepEveryMs, rebuildEveryMs: options.rebuildEveryMs });
    stops.push(maintenance.stop);
    stops.push(await startDigest({ config, redis: queues.redis, slackClient: slack.client, reports: storage.reports, names: storage.names, clock, log }));

    const slackApp = createSlackApp({
      config,
      slack,
      cases,
      asks,
      policy,
      names: storage.names,
      reports: storage.reports,
      onInbound: () => repkaMetrics.inbound('slack'),
      clock,
      log,
    });

    const health = async (): Promise<HealthReport> => {
      const parts: Record<string, string> = {};
      const check = async (part: string, probe: () => Promise<unknown>) => {
        try {
          await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 1 s')), 1000).unref())]);
          parts[part] = 'ok';
        } catch (error) {
          parts[part] = `down: ${(error as Error).message}`;
        }
      };
      await Promise.all([check(storage.dialect, () => storage.ping()), check('redis', () => queues.redis.ping())]);
      return { ok: Object.values(parts).every((p) => p === 'ok'), parts };
    };
    const renderMetrics = latestWithin(options.metricsMaxAgeMs ?? 5000, () => repkaMetrics.scrape());
    const webhook = config.telegram.webhookUrl;
    const http = await startHttp({
      config,
      slack: slackApp.requestListener,
      telegram: webhook ? { secret: config.telegram.webhookSecret ?? '', handleUpdate: (u) => telegramBot.handleUpdate(u) } : undefined,
      health,
      metrics: renderMetrics,
      log,
    });
    stops.push(http.stop);
    stops.push(await receiveUpdates(config, telegramBot, log));
    stops.push(await slackApp.connect());
    log.info('repka started', { port: http.port, storage: storage.dialect, slack: config.slack.appToken ? 'socket-mode' : 'http', telegram: webhook ? 'webhook' : 'polling' });
    return { port: http.port, metricsPort: http.metricsPort, stop: () => stops.run() };
  } catch (error) {
    await stops.run();
    throw error;
  }
}
