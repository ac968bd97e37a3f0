import { describe, expect, it } from 'vitest';
import { grafanaVariableMetricNames, promqlMetricNames, promqlRatedNames } from '../support/promql-names.js';

describe('the metric names a PromQL expression reads', () => {
  it('keeps the selectors, not the functions, aggregations, keywords or numbers around them', () => {
    expect(promqlMetricNames('histogram_quantile(0.99, sum by (to, le) (rate(repka_outbox_delivery_seconds_bucket{job=~"$job"}[$__rate_interval])))')).toEqual(['repka_outbox_delivery_seconds_bucket']);
    expect(promqlMetricNames('max by (job) (min_over_time(repka_outbox_pending{job="repka"}[15m])) > 0 unless on (job) sum by (job) (increase(repka_outbox_delivered_total[15m])) > 0')).toEqual([
      'repka_outbox_pending',
      'repka_outbox_delivered_total',
    ]);
    expect(promqlMetricNames('up{job="repka"} == 0')).toEqual(['up']);
    expect(promqlMetricNames('sum(rate(a_total[5m] offset 1h)) without (instance) / ignoring (kind) group_left (x) b_total @ 1700000000 or vector(1e3) and bool c')).toEqual(['a_total', 'b_total', 'c']);
  });

  it('sees no name in label values, strings, label lists, durations, subqueries or variables', () => {
    expect(promqlMetricNames('label_replace(repka_cases_open{department="not_a_metric"}, "dst", "$1 fake_metric", "src", "(.*)")')).toEqual(['repka_cases_open']);
    expect(promqlMetricNames('max_over_time(deriv(repka_asks_open[10m])[1h:5m]) * on (department, job) group_right repka_asks_open_overdue')).toEqual(['repka_asks_open', 'repka_asks_open_overdue']);
    expect(promqlMetricNames('sum(x{a=~"{b}", c!="d\\"e"}) by (le) # a comment naming y_total')).toEqual(['x']);
    expect(promqlMetricNames('$__all_fake + ${DS_PROMETHEUS} + 5m + 0x1f + inf + nan')).toEqual([]);
    // A name followed by a space before its call is still a function.
    expect(promqlMetricNames('sum (rate (z_total[1m]))')).toEqual(['z_total']);
  });

  it('refuses __name__ selectors, whose metric it cannot see', () => {
    expect(() => promqlMetricNames('{__name__=~"repka_.+"}')).toThrow(/__name__/);
  });

  it('names what rate and increase are applied to', () => {
    expect(promqlRatedNames('sum(rate(a_total{x="rate(b)"}[5m])) + increase( c_bucket[1h]) + irate(d[1m]) + delta(e[5m])')).toEqual(['a_total', 'c_bucket', 'd']);
  });

  it('reads the metric of a Grafana label_values query, and none in label_values(label)', () => {
    expect(grafanaVariableMetricNames('label_values(repka_cases_open{job=~"$job", a="1,2"}, instance)')).toEqual(['repka_cases_open']);
    expect(grafanaVariableMetricNames('label_values(job)')).toEqual([]);
    expect(grafanaVariableMetricNames('query_result(max by (department) (repka_asks_open))')).toEqual(['repka_asks_open']);
  });
});
