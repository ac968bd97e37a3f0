import { setMaxListeners } from 'node:events';
import type { webApi } from '@slack/bolt';
import type { Telegram } from 'telegraf';
import type { Config } from '../config.js';
import type { CaseService } from '../../src/cases/case-service.js';
import type { Deliverer } from '../../src/delivery/deliverer.js';
import { RateLimiter, type Pacer, type RateLimit } from '../../src/delivery/rate-limiter.js';
import { singleInstanceLeases, StreamDrainer } from '../../src/delivery/stream-drainer.js';
import { DrainSlots } from '../../src/delivery/drain-slots.js';
import { RedisPacer } from '../../jobs/redis-pacer.js';
import { RedisStreamLeases } from '../../jobs/redis-stream-leases.js';
import type { Clock, Logger, UnitOfWork } from '../../src/ports.js';
import type { AskService } from '../../src/asks/ask-service.js';
import { createOutboxWorker } from '../../jobs/outbox-queue.js';
import { createDeadlineWorker } from '../../jobs/deadline-queue.js';
import type { FileSource } from '../../src/files.js';
import { SlackDeliverer } from '../slack/slack-deliverer.js';
import { TelegramDeliverer } from '../telegram/telegram-deliverer.js';
import { createClientFileDownload } from '../telegram/client-file-download.js';
import type { Queues } from './queues.js';
import type { Stop } from './startup.js';
import type { SlackMethodCall } from '../slack/slack-method-call.js';

/** Delivery paces that are not part of the environment contract (tests and benchmarks set them). */
export interface DeliveryOptions {
  /** Slack posts per channel. Default: 85% of the config rate, no burst. */
  readonly slackChannelRate?: RateLimit;
  /** Telegram messages per chat. Default: config rate, burst 3. */
  readonly telegramChatRate?: RateLimit;
  /** Telegram messages for the whole bot. Default: config rate, burst of one second's worth. */
  readonly telegramGlobalRate?: RateLimit;
  /** First retry delay after a failed platform call, ms. Default 250. */
  readonly backoffBaseMs?: number;
}

