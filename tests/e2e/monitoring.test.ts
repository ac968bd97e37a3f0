/**
 * The monitoring that ships with Repka, against a running Repka: every metric the Grafana
 * dashboard (deploy/grafana/repka.json) and the Prometheus alerts (deploy/prometheus/alerts.yml)
 * read is a series its /metrics serves, and README's table of metrics is exactly what it serves
 * (names, types, labels).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TgUser } from '../fakes/fake-telegram.js';
import { declaredFamilies, sampleLabelNames, sampleNames } from '../support/exposition.js';
import { grafanaVariableMetricNames, promqlMetricNames, promqlRatedNames } from '../support/promql-names.js';
import { eventually, startHarness, type Harness } from './harness.js';

const dashboardPath = new URL('../../deploy/grafana/repka.json', import.meta.url);
const alertsPath = new URL('../../deploy/prometheus/alerts.yml', import.meta.url);
const readmePath = new URL('../../README.md', import.meta.url);

/** Series Prometheus writes itself for every target, never in a scrape (https://prometheus.io/docs/concepts/jobs_instances/). */
const scrapeSeries = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
const histogramSuffixes = ['_bucket', '_sum', '_count'];

interface GrafanaPanel {
  readonly type: string;
  readonly id: number;
  readonly title: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly targets?: { readonly expr?: string; readonly refId: string; readonly datasource?: { readonly uid: string } }[];
  readonly panels?: GrafanaPanel[];
}
interface GrafanaDashboard {
  readonly schemaVersion: number;
  readonly uid: string;
  readonly title: string;
  readonly __inputs: { readonly name: string; readonly type: string; readonly pluginId: string }[];
  readonly templating: { readonly list: { readonly name: string; readonly type: string; readonly query: string | { readonly query: string }; readonly datasource?: { readonly uid: string } }[] };
  readonly panels: GrafanaPanel[];
}
interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as GrafanaDashboard;
const alerts = parse(readFileSync(alertsPath, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };

/** Every panel, those inside collapsed rows too. */
const allPanels = (panels: readonly GrafanaPanel[]): GrafanaPanel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const dashboardExprs = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr ?? '' })));
const variableQueries = dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: `variable $${v.name}`, query: typeof v.query === 'string' ? v.query : v.query.query }));
const alertExprs = alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })));

const departments = { departments: [{ id: 'legal', name: 'Legal', slackChannel: 'C0LEGAL', replyWithin: '1h' }] };
const petr: TgUser = { id: 12_001, first_name: 'Petr', language_code: 'en' };
const olga: TgUser = { id: 12_002, first_name: 'Olga', language_code: 'en' };

let h: Harness;
let scrape: string;
const fetchMetrics = async () => (await fetch(`${h.url}/metrics`)).text();

beforeAll(async () => {
  h = await startHarness({ departments });
  // Something of everything: a case closed, a question asked and answered, a delivery that fails
  // for good (the client blocked the bot), so every family of Repka's has samples.
  const first = await h.openCase(petr, 'the parcel is late');
  await h.agentSays(first.threadTs, 'U0AGENT1', '!ask legal may we refund the shipping?');
  const question = await h.slack.waitFor('chat.postMessage', (c) => c.params.channel === 'C0LEGAL' && !c.params.thread_ts);
  const questionTs = h.slack.messages('C0LEGAL').find((m) => m.text === question.params.text)?.ts as string;
  await h.agentSays(questionTs, 'U0DEV1', 'Yes, refund it.', 'C0LEGAL');
  await h.agentSays(first.threadTs, 'U0AGENT1', '!close');
  const second = await h.openCase(olga, 'I will block you');
  await h.telegram.waitFor('sendMessage', (c) => c.params.chat_id === olga.id);
  h.telegram.blockedChats.add(olga.id);
  await h.agentSays(second.threadTs, 'U0AGENT1', '!reply are you there?');
  await h.slack.waitFor('chat.postMessage', (c) => c.params.thread_ts === second.threadTs && /Could not deliver/.test(String(c.params.text)));
  // The GC histogram has a sample once a collection happened since Repka's registry was made: make garbage until one has.
  scrape = await eventually(
    async () => {
      for (let i = 0; i < 20; i += 1) new Array(100_000).fill({ i });
      const text = await fetchMetrics();
      return sampleNames(text).has('nodejs_gc_duration_seconds_count') && sampleNames(text).has('repka_ask_reply_seconds_count') && text;
    },
    10_000,
    'a scrape with every family sampled',
  );
});
afterAll(async () => {
  await h.stop(true);
});

/** Why `name` is not a series of the scrape, or undefined when it is. */
function missing(name: string, samples: ReadonlySet<string>): string | undefined {
  if (samples.has(name) || scrapeSeries.has(name)) return undefined;
  const families = declaredFamilies(scrape);
  const base = histogramSuffixes.reduce((n, suffix) => (n.endsWith(suffix) ? n.slice(0, -suffix.length) : n), name);
  if (families.get(name) === 'histogram') return `${name} is a histogram: read ${name}_bucket, _sum or _count`;
  if (base !== name && families.has(base)) return `${name}: ${base} is a ${families.get(base)}, not a histogram`;
  if (families.has(name)) return `${name} is declared but has no samples`;
  return `${name} is not served by /metrics`;
}

