/**
 * The metric names a PromQL expression reads (for checking dashboards and alert rules against a
 * live scrape). Not a PromQL parser: it removes what cannot be a metric name, in this order,
 * and keeps the identifiers left that are not called as functions and are not keywords.
 *
 * 1. string literals ("…", '…', `…`): label values, label_replace's arguments, and comments (#…);
 * 2. label matchers `{…}` (after 1, no brace is left inside one);
 * 3. range and subquery selectors `[5m]`, `[$__rate_interval]`, `[1h:5m]`;
 * 4. label lists of `by`, `without`, `on`, `ignoring`, `group_left`, `group_right` (`by (job, le)`);
 * 5. Grafana variables (`$job`, `${DS}`, `$__interval`) and `@` modifiers;
 * 6. numbers and durations (`0.99`, `5m`, `1e3`, `0x1f`), which start with a digit.
 *
 * The grammar's keywords and names: https://prometheus.io/docs/prometheus/latest/querying/basics/
 * (a metric name matches `[a-zA-Z_:][a-zA-Z0-9_:]*`; `offset`, `bool`, the set operators and the
 * aggregation modifiers are keywords; `inf` and `nan` are numbers).
 */

const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** `expr` with strings, matchers, ranges, label lists and variables removed (steps 1–5 above). */
function strip(expr: string): string {
  return expr
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/#.*$/gm, ' ')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/@\s*(?:start\(\s*\)|end\(\s*\)|[\d.]+)/g, ' ');
}

/**
 * Every metric name `expr` reads, once each, in order of appearance.
 * @throws Error when `expr` selects by `__name__`, whose metric this reading cannot see.
 */
export function promqlMetricNames(expr: string): string[] {
  if (/__name__/.test(expr)) throw new Error(`selects by __name__, which this check cannot follow: ${expr}`);
  const names: string[] = [];
  for (const m of strip(expr).matchAll(/(\d[\w.]*|\.\d+)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, number, name, call] = m;
    if (number !== undefined || name === undefined || call !== undefined || keywords.has(name)) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The names whose samples `rate`, `irate` or `increase` is applied to directly (`rate(x[5m])`,
 * `increase(x{…}[1h])`): they must be counters (or a histogram's `_bucket`, `_sum`, `_count`).
 */
export function promqlRatedNames(expr: string): string[] {
  const noStrings = expr.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/g, '""');
  return [...noStrings.matchAll(/\b(?:rate|irate|increase)\s*\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)].map((m) => m[1] as string);
}

/**
 * The metric a Grafana variable query reads: `label_values(metric{…}, label)` reads `metric`;
 * `label_values(label)` and `query_result(expr)` are read as PromQL (the label alone reads none).
 */
export function grafanaVariableMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*(.*?)\s*(?:,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*)?\)\s*$/.exec(query);
  if (labelValues !== null) return /,/.test(query) ? promqlMetricNames(labelValues[1] ?? '') : [];
  const queryResult = /^\s*query_result\(([\s\S]*)\)\s*$/.exec(query);
  return promqlMetricNames(queryResult?.[1] ?? query);
}
