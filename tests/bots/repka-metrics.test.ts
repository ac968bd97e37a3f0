import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RepkaMetrics, type CountableQueue } from '../../bots/repka-metrics.js';
import { parseDepartments } from '../../bots/config.js';
import { createLogger } from '../../bots/logger.js';
import type { MetricEvent, MetricsSource, OutboxBacklog } from '../../src/ports.js';
import { sampleValue } from '../support/exposition.js';

const departments = parseDepartments(JSON.stringify({ departments: [{ id: 'legal', name: 'Legal', slackChannel: 'C0LEGAL', replyWithin: '1h' }] }), 'departments.json');
const log = createLogger({ level: 'error', write: () => undefined });

/** The stored history as MetricsSource reads it, in memory; `failing` makes every read reject as a lost database would. */
function history() {
  const events: MetricEvent[] = [];
  const reads: number[] = [];
  const state = { failing: false, openCases: 0, pending: 0, oldestCreatedAt: null as number | null };
  const guard = () => {
    if (state.failing) throw new Error('database is locked');
  };
  const source: MetricsSource & OutboxBacklog = {
    eventsAfter: async (afterId, limit) => {
      guard();
      reads.push(afterId);
      return events.filter((e) => e.id > afterId).slice(0, limit);
    },
    openCases: async () => (guard(), state.openCases),
    openAsksByDepartment: async () => (guard(), [{ departmentId: 'legal', open: 2, overdue: 1 }]),
    backlog: async () => (guard(), { pending: state.pending, oldestCreatedAt: state.oldestCreatedAt }),
  };
  const add = (kind: string, at: number, extra: Partial<MetricEvent> = {}) => events.push({ id: events.length + 1, kind, at, departmentId: null, askedAt: null, ...extra });
  return { source, add, reads, state };
}

const idleQueue: CountableQueue = { getJobCounts: async () => ({ waiting: 0, delayed: 0, active: 0, failed: 0 }) };

function metricsOver(source: MetricsSource & OutboxBacklog, clock: { now: () => number }, queues: Record<string, CountableQueue> = { outbox: idleQueue }) {
  return new RepkaMetrics({ reports: source, outbox: source, queues, departments, clock, log, queueTimeoutMs: 50 });
}

describe('RepkaMetrics', () => {
  it('counts cases and questions from the history, reading only what was added since the last scrape, and again from the start after a restart', async () => {
    const h = history();
    const clock = { now: () => 10_000_000 };
    h.add('case-opened', 1000);
    h.add('ask-opened', 2000, { departmentId: 'legal' });
    h.add('ask-answered', 2000 + 30 * 60_000, { departmentId: 'legal', askedAt: 2000 });
    const metrics = metricsOver(h.source, clock);
    let text = (await metrics.scrape()).body;
    expect(sampleValue(text, 'repka_cases_opened_total')).toBe(1);
    expect(sampleValue(text, 'repka_asks_answered_total{department="legal"}')).toBe(1);
    expect(sampleValue(text, 'repka_asks_overdue_total{department="legal"}')).toBe(0);
    expect(sampleValue(text, 'repka_ask_reply_seconds_sum{department="legal"}')).toBe(1800);
    expect(sampleValue(text, 'repka_ask_reply_seconds_bucket{department="legal",le="1800"}')).toBe(1);
    expect(sampleValue(text, 'repka_asks_open_overdue{department="legal"}')).toBe(1);

    h.add('closed', 3000);
    h.add('case-opened', 4000);
    text = (await metrics.scrape()).body;
    expect(h.reads).toEqual([0, 3]);
    expect(sampleValue(text, 'repka_cases_opened_total')).toBe(2);
    expect(sampleValue(text, 'repka_cases_closed_total')).toBe(1);
    expect(sampleValue(text, 'repka_ask_reply_seconds_count{department="legal"}')).toBe(1);

    const restarted = (await metricsOver(h.source, clock).scrape()).body;
    expect(sampleValue(restarted, 'repka_cases_opened_total')).toBe(2);
    expect(sampleValue(restarted, 'repka_cases_closed_total')).toBe(1);
  });

  it('has a registry of its own: two in one process neither collide nor share a series', async () => {
    const clock = { now: () => 0 };
    const a = metricsOver(history().source, clock);
    const b = metricsOver(history().source, clock);
    a.delivered('client', 250);
    a.failed('department');
    const [textA, textB] = [(await a.scrape()).body, (await b.scrape()).body];
    expect(sampleValue(textA, 'repka_outbox_delivered_total{to="client"}')).toBe(1);
    expect(sampleValue(textA, 'repka_outbox_delivery_seconds_bucket{to="client",le="0.25"}')).toBe(1);
    expect(sampleValue(textA, 'repka_outbox_failed_total{to="department"}')).toBe(1);
    expect(sampleValue(textB, 'repka_outbox_delivered_total{to="client"}')).toBeUndefined();
    expect(sampleValue(textB, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it("answers in prom-client's Prometheus text format", async () => {
    const scrape = await metricsOver(history().source, { now: () => 0 }).scrape();
    expect(scrape.contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(scrape.body).toMatch(/^# TYPE repka_cases_opened_total counter$/m);
  });

  it('keeps the last figures when storage or Redis does not answer, and the oldest pending message keeps ageing', async () => {
    const h = history();
    let now = 100_000;
    h.state.pending = 3;
    h.state.oldestCreatedAt = 40_000;
    h.add('case-opened', 1000);
    let counts: Promise<Record<string, number>> = Promise.resolve({ waiting: 2, paused: 1, delayed: 4, active: 0, failed: 0 });
    const metrics = metricsOver(h.source, { now: () => now }, { outbox: { getJobCounts: () => counts } });
    let text = (await metrics.scrape()).body;
    expect(sampleValue(text, 'repka_outbox_oldest_pending_seconds')).toBe(60);
    // A paused queue's jobs wait too.
    expect(sampleValue(text, 'repka_queue_jobs{queue="outbox",state="waiting"}')).toBe(3);

    h.state.failing = true;
    counts = new Promise(() => undefined);
    now = 130_000;
    text = (await metrics.scrape()).body;
    expect(sampleValue(text, 'repka_cases_opened_total')).toBe(1);
    expect(sampleValue(text, 'repka_outbox_pending')).toBe(3);
    expect(sampleValue(text, 'repka_outbox_oldest_pending_seconds')).toBe(90);
    expect(sampleValue(text, 'repka_queue_jobs{queue="outbox",state="delayed"}')).toBe(4);
  });
});
