import type { AskService } from '../../src/asks/ask-service.js';
import type { Clock, Logger, UnitOfWork } from '../../src/ports.js';
import type { QueueDeliveryTrigger } from '../../jobs/outbox-queue.js';
import type { BullDeadlineScheduler } from '../../jobs/deadline-queue.js';
import type { Stop } from './startup.js';

export interface MaintenanceDeps {
  readonly uow: UnitOfWork;
  readonly asks: AskService;
  readonly trigger: QueueDeliveryTrigger;
  /** Tells whether Redis lost the deadline jobs since they were rebuilt (see markKept). */
  readonly scheduler: Pick<BullDeadlineScheduler, 'markKept' | 'lostSinceMarked'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** How often pending outbox rows are re-queued, ms. Default 10 s. */
  readonly sweepEveryMs?: number;
  /** How often Redis is checked for lost deadline jobs (rebuilt from storage then), ms. Default 5 minutes. */
  readonly rebuildEveryMs?: number;
}

/** Inbound delivery keys are kept this long: a platform redelivers within minutes, not weeks. */
const inboundKeptMs = 7 * 24 * 3600 * 1000;

/**
 * What keeps a running Repka whole: on start, every deadline job is rebuilt from storage and every
 * stream with pending rows queued (what a killed process or an emptied Redis left); then, at
 * intervals, pending streams queued again, the deadline jobs rebuilt when Redis lost them, and old
 * inbound keys forgotten hourly.
 */
export async function startMaintenance(deps: MaintenanceDeps): Promise<{ stop: Stop }> {
  const { uow, asks, trigger, scheduler, clock, log } = deps;
  // Marked first: should Redis be emptied while the jobs are added, the next check rebuilds them.
  await scheduler.markKept();
  const rebuilt = await asks.rebuildSchedules();
  log.info('deadline jobs rebuilt from storage', rebuilt);
  const rebuildIfLost = async () => {
    if (!(await scheduler.lostSinceMarked())) return;
    log.warn('Redis lost the deadline jobs while Repka ran; rebuilt from storage', await asks.rebuildSchedules());
  };
  const sweep = async (tag?: string) => {
    const streams = await uow.read((tx) => tx.pendingStreams());
    if (streams.length > 0) await trigger.add(streams.map((s) => ({ id: s.firstId, stream: s.stream })), tag);
  };
  await sweep(`start${clock.now().toString(36)}`);
  const every = (ms: number, what: string, work: () => Promise<unknown>) => setInterval(() => work().catch((error: Error) => log.warn(`${what} failed`, { error: error.message })), ms);
  const timers = [
    every(deps.sweepEveryMs ?? 10_000, 'outbox sweep', () => sweep()),
    every(3600 * 1000, 'forgetting old inbound keys', () => uow.run((tx) => tx.forgetInboundBefore(clock.now() - inboundKeptMs))),
    // Guards against Redis being emptied while Repka runs.
    every(deps.rebuildEveryMs ?? 5 * 60 * 1000, 'deadline rebuild', rebuildIfLost),
  ];
  return { stop: () => timers.forEach((timer) => clearInterval(timer)) };
}
