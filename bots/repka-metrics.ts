import type { DepartmentsConfig } from '../src/config.js';
import { businessTimeBetween } from '../src/deadlines/business-hours.js';
import type { Metrics, Sample } from '../src/metrics.js';
import type { Clock, Logger, MetricsSource, OutboxBacklog } from '../src/ports.js';

/** Reply-time buckets, seconds: 1m … 5d. */
const replyBuckets = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 432_000];
/** Delivery-latency buckets, seconds. */
const deliveryBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Queue states reported as depths. */
const queueStates = ['waiting', 'delayed', 'active', 'failed'] as const;
/** History entries read per query while catching up. */
const batch = 5000;

/** What `/metrics` needs from a BullMQ queue. */
export interface CountableQueue {
  getJobCounts(...types: (typeof queueStates)[number][]): Promise<Record<string, number>>;
}

export interface RepkaMetricsDeps {
  readonly metrics: Metrics;
  readonly reports: MetricsSource;
  readonly outbox: OutboxBacklog;
  /** Queues by the name used as the `queue` label. */
  readonly queues: Readonly<Record<string, CountableQueue>>;
  readonly departments: DepartmentsConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long a scrape waits for Redis queue counts before showing the last ones, ms. Default 1000. */
  readonly queueTimeoutMs?: number;
}

const byDepartment = (map: ReadonlyMap<string, number>): Sample[] => [...map].map(([department, value]) => ({ labels: { department }, value }));

/**
 * Repka's Prometheus metrics. Case and question counters are counted from the stored history
 * (so they survive restarts): each scrape reads only the entries added since the last one.
 * Queue depths are read from Redis on each scrape.
 */
export class RepkaMetrics {
  private lastEventId = 0;
  private casesOpened = 0;
  private casesClosed = 0;
  private readonly asksOpened = new Map<string, number>();
  private readonly asksAnswered = new Map<string, number>();
  private readonly asksOverdue = new Map<string, number>();
  private readonly queueDepths = new Map<string, Sample>();
  /** What storage said on the last refresh. */
  private now: { openCases: number; openAsks: { departmentId: string; open: number; overdue: number }[]; backlog: { pending: number; oldestCreatedAt: number | null } } = {
    openCases: 0,
    openAsks: [],
    backlog: { pending: 0, oldestCreatedAt: null },
  };

  constructor(private readonly deps: RepkaMetricsDeps) {
    const { metrics, clock } = deps;
    for (const d of deps.departments.departments) for (const map of [this.asksOpened, this.asksAnswered, this.asksOverdue]) map.set(d.id, 0);
    metrics.collect('repka_cases_opened_total', 'Cases opened', 'counter', () => [{ labels: {}, value: this.casesOpened }]);
    metrics.collect('repka_cases_closed_total', 'Cases closed (a case closed, reopened and closed again counts twice)', 'counter', () => [{ labels: {}, value: this.casesClosed }]);
    metrics.gauge('repka_cases_open', 'Cases open now', () => this.now.openCases);
    metrics.collect('repka_asks_opened_total', 'Department questions asked', 'counter', () => byDepartment(this.asksOpened));
    metrics.collect('repka_asks_answered_total', 'Department questions answered', 'counter', () => byDepartment(this.asksAnswered));
    metrics.collect('repka_asks_overdue_total', 'Department questions that passed their deadline unanswered (overdue notices sent)', 'counter', () => byDepartment(this.asksOverdue));
    const openAsks = (which: 'open' | 'overdue') => {
      const counts = new Map(deps.departments.departments.map((d) => [d.id, 0]));
      for (const row of this.now.openAsks) counts.set(row.departmentId, row[which]);
      return byDepartment(counts);
    };
    metrics.collect('repka_asks_open', 'Department questions open now', 'gauge', () => openAsks('open'));
    metrics.collect('repka_asks_open_overdue', 'Department questions open now and past their deadline', 'gauge', () => openAsks('overdue'));
    metrics.histogram('repka_ask_reply_seconds', "Time from a department question to its answer, seconds of the department's working hours", replyBuckets);
    metrics.gauge('repka_outbox_pending', 'Outbox messages waiting for delivery', () => this.now.backlog.pending);
    metrics.gauge('repka_outbox_oldest_pending_seconds', 'Age of the oldest undelivered message', () => {
      const oldest = this.now.backlog.oldestCreatedAt;
      return oldest === null ? 0 : (clock.now() - oldest) / 1000;
    });
    metrics.histogram('repka_outbox_delivery_seconds', 'Time from enqueueing an outbox message to its delivery, seconds', deliveryBuckets);
    metrics.collect('repka_queue_jobs', 'BullMQ jobs per queue and state', 'gauge', () => [...this.queueDepths.values()]);
  }

  /** Records one delivered outbox message. `to` is the outbox destination kind. */
  delivered(to: string, latencyMs: number): void {
    this.deps.metrics.inc('repka_outbox_delivered_total', 'Outbox messages delivered', { to });
    this.deps.metrics.observe('repka_outbox_delivery_seconds', Math.max(0, latencyMs) / 1000, { to });
  }

  /** Brings the counters, the gauges read from storage and the queue depths up to date; call before rendering. Never throws. */
  async refresh(): Promise<void> {
    try {
      await this.catchUp();
      const { reports, outbox, clock } = this.deps;
      const [openCases, openAsks, backlog] = await Promise.all([reports.openCases(), reports.openAsksByDepartment(clock.now()), outbox.backlog()]);
      this.now = { openCases, openAsks, backlog };
    } catch (error) {
      this.deps.log.warn('metrics: reading the history failed', { error: (error as Error).message });
    }
    await this.readQueues();
  }

  private async catchUp(): Promise<void> {
    const departments = new Map(this.deps.departments.departments.map((d) => [d.id, d]));
    const bump = (map: Map<string, number>, key: string | null) => map.set(key ?? 'unknown', (map.get(key ?? 'unknown') ?? 0) + 1);
    for (;;) {
      const events = await this.deps.reports.eventsAfter(this.lastEventId, batch);
      for (const e of events) {
        switch (e.kind) {
          case 'case-opened':
            this.casesOpened += 1;
            break;
          case 'closed':
            this.casesClosed += 1;
            break;
          case 'ask-opened':
            bump(this.asksOpened, e.departmentId);
            break;
          case 'ask-overdue':
            bump(this.asksOverdue, e.departmentId);
            break;
          case 'ask-answered': {
            bump(this.asksAnswered, e.departmentId);
            if (e.askedAt !== null) {
              const hours = departments.get(e.departmentId ?? '')?.hours;
              this.deps.metrics.observe('repka_ask_reply_seconds', businessTimeBetween(e.askedAt, e.at, hours) / 1000, { department: e.departmentId ?? 'unknown' });
            }
            break;
          }
        }
        this.lastEventId = e.id;
      }
      if (events.length < batch) return;
    }
  }

  private async readQueues(): Promise<void> {
    const timeoutMs = this.deps.queueTimeoutMs ?? 1000;
    await Promise.all(
      Object.entries(this.deps.queues).map(async ([queue, q]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const counts = await Promise.race([
            q.getJobCounts(...queueStates),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          // A paused queue keeps its waiting jobs under 'paused': they wait all the same (BullMQ's getWaitingCount counts both).
          for (const state of queueStates) this.queueDepths.set(`${queue}:${state}`, { labels: { queue, state }, value: (counts[state] ?? 0) + (state === 'waiting' ? (counts.paused ?? 0) : 0) });
        } catch (error) {
          this.deps.log.debug('metrics: queue counts unavailable', { queue, error: (error as Error).message });
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}
