import { describe, expect, it } from 'vitest';
import { parseAskArgs } from '../../../src/asks/parse-ask.js';
import { parseDepartments } from '../../../bots/config.js';
import { minute, testDepartments } from '../../support/domain.js';

const { departments } = parseDepartments(JSON.stringify(testDepartments), 'departments.json');

describe('parseAskArgs: spacing', () => {
  it('reads arguments with spaces around them', () => {
    expect(parseAskArgs('  acc why?  ', departments)).toMatchObject({ ok: true, question: 'why?', durationMs: undefined });
  });

  it('reads a deadline set off by several spaces or a line break', () => {
    expect(parseAskArgs('acc in  30m  why?', departments)).toMatchObject({ ok: true, durationMs: 30 * minute, question: 'why?' });
    expect(parseAskArgs('acc in\n30m\nwhy?', departments)).toMatchObject({ ok: true, durationMs: 30 * minute, question: 'why?' });
  });
});
