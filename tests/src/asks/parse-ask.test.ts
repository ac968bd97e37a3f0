import { describe, expect, it } from 'vitest';
import { parseAskArgs } from '../../../src/asks/parse-ask.js';
import { parseDepartments } from '../../../bots/config.js';

const { departments } = parseDepartments(
  JSON.stringify({
    departments: [
      { id: 'accounting', name: 'Accounting', aliases: ['acc', 'Бухгалтерия'], slackChannel: 'C0ACC', replyWithin: '1h' },
      { id: 'dev', name: 'Development', slackChannel: 'C0DEV', replyWithin: '4h' },
    ],
  }),
  'departments.json',
);

describe('parseAskArgs', () => {
  it('finds the department by id or alias, any case, and keeps the question', () => {
    const byAlias = parseAskArgs('ACC was the client charged twice?', departments);
    expect(byAlias).toMatchObject({ ok: true, question: 'was the client charged twice?' });
    expect(byAlias.ok && byAlias.department.id).toBe('accounting');
    const cyrillic = parseAskArgs('бухгалтерия проверьте платёж', departments);
    expect(cyrillic.ok && cyrillic.department.id).toBe('accounting');
  });

  it('reads "in <duration>" as the deadline', () => {
    expect(parseAskArgs('dev in 1h30m is the coupon broken?', departments)).toMatchObject({ ok: true, durationMs: 90 * 60_000, question: 'is the coupon broken?' });
  });

  it('refuses a first "in" not followed by a duration instead of taking it into the question', () => {
    expect(parseAskArgs('accounting in banana is the invoice paid?', departments)).toEqual({ ok: false, problem: 'bad-duration', given: 'banana', departmentId: 'accounting' });
    expect(parseAskArgs('dev In which build did this break?', departments)).toEqual({ ok: false, problem: 'bad-duration', given: 'which', departmentId: 'dev' });
    expect(parseAskArgs('dev in', departments)).toEqual({ ok: false, problem: 'bad-duration', given: '', departmentId: 'dev' });
  });

  it('takes a question starting with "in" after a deadline', () => {
    expect(parseAskArgs('dev in 4h in which build did this break?', departments)).toMatchObject({ ok: true, durationMs: 4 * 3_600_000, question: 'in which build did this break?' });
    expect(parseAskArgs('dev is it broken in production?', departments)).toMatchObject({ ok: true, durationMs: undefined, question: 'is it broken in production?' });
    expect(parseAskArgs('dev inside the app, where?', departments)).toMatchObject({ ok: true, question: 'inside the app, where?' });
  });

  it('reports unknown departments, missing questions and bad durations', () => {
    expect(parseAskArgs('legal what now', departments)).toEqual({ ok: false, problem: 'unknown-department', given: 'legal' });
    expect(parseAskArgs('', departments)).toEqual({ ok: false, problem: 'no-department' });
    expect(parseAskArgs('dev', departments)).toEqual({ ok: false, problem: 'no-question', departmentId: 'dev' });
    expect(parseAskArgs('dev in 2h', departments)).toEqual({ ok: false, problem: 'no-question', departmentId: 'dev' });
    expect(parseAskArgs('dev in 5x why', departments)).toEqual({ ok: false, problem: 'bad-duration', given: '5x', departmentId: 'dev' });
  });
});