export interface DeliveryDeps {
  readonly config: Config;
  readonly options: DeliveryOptions;
  readonly uow: UnitOfWork;
  readonly queues: Queues;
  readonly slackClient: webApi.WebClient;
  /** The deliverer's Web API calls (bots/slack/slack-method-call.ts); the client's methods when not given. */
  readonly slackCallMethod?: SlackMethodCall;
  readonly slackFiles: FileSource;
  readonly telegram: Telegram;
  readonly cases: CaseService;
  readonly asks: AskService;
  /** Told each delivery with the time from enqueue to delivery. */
  readonly onDelivered: (to: string, latencyMs: number) => void;
  /** Told each message that failed for good (after it is marked failed). */
  readonly onFailed: (to: string) => void;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface Delivery {
  readonly drainer: StreamDrainer;
  /** Starts draining `stream` here and now unless too many drains run already (then false: queue a job). */
  drainHere(stream: string): boolean;
  /** Aborts the drains (what is not delivered stays pending) and closes both workers. */
  readonly stop: Stop;
}

/** Most streams drained at once in a process, as the delivery worker's concurrency: past it, wakes queue jobs. */
const maxDrains = 100;
/**
 * Most drains working at once (not waiting for a turn or a retry), as many as the Slack client's
 * requests in flight (WebClient's maxRequestConcurrency, 100): a job drains all the streams one
 * group commit woke, so without a bound a backlog became that many calls queued in memory.
 */
const maxWorkingDrains = 100;

/**
 * The outbox's way out: Slack and Telegram deliverers behind one drainer, the delivery worker
 * that runs it, and the deadline worker. Resolves once both workers are connected.
 */
export async function startDelivery(deps: DeliveryDeps): Promise<Delivery> {
  const { config, options, clock, log, queues } = deps;
  // Several instances (PostgreSQL) share their streams' leases and the platforms' paces in Redis;
  // one instance (SQLite) keeps both in the process.
  const shared = config.databaseUrl !== undefined;
  const slots = new DrainSlots(maxWorkingDrains);
  // A drain waiting for a platform's turn gives its slot to another (DrainSlots.paced).
  const pacer = (name: string, limit: RateLimit): Pacer =>
    slots.paced(shared ? new RedisPacer(queues.redis, log, { prefix: config.queuePrefix, name, limit }, () => clock.now()) : new RateLimiter(limit, () => clock.now()));
  const slackDeliverer = new SlackDeliverer({
    client: deps.slackClient,
    callMethod: deps.slackCallMethod,
    uow: deps.uow,
    files: deps.slackFiles,
    downloadClientFile: createClientFileDownload(deps.telegram),
    // Posts per channel: Slack allows chat.postMessage about one message a second per channel, with
    // short bursts (PLATFORM-NOTES, "Rate limits"); Repka takes no burst and paces 2% under the
    // configured rate, and the pacer slows a channel by a tenth after each 429 it meets (network
    // jitter can bring two posts closer than a second at Slack), regaining the pace turn by turn.
    channelLimiter: pacer('slack-channel', options.slackChannelRate ?? { perSecond: config.rates.slackChannelPerSecond * 0.98, burst: 1 }),
    // Card updates: chat.update is a Tier 3 method (about 50 a minute); off when Slack limits are off.
    updateLimiter: pacer('slack-update', { perSecond: Number.isFinite(config.rates.slackChannelPerSecond) ? 50 / 60 : Infinity, burst: 10 }),
    timeZone: config.timeZone,
    departments: config.departments,
    clock,
    log,
    idle: (wait, signal) => slots.idle(wait, signal),
  });
  const telegramDeliverer = new TelegramDeliverer({
    telegram: deps.telegram,
    uow: deps.uow,
    chatLimiter: pacer('telegram-chat', options.telegramChatRate ?? { perSecond: config.rates.telegramChatPerSecond, burst: 3 }),
    globalLimiter: pacer('telegram-global', options.telegramGlobalRate ?? { perSecond: config.rates.telegramGlobalPerSecond, burst: Math.min(30, config.rates.telegramGlobalPerSecond) }),
    timeZone: config.timeZone,
    clock,
    files: deps.slackFiles,
  });
  const deliverer: Deliverer = {
    deliver: (messages, signal) => (messages[0]?.message.to === 'client' ? telegramDeliverer : slackDeliverer).deliver(messages, signal),
    ready: (head, signal) => (head.message.to === 'client' ? Promise.resolve() : slackDeliverer.ready(head, signal)),
  };
  const drainer = new StreamDrainer({
    uow: deps.uow,
    leases: shared ? new RedisStreamLeases(queues.redis, log, { prefix: config.queuePrefix }) : singleInstanceLeases,
    deliverer,
    trigger: queues.trigger,
    clock,
    log,
    backoffBaseMs: options.backoffBaseMs,
    slots,
    onPermanentFailure: (message, reason) => {
      deps.onFailed(message.message.to);
      return deps.cases.recordDeliveryFailure(message.message, reason);
    },
    onDelivered: (message, latencyMs) => deps.onDelivered(message.message.to, latencyMs),
  });

  const shutdown = new AbortController();
  // Every waiting delivery listens for shutdown: hundreds at once are normal here.
  setMaxListeners(0, shutdown.signal);
  const worker = createOutboxWorker(queues.redis, config.queuePrefix, { drainer, signal: shutdown.signal, onStart: (stream) => queues.trigger.started(stream) }, log);
  const deadlineWorker = createDeadlineWorker(queues.redis, config.queuePrefix, deps.asks, log);
  /** Drains started here without a job (see QueueDeliveryTrigger's `drainHere`), awaited on stop. */
  const local = new Set<Promise<void>>();
  const drainHere = (stream: string): boolean => {
    if (shutdown.signal.aborted || drainer.active >= maxDrains) return false;
    const drained: Promise<void> = drainer
      .drain(stream, shutdown.signal)
      .catch((error: Error) => {
        if (!shutdown.signal.aborted) log.warn('delivery stopped; the sweep will retry', { stream, error: error.message });
      })
      .finally(() => local.delete(drained));
    local.add(drained);
    return true;
  };
  const stop = async () => {
    shutdown.abort(new Error('shutting down'));
    await Promise.allSettled([...local, worker.close(), deadlineWorker.close()]);
  };
  void worker.run();
  void deadlineWorker.run();
  try {
    // Each queue and worker first asks Redis its version; a stop before that answer would leave
    // the question to reject unhandled ("Connection is closed"), so start-up waits for it.
    await Promise.all([queues.outboxQueue.waitUntilReady(), queues.deadlineQueue.waitUntilReady(), worker.waitUntilReady(), deadlineWorker.waitUntilReady()]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { drainer, drainHere, stop };
}
