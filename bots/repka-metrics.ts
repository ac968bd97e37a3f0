import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DepartmentsConfig } from './config.js';
import { businessTimeBetween } from '../src/deadlines/business-hours.js';
import type { Clock, Logger, MetricsSource, OutboxBacklog } from '../src/ports.js';
import type { MetricsScrape } from './http-server.js';

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

/** Counts per department, every configured department present (at 0 until something happens). */
type PerDepartment = Map<string, number>;

/**
 * Repka's Prometheus metrics on a prom-client registry of its own (so several Repkas in one
 * process, as in the tests, never share a series), with prom-client's default process metrics.
 * Case and question counters are counted from the stored history (so they survive restarts):
 * each refresh reads only the entries added since the last one, and the counters show those
 * counts when rendered. Open cases and questions, the outbox backlog and the queue depths are
 * read on each refresh; deliveries and inbound events are counted as they happen in this process.
 */
export class RepkaMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  private lastEventId = 0;
  private casesOpened = 0;
  private casesClosed = 0;
  private readonly asksOpened: PerDepartment;
  private readonly asksAnswered: PerDepartment;
  private readonly asksOverdue: PerDepartment;
  private oldestPendingAt: number | null = null;
  private readonly casesOpen: Gauge;
  private readonly asksOpen: Gauge<'department'>;
  private readonly asksOpenOverdue: Gauge<'department'>;
  private readonly askReplySeconds: Histogram<'department'>;
  private readonly outboxPending: Gauge;
  private readonly deliveredTotal: Counter<'to'>;
  private readonly failedTotal: Counter<'to'>;
  private readonly deliverySeconds: Histogram<'to'>;
  private readonly queueJobs: Gauge<'queue' | 'state'>;
  private readonly inboundTotal: Counter<'source'>;

  constructor(private readonly deps: RepkaMetricsDeps) {
    const registers = [this.registry];
    const zeroes = (): PerDepartment => new Map(deps.departments.departments.map((d) => [d.id, 0]));
    this.asksOpened = zeroes();
    this.asksAnswered = zeroes();
    this.asksOverdue = zeroes();
    // A counter whose value is kept here (counted from the history), rendered as it stands: a
    // prom-client Counter has no set(), and its collect() runs on every registry.metrics() before
    // the values are read (prom-client README, "Custom Metrics"), so it resets and adds the count.
    const counted = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    const countedByDepartment = (name: string, help: string, counts: PerDepartment) =>
      new Counter({
        name,
        help,
        labelNames: ['department'],
        registers,
        collect() {
          this.reset();
          for (const [department, n] of counts) this.inc({ department }, n);
        },
      });

    counted('repka_cases_opened_total', 'Cases opened', () => this.casesOpened);
    counted('repka_cases_closed_total', 'Cases closed (a case closed, reopened and closed again counts twice)', () => this.casesClosed);
    this.casesOpen = new Gauge({ name: 'repka_cases_open', help: 'Cases open now', registers });
    countedByDepartment('repka_asks_opened_total', 'Department questions asked', this.asksOpened);
    countedByDepartment('repka_asks_answered_total', 'Department questions answered', this.asksAnswered);
    countedByDepartment('repka_asks_overdue_total', 'Department questions that passed their deadline unanswered (overdue notices sent)', this.asksOverdue);
    this.asksOpen = new Gauge({ name: 'repka_asks_open', help: 'Department questions open now', labelNames: ['department'], registers });
    this.asksOpenOverdue = new Gauge({ name: 'repka_asks_open_overdue', help: 'Department questions open now and past their deadline', labelNames: ['department'], registers });
    this.askReplySeconds = new Histogram({
      name: 'repka_ask_reply_seconds',
      help: "Time from a department question to its answer, seconds of the department's working hours",
      labelNames: ['department'],
      buckets: replyBuckets,
      registers,
    });
    this.outboxPending = new Gauge({ name: 'repka_outbox_pending', help: 'Outbox messages waiting for delivery', registers });
    const oldestAge: Gauge = new Gauge({
      name: 'repka_outbox_oldest_pending_seconds',
      help: 'Age of the oldest undelivered message',
      registers,
      // Aged at render time from the last backlog read, so it keeps growing while storage cannot be read.
      collect: () => oldestAge.set(this.oldestPendingAt === null ? 0 : (deps.clock.now() - this.oldestPendingAt) / 1000),
    });
    this.deliveredTotal = new Counter({ name: 'repka_outbox_delivered_total', help: 'Outbox messages delivered', labelNames: ['to'], registers });
    this.failedTotal = new Counter({ name: 'repka_outbox_failed_total', help: 'Outbox messages that failed for good (not retried; recorded in the case history)', labelNames: ['to'], registers });
    this.deliverySeconds = new Histogram({
      name: 'repka_outbox_delivery_seconds',
      help: 'Time from enqueueing an outbox message to its delivery, seconds',
      labelNames: ['to'],
      buckets: deliveryBuckets,
      registers,
    });
    this.queueJobs = new Gauge({ name: 'repka_queue_jobs', help: 'BullMQ jobs per queue and state', labelNames: ['queue', 'state'], registers });
    this.inboundTotal = new Counter({ name: 'repka_inbound_total', help: 'Inbound platform deliveries', labelNames: ['source'], registers });
    for (const d of deps.departments.departments) {
      this.asksOpen.set({ department: d.id }, 0);
      this.asksOpenOverdue.set({ department: d.id }, 0);
    }
    // CONTRACT: /metrics includes the process's own metrics (CPU, memory, heap, GC, event-loop lag).
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records one delivered outbox message. `to` is the outbox destination kind. */
  delivered(to: string, latencyMs: number): void {
    this.deliveredTotal.inc({ to });
    this.deliverySeconds.observe({ to }, Math.max(0, latencyMs) / 1000);
  }

  /** Records one outbox message that failed for good. `to` is the outbox destination kind. */
  failed(to: string): void {
    this.failedTotal.inc({ to });
  }

  /** Records one inbound platform delivery (`source`: the platform, e.g. "slack"). */
  inbound(source: string): void {
    this.inboundTotal.inc({ source });
  }

  /** Brings everything up to date and renders it in the registry's format. Never throws for storage or Redis. */
  async scrape(): Promise<MetricsScrape> {
    await this.refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Brings the counters, the gauges read from storage and the queue depths up to date. Never throws. */
  async refresh(): Promise<void> {
    try {
      await this.catchUp();
      const { reports, outbox, clock } = this.deps;
      const [openCases, openAsks, backlog] = await Promise.all([reports.openCases(), reports.openAsksByDepartment(clock.now()), outbox.backlog()]);
      this.casesOpen.set(openCases);
      // Every configured department (0 when none is open), and any other that storage names.
      const rows = new Map(this.deps.departments.departments.map((d) => [d.id, { open: 0, overdue: 0 }]));
      for (const row of openAsks) rows.set(row.departmentId, row);
      this.asksOpen.reset();
      this.asksOpenOverdue.reset();
      for (const [department, { open, overdue }] of rows) {
        this.asksOpen.set({ department }, open);
        this.asksOpenOverdue.set({ department }, overdue);
      }
      this.outboxPending.set(backlog.pending);
      this.oldestPendingAt = backlog.oldestCreatedAt;
    } catch (error) {
      this.deps.log.warn('metrics: reading the history failed', { error: (error as Error).message });
    }
    await this.readQueues();
  }

  private async catchUp(): Promise<void> {
    const departments = new Map(this.deps.departments.departments.map((d) => [d.id, d]));
    const bump = (map: PerDepartment, key: string | null) => map.set(key ?? 'unknown', (map.get(key ?? 'unknown') ?? 0) + 1);
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
              this.askReplySeconds.observe({ department: e.departmentId ?? 'unknown' }, businessTimeBetween(e.askedAt, e.at, hours) / 1000);
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
          for (const state of queueStates) this.queueJobs.set({ queue, state }, (counts[state] ?? 0) + (state === 'waiting' ? (counts.paused ?? 0) : 0));
        } catch (error) {
          // The gauge keeps the last counts read.
          this.deps.log.debug('metrics: queue counts unavailable', { queue, error: (error as Error).message });
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}
