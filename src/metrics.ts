/** A tiny Prometheus registry: counters and gauges with labels, rendered in the text format. */
type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly values: Map<string, { labels: Labels; value: number }>;
  collect?: () => number;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

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

  /** A gauge read when metrics are rendered. */
  gauge(name: string, help: string, collect: () => number): void {
    this.families.set(name, { help, type: 'gauge', values: new Map(), collect });
  }

  /** The Prometheus text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.collect) lines.push(`${name} ${family.collect()}`);
      for (const { labels, value } of family.values.values()) {
        const key = labelKey(labels);
        lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private add(name: string, help: string, type: 'counter' | 'gauge', labels: Labels, value: number, replace: boolean): void {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    const key = labelKey(labels);
    const current = family.values.get(key);
    if (current === undefined) family.values.set(key, { labels, value });
    else current.value = replace ? value : current.value + value;
  }
}
