/** A tiny Prometheus registry: counters, gauges and histograms with labels, rendered in the text format. */
type Labels = Readonly<Record<string, string>>;

/** One labelled value of a family read at render time. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

interface ValueFamily {
  readonly kind: 'value';
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly values: Map<string, { labels: Labels; value: number }>;
  collect?: () => readonly Sample[];
}

interface HistogramSeries {
  readonly labels: Labels;
  /** Observations at or below each bucket bound (not cumulative; cumulated when rendered). */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface HistogramFamily {
  readonly kind: 'histogram';
  readonly help: string;
  /** Upper bounds, ascending, without +Inf. */
  readonly buckets: readonly number[];
  readonly series: Map<string, HistogramSeries>;
}

type Family = ValueFamily | HistogramFamily;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(String(labels[k]))}"`)
    .join(',');
}

const withLabels = (name: string, key: string) => (key ? `${name}{${key}}` : name);

export class Metrics {
  private readonly families = new Map<string, Family>();

  /** Adds `by` (default 1) to a counter. */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    this.add(name, help, 'counter', labels, by, false);
  }

  /** Sets a gauge. */
  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.add(name, help, 'gauge', labels, value, true);
  }

  /** A gauge without labels, read when metrics are rendered. */
  gauge(name: string, help: string, collect: () => number): void {
    this.collect(name, help, 'gauge', () => [{ labels: {}, value: collect() }]);
  }

  /**
   * A counter or gauge family whose samples are read when metrics are rendered (e.g. counted in
   * the database). Replaces a family of the same name.
   */
  collect(name: string, help: string, type: 'counter' | 'gauge', samples: () => readonly Sample[]): void {
    this.families.set(name, { kind: 'value', help, type, values: new Map(), collect: samples });
  }

  /**
   * Declares a histogram with the given bucket upper bounds (ascending; +Inf is added). Declaring
   * it again keeps what was observed.
   */
  histogram(name: string, help: string, buckets: readonly number[]): void {
    if (this.families.get(name)?.kind === 'histogram') return;
    const sorted = [...buckets].sort((a, b) => a - b);
    this.families.set(name, { kind: 'histogram', help, buckets: sorted, series: new Map() });
  }

  /**
   * Records one observation in a histogram declared with `histogram`.
   * @throws Error when `name` is not a declared histogram.
   */
  observe(name: string, value: number, labels: Labels = {}): void {
    const family = this.families.get(name);
    if (family?.kind !== 'histogram') throw new Error(`${name} is not a declared histogram`);
    const key = labelKey(labels);
    let series = family.series.get(key);
    if (series === undefined) {
      series = { labels, counts: new Array<number>(family.buckets.length).fill(0), sum: 0, count: 0 };
      family.series.set(key, series);
    }
    const index = family.buckets.findIndex((bound) => value <= bound);
    if (index !== -1) series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** The Prometheus text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`);
      if (family.kind === 'histogram') {
        lines.push(`# TYPE ${name} histogram`);
        for (const series of family.series.values()) {
          const key = labelKey(series.labels);
          const prefix = key ? `${key},` : '';
          let cumulative = 0;
          family.buckets.forEach((bound, i) => {
            cumulative += series.counts[i] ?? 0;
            lines.push(`${name}_bucket{${prefix}le="${bound}"} ${cumulative}`);
          });
          lines.push(`${name}_bucket{${prefix}le="+Inf"} ${series.count}`, `${withLabels(`${name}_sum`, key)} ${series.sum}`, `${withLabels(`${name}_count`, key)} ${series.count}`);
        }
        continue;
      }
      lines.push(`# TYPE ${name} ${family.type}`);
      for (const { labels, value } of family.collect?.() ?? []) lines.push(`${withLabels(name, labelKey(labels))} ${value}`);
      for (const { labels, value } of family.values.values()) lines.push(`${withLabels(name, labelKey(labels))} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private add(name: string, help: string, type: 'counter' | 'gauge', labels: Labels, value: number, replace: boolean): void {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { kind: 'value', help, type, values: new Map() };
      this.families.set(name, family);
    }
    if (family.kind !== 'value') throw new Error(`${name} is a histogram`);
    const key = labelKey(labels);
    const current = family.values.get(key);
    if (current === undefined) family.values.set(key, { labels, value });
    else current.value = replace ? value : current.value + value;
  }
}
