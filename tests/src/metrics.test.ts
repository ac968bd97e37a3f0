import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics.js';

describe('Metrics', () => {
  it('renders counters and gauges with labels, and families read at render time', () => {
    const m = new Metrics();
    m.inc('repka_x_total', 'X', { to: 'client' });
    m.inc('repka_x_total', 'X', { to: 'client' }, 2);
    m.set('repka_y', 'Y', 5, { queue: 'outbox', state: 'waiting' });
    let open = 1;
    m.gauge('repka_open', 'Open', () => open);
    m.collect('repka_by_department_total', 'By department', 'counter', () => [{ labels: { department: 'a"b' }, value: 4 }]);
    open = 7;
    const text = m.render();
    expect(text).toContain('# TYPE repka_x_total counter\nrepka_x_total{to="client"} 3\n');
    expect(text).toContain('repka_y{queue="outbox",state="waiting"} 5');
    expect(text).toContain('# TYPE repka_open gauge\nrepka_open 7\n');
    expect(text).toContain('# TYPE repka_by_department_total counter\nrepka_by_department_total{department="a\\"b"} 4\n');
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count per label set', () => {
    const m = new Metrics();
    m.histogram('repka_reply_seconds', 'Reply', [60, 3600, 1]);
    m.observe('repka_reply_seconds', 0.5, { department: 'dev' });
    m.observe('repka_reply_seconds', 60, { department: 'dev' });
    m.observe('repka_reply_seconds', 7200, { department: 'dev' });
    m.observe('repka_reply_seconds', 30, { department: 'acc' });
    m.histogram('repka_reply_seconds', 'Reply', [60]);
    const lines = m.render().split('\n');
    expect(lines).toContain('# TYPE repka_reply_seconds histogram');
    expect(lines).toEqual(
      expect.arrayContaining([
        'repka_reply_seconds_bucket{department="dev",le="1"} 1',
        'repka_reply_seconds_bucket{department="dev",le="60"} 2',
        'repka_reply_seconds_bucket{department="dev",le="3600"} 2',
        'repka_reply_seconds_bucket{department="dev",le="+Inf"} 3',
        'repka_reply_seconds_sum{department="dev"} 7260.5',
        'repka_reply_seconds_count{department="dev"} 3',
        'repka_reply_seconds_bucket{department="acc",le="60"} 1',
        'repka_reply_seconds_count{department="acc"} 1',
      ]),
    );
    expect(() => m.observe('repka_unknown_seconds', 1)).toThrow(/not a declared histogram/);
  });
});
