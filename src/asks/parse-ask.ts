import type { Department } from '../config.js';
import { DurationError, parseDuration } from '../duration.js';

export type ParsedAsk =
  | { readonly ok: true; readonly department: Department; readonly durationMs?: number; readonly question: string }
  | { readonly ok: false; readonly problem: 'no-department' | 'unknown-department' | 'no-question' | 'bad-duration'; readonly given?: string };

/** Finds a department by id or alias, case-insensitively. */
export function findDepartment(departments: readonly Department[], name: string): Department | undefined {
  const wanted = name.toLowerCase();
  return departments.find((d) => d.names.includes(wanted));
}

/**
 * Reads the arguments of `!ask <department id or alias> [in <duration>] <question>`. Never throws.
 * "in" is only read as a deadline when a duration follows it ("in 2h"); otherwise it starts the question.
 */
export function parseAskArgs(args: string, departments: readonly Department[]): ParsedAsk {
  const match = /^(\S+)\s*([\s\S]*)$/u.exec(args.trim());
  if (match === null) return { ok: false, problem: 'no-department' };
  const [, name = '', rest = ''] = match;
  const department = findDepartment(departments, name);
  if (department === undefined) return { ok: false, problem: 'unknown-department', given: name };
  let question = rest.trim();
  let durationMs: number | undefined;
  const deadline = /^in\s+(\S+)\s*([\s\S]*)$/iu.exec(question);
  if (deadline !== null && /^\d/.test(deadline[1] ?? '')) {
    try {
      durationMs = parseDuration(deadline[1] ?? '');
    } catch (error) {
      if (error instanceof DurationError) return { ok: false, problem: 'bad-duration', given: deadline[1] };
      throw error;
    }
    question = (deadline[2] ?? '').trim();
  }
  if (question === '') return { ok: false, problem: 'no-question' };
  return { ok: true, department, durationMs, question };
}
