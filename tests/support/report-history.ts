/**
 * A support history of three weeks (Mon 2 – Sun 22 November 2026, Moscow time) written straight
 * into storage, for the report page's tests. The figures it must give are worked out by hand in
 * tests/src/report-page.test.ts. A department and an agent are named `<script>&"`.
 *
 * Domain field names (slackChannel, telegramChatId) are the storage ports' as they stand; only this
 * file writes them.
 */
import type { StorageBackend } from '../../db/open-storage.js';
import type { Storage } from '../../src/ports.js';

/** Moscow is UTC+3 all year: local wall time in Moscow as epoch ms. */
export const msk = (y: number, m: number, d: number, h: number, min = 0): number => Date.UTC(y, m - 1, d, h - 3, min);

export const reportTimeZone = 'Europe/Moscow';
/** The period the tests report on, as typed. */
export const reportPeriodText = '2026-11-02..2026-11-22';
/** "Now" for the figures: Monday after the period, 10:00. */
export const reportNow = msk(2026, 11, 23, 10);

/** The departments file of the history: accounting 24/7, the odd one in Moscow office hours. */
export const reportDepartments = {
  departments: [
    { id: 'accounting', name: 'Accounting', slackChannel: 'C0ACC', replyWithin: '1h' },
    {
      id: 'odd',
      name: '<script>&"',
      slackChannel: 'C0ODD',
      replyWithin: '2h',
      hours: { timezone: 'Europe/Moscow', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
    },
  ],
};

export const anna = 'U0ANNA';
export const evil = 'U0EVIL';

interface SeedCase {
  readonly chat: number;
  readonly openedAt: number;
  readonly firstReply?: { readonly at: number; readonly by: string };
  readonly assignee?: string;
  readonly closed?: { readonly at: number; readonly by: string };
  readonly rating?: { readonly at: number; readonly score: number };
  readonly asks?: readonly { readonly department: string; readonly at: number; readonly deadline: number; readonly answeredAt?: number }[];
}

const history: readonly SeedCase[] = [
  // Before the period: counts nowhere.
  { chat: 1, openedAt: msk(2026, 10, 30, 12), firstReply: { at: msk(2026, 10, 30, 12, 5), by: anna }, assignee: anna, closed: { at: msk(2026, 10, 30, 13), by: anna } },
  // Week of 2 Nov. Accounting on time (30m); the odd department late (Tue 15:00 → 18:30: 3 working hours).
  {
    chat: 1,
    openedAt: msk(2026, 11, 2, 10, 15),
    firstReply: { at: msk(2026, 11, 2, 10, 20), by: anna },
    assignee: anna,
    closed: { at: msk(2026, 11, 2, 12), by: anna },
    rating: { at: msk(2026, 11, 2, 12, 5), score: 5 },
    asks: [{ department: 'accounting', at: msk(2026, 11, 2, 10, 30), deadline: msk(2026, 11, 2, 11, 30), answeredAt: msk(2026, 11, 2, 11) }],
  },
  {
    chat: 2,
    openedAt: msk(2026, 11, 3, 14, 40),
    firstReply: { at: msk(2026, 11, 3, 15, 10), by: evil },
    assignee: evil,
    closed: { at: msk(2026, 11, 4, 9), by: evil },
    rating: { at: msk(2026, 11, 4, 9, 30), score: 2 },
    asks: [{ department: 'odd', at: msk(2026, 11, 3, 15), deadline: msk(2026, 11, 3, 17), answeredAt: msk(2026, 11, 3, 18, 30) }],
  },
  // Week of 9 Nov. Accounting: one on time (20m), one never answered (overdue now).
  {
    chat: 1,
    openedAt: msk(2026, 11, 9, 10, 5),
    firstReply: { at: msk(2026, 11, 9, 10, 45), by: anna },
    asks: [
      { department: 'accounting', at: msk(2026, 11, 9, 11), deadline: msk(2026, 11, 9, 12), answeredAt: msk(2026, 11, 9, 11, 20) },
      { department: 'accounting', at: msk(2026, 11, 9, 11, 5), deadline: msk(2026, 11, 9, 12, 5) },
    ],
  },
  { chat: 3, openedAt: msk(2026, 11, 14, 23, 30) },
  // Week of 16 Nov. The odd department on time (1 working hour).
  {
    chat: 2,
    openedAt: msk(2026, 11, 18, 9, 10),
    firstReply: { at: msk(2026, 11, 18, 9, 12), by: anna },
    assignee: anna,
    closed: { at: msk(2026, 11, 18, 16), by: anna },
    rating: { at: msk(2026, 11, 18, 16, 10), score: 4 },
    asks: [{ department: 'odd', at: msk(2026, 11, 18, 9, 30), deadline: msk(2026, 11, 18, 11, 30), answeredAt: msk(2026, 11, 18, 10, 30) }],
  },
];

async function writeCase(tx: Storage, c: SeedCase): Promise<void> {
  const client = await tx.upsertClient({ chatId: 5000 + c.chat, userId: 5000 + c.chat, firstName: `Client ${c.chat}` }, 'en', c.openedAt);
  const theCase = await tx.createCase({ clientId: client.id, thread: { platform: 'slack', conversation: 'C0SUPPORT', thread: null }, previousCaseId: null, openedAt: c.openedAt });
  const event = (at: number, kind: 'case-opened' | 'client-message' | 'agent-reply' | 'closed' | 'rated', authorId: string | null, data: Record<string, unknown> | null = null) =>
    tx.appendEvent({ caseId: theCase.id, at, kind, authorKind: kind === 'client-message' || kind === 'rated' ? 'client' : authorId === null ? 'system' : 'agent', authorId, authorName: null, text: null, data });
  await event(c.openedAt, 'case-opened', null);
  await event(c.openedAt, 'client-message', String(5000 + c.chat));
  if (c.firstReply) await event(c.firstReply.at, 'agent-reply', c.firstReply.by);
  for (const a of c.asks ?? []) {
    const ask = await tx.createAsk({ caseId: theCase.id, departmentId: a.department, question: 'Why?', askedBy: anna, askedByName: 'Anna', askedAt: a.at, deadlineAt: a.deadline, post: { platform: 'slack', conversation: a.department === 'odd' ? 'C0ODD' : 'C0ACC', thread: null } });
    if (a.answeredAt !== undefined) await tx.updateAsk(ask.id, { status: 'answered', answeredAt: a.answeredAt, answeredBy: 'U0DEPT' });
  }
  if (c.closed) await event(c.closed.at, 'closed', c.closed.by);
  if (c.rating) await event(c.rating.at, 'rated', String(5000 + c.chat), { score: c.rating.score });
  const patch = {
    ...(c.assignee ? { assignee: c.assignee } : {}),
    ...(c.firstReply ? { firstReplyAt: c.firstReply.at } : {}),
    ...(c.closed ? { status: 'closed' as const, closedAt: c.closed.at } : {}),
  };
  if (Object.keys(patch).length > 0) await tx.updateCase(theCase.id, patch);
}

/** Writes the history into `backend`, with the agents' display names. */
export async function writeReportHistory(backend: StorageBackend): Promise<void> {
  await backend.uow.run(async (tx) => {
    for (const c of history) await writeCase(tx, c);
  });
  await backend.names.saveName(anna, 'Anna', reportNow);
  await backend.names.saveName(evil, '<script>&"', reportNow);
}
