/**
 * The history entry kinds that move a metric: what `MetricsSource.eventsAfter` returns, on every
 * backend. On PostgreSQL, appending one of them also orders its id by commit (see PgCaseStore).
 */
export const metricEventKinds = ['case-opened', 'closed', 'ask-opened', 'ask-answered', 'ask-overdue'] as const;

/** One of {@link metricEventKinds}. */
export type MetricEventKind = (typeof metricEventKinds)[number];
