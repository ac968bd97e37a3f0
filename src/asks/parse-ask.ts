import type { Department } from '../departments.js';
import { DurationError, parseDuration } from '../duration.js';

export type ParsedAsk =
  | { readonly ok: true; readonly department: Department; readonly durationMs?: number; readonly question: string }
  /** `departmentId`: the department named, when the problem came after it. */
  | { readonly ok: false; readonly problem: 'no-department' | 'unknown-department' | 'no-question' | 'bad-duration'; readonly given?: string; readonly departmentId?: string };

/** Finds a department by id or alias, case-insensitively. */
export function findDepartment(departments: readonly Department[], name: string): Department | undefined {
  const wanted = name.toLowerCase();
  return departments.find((d) => d.names.includes(wanted));
}

/**
 * Reads the arguments of `!ask <department id or alias> [in <duration>] <question>`. Never throws.
 * A first word "in" (any case) always starts the deadline, so the word after it must be a
 * duration: `!ask acc in banana…` is refused (`bad-duration`), never sent with a question that
 * silently lost or kept "in banana". A question that really starts with "in" gives the deadline
 * first: `!ask acc in 1h in which month…`.
 */
export function parseAskArgs(args: string, departments: readonly Department[]): ParsedAsk {
  const match = /^(\S+)\s*([\s\S]*)$/u.exec(args.trim());
  if (match === null) return { ok: false, problem: 'no-department' };
  const [, name = '', rest = ''] = match;
  const department = findDepartment(departments, name);
  if (department === undefined) return { ok: false, problem: 'unknown-department', given: name };
  let question = rest.trim();
  let durationMs: number | undefined;
  const deadline = /^in(?:\s+(\S+))?(?:\s+([\s\S]*))?$/iu.exec(question);
  if (deadline !== null) {
    const given = deadline[1] ?? '';
    try {
      durationMs = parseDuration(given);
    } catch (error) {
      if (error instanceof DurationError) return { ok: false, problem: 'bad-duration', given, departmentId: department.id };
      throw error;
    }
    question = (deadline[2] ?? '').trim();
  }
  if (question === '') return { ok: false, problem: 'no-question', departmentId: department.id };
  return { ok: true, department, durationMs, question };
}
