/**
 * Reading a Prometheus text exposition in tests: samples by name and label set (label order is
 * free in the format; prom-client puts a histogram's `le` first), and the families declared by
 * `# TYPE` lines.
 */

/** A label set written as in the exposition: `{a="1",b="x\"y"}`. */
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string): Map<string, string> {
  return new Map([...text.matchAll(labelPair)].map((m) => [m[1] as string, m[2] as string]));
}

function parseSeries(series: string): { name: string; labels: Map<string, string> } {
  const brace = series.indexOf('{');
  return brace === -1 ? { name: series, labels: new Map() } : { name: series.slice(0, brace), labels: parseLabels(series.slice(brace + 1, series.lastIndexOf('}'))) };
}

const sameLabels = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * The value of one sample, `series` written as `name` or `name{label="value",…}` in any label
 * order; undefined when the exposition has no such sample.
 */
export function sampleValue(text: string, series: string): number | undefined {
  const wanted = parseSeries(series);
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const found = parseSeries(line.slice(0, cut));
    if (found.name === wanted.name && sameLabels(found.labels, wanted.labels)) return Number(line.slice(cut + 1));
  }
  return undefined;
}

/** Every family the exposition declares, by name, with its `# TYPE`. */
export function declaredFamilies(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

/** Every sample name present (with at least one sample) in the exposition. */
export function sampleNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? ''),
  );
}

/**
 * The label names of a family's samples, sorted; for a histogram those of its `_bucket`, `_sum`
 * and `_count` samples, without the buckets' `le`.
 */
export function sampleLabelNames(text: string, family: string, histogram: boolean): string[] {
  const names = histogram ? [`${family}_bucket`, `${family}_sum`, `${family}_count`] : [family];
  const labels = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const series = parseSeries(line.slice(0, line.lastIndexOf(' ')));
    if (names.includes(series.name)) for (const label of series.labels.keys()) if (!(histogram && label === 'le')) labels.add(label);
  }
  return [...labels].sort();
}