describe('deploy/grafana/repka.json', () => {
  it('is an importable dashboard: one Prometheus datasource input used by every panel and query', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('repka');
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const panels = allPanels(dashboard.panels);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels.filter((q) => q.type !== 'row')) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.expr, `${p.title} ${t.refId}`).toMatch(/\S/);
      expect(new Set(p.targets?.map((t) => t.refId)).size, p.title).toBe(p.targets?.length);
    }
    for (const v of dashboard.templating.list) expect(v.datasource?.uid, v.name).toBe('${DS_PROMETHEUS}');
  });

  it('reads only series a running Repka serves, and rates only counters', () => {
    const samples = sampleNames(scrape);
    const used = [...dashboardExprs.map(({ where, expr }) => ({ where, names: promqlMetricNames(expr) })), ...variableQueries.map(({ where, query }) => ({ where, names: grafanaVariableMetricNames(query) }))];
    const problems = used.flatMap(({ where, names }) => names.map((n) => missing(n, samples)).filter((p) => p !== undefined).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
    expect(ratedNonCounters(dashboardExprs)).toEqual([]);
  });

  it('shows every part the operator and the manager asked for', () => {
    const used = new Set(dashboardExprs.flatMap(({ expr }) => promqlMetricNames(expr)));
    const wanted = [
      ['cases opened and closed', 'repka_cases_opened_total', 'repka_cases_closed_total'],
      ['clients waiting', 'repka_cases_open'],
      ['questions on time vs overdue', 'repka_asks_open', 'repka_asks_open_overdue'],
      ['outbox depth and age', 'repka_outbox_pending', 'repka_outbox_oldest_pending_seconds'],
      ['delivery latency', 'repka_outbox_delivery_seconds_bucket'],
      ['delivery failures', 'repka_outbox_failed_total'],
      ['process health', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds_sum'],
    ];
    for (const [what, ...names] of wanted) for (const name of names) expect(used.has(name as string), `${what}: ${name}`).toBe(true);
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  it("is a Prometheus rule file: groups of alerting rules, each with for, a severity and what to tell", () => {
    expect(Object.keys(alerts)).toEqual(['groups']);
    const names = alerts.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(new Set(names).size).toBe(names.length);
    for (const group of alerts.groups) {
      expect(group.name).toMatch(/\S/);
      for (const rule of group.rules) {
        // The fields of an alerting rule (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/); promtool refuses others.
        expect(Object.keys(rule).every((k) => ['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(k)), rule.alert).toBe(true);
        expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]*$/);
        expect(rule.for, rule.alert).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
        expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity);
        expect(rule.annotations.summary, rule.alert).toMatch(/\S/);
        expect(rule.annotations.description, rule.alert).toMatch(/\S/);
      }
    }
  });

  it('reads only series a running Repka serves (and up), and rates only counters', () => {
    const samples = sampleNames(scrape);
    const problems = alertExprs.flatMap(({ where, expr }) => promqlMetricNames(expr).map((n) => missing(n, samples)).filter((p) => p !== undefined).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
    expect(ratedNonCounters(alertExprs)).toEqual([]);
  });

  it('alerts on Repka down, the outbox not draining or old, overdue questions per department, and delivery failures', () => {
    const reads = (alert: string) => promqlMetricNames(alertExprs.find((a) => a.where === `alert ${alert}`)?.expr ?? '');
    expect(alertExprs.find((a) => a.where === 'alert RepkaDown')?.expr).toBe('up{job="repka"} == 0');
    expect(reads('RepkaOutboxNotDraining')).toEqual(['repka_outbox_pending', 'repka_outbox_delivered_total']);
    expect(reads('RepkaOutboxOldestPendingOld')).toEqual(['repka_outbox_oldest_pending_seconds']);
    expect(reads('RepkaOverdueQuestionsPilingUp')).toEqual(['repka_asks_open_overdue']);
    expect(alertExprs.find((a) => a.where === 'alert RepkaOverdueQuestionsPilingUp')?.expr).toMatch(/by \(job, department\)/);
    expect(reads('RepkaDeliveryFailures')).toEqual(['repka_outbox_failed_total']);
  });
});

describe("README's table of metrics", () => {
  /** The rows of the table under "### Metrics": name, type and label names. */
  const documented = () => {
    const readme = readFileSync(readmePath, 'utf8');
    const section = readme.slice(readme.indexOf('\n### Metrics\n'));
    const table = section.slice(section.indexOf('\n| metric | type | labels | meaning |'));
    // The text before the header, the header and the separator row; the rows end with the table.
    const lines = table.split('\n').slice(3);
    const end = lines.findIndex((line) => !line.startsWith('|'));
    const rows = lines.slice(0, end === -1 ? undefined : end);
    return rows.map((row) => {
      const [name, type, labels] = row.split('|').slice(1, 4).map((cell) => cell.trim());
      return { name: (name ?? '').replace(/`/g, ''), type, labels: [...(labels ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort() };
    });
  };

  it('lists every repka_* family /metrics serves, with its type and labels, and nothing else', () => {
    const rows = documented();
    expect(rows.length).toBeGreaterThan(10);
    const served = [...declaredFamilies(scrape)].filter(([name]) => name.startsWith('repka_'));
    expect(rows.map((r) => r.name).sort()).toEqual(served.map(([name]) => name).sort());
    for (const row of rows) {
      expect(declaredFamilies(scrape).get(row.name), row.name).toBe(row.type);
      expect(sampleLabelNames(scrape, row.name, row.type === 'histogram'), row.name).toEqual(row.labels);
    }
  });
});

/** `rate`, `irate` and `increase` over anything but a counter or a histogram's parts. */
function ratedNonCounters(exprs: readonly { where: string; expr: string }[]): string[] {
  const families = declaredFamilies(scrape);
  const counterLike = (name: string) => families.get(name) === 'counter' || histogramSuffixes.some((s) => name.endsWith(s) && families.get(name.slice(0, -s.length)) === 'histogram');
  return exprs.flatMap(({ where, expr }) => promqlRatedNames(expr).filter((n) => !counterLike(n)).map((n) => `${where}: ${n} is a ${families.get(n) ?? 'missing metric'}`));
}
