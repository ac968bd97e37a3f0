import type { Department, DepartmentsConfig } from '../departments.js';
import { describeFiles, type SharedFile } from '../files.js';
import { addBusinessTime, businessFractionPoint } from '../deadlines/business-hours.js';
import type { Ask, AskSchedule, AskStore, Case, CaseEventKind, CaseStore, Clock, DeadlineScheduler, DeliveryTrigger, Logger, UnitOfWork } from '../ports.js';
import { runUnitOfWork, type Effects, type InboundResult } from '../unit-of-work.js';
import { closedReason } from './case-closed-reason.js';
import { findDepartment, parseAskArgs } from './parse-ask.js';

export interface AskServiceDeps {
  readonly uow: UnitOfWork;
  readonly trigger: DeliveryTrigger;
  readonly scheduler: DeadlineScheduler;
  readonly clock: Clock;
  readonly log: Logger;
  readonly departments: DepartmentsConfig;
}

/** Who acts on an ask: a staff member. */
export interface Actor {
  readonly user: string;
  readonly userName: string;
}

/**
 * Who pressed a question's button (or sent its form), and where: a refusal answers them there
 * privately. `channel` unset: the question's department channel.
 */
export interface PressedAt {
  readonly user: string;
  readonly channel?: string;
  readonly threadTs?: string;
}

/** A human reply in the thread of an ask's question, in the department channel. */
export interface DepartmentReply extends Actor {
  readonly inboundKey: string;
  /** The staff platform it came from (the adapter's name, as in ThreadRef). */
  readonly platform: string;
  readonly channel: string;
  readonly threadTs: string;
  readonly ts: string;
  readonly text: string;
  /** Files shared with the reply, in order. Default none. */
  readonly files?: readonly SharedFile[];
}

/** Which deadline job fired. */
export type DeadlineKind = { readonly kind: 'reminder'; readonly index: number } | { readonly kind: 'due' } | { readonly kind: 'again' };

/**
 * Questions to departments with reply-by times: asking, answering, extending, declining,
 * cancelling, and the deadline jobs' effects. Each notice fires once: the jobs' effects are
 * claimed with a conditional update in the same unit of work as their outbox writes.
 */
export class AskService {
  constructor(private readonly deps: AskServiceDeps) {}

  /** The configured department, or undefined. */
  department(id: string): Department | undefined {
    return this.deps.departments.departments.find((d) => d.id === id);
  }

  /** The case question `askId` belongs to, or undefined when there is no such question. */
  async caseOf(askId: number): Promise<number | undefined> {
    return (await this.deps.uow.read((tx) => tx.getAsk(askId)))?.caseId;
  }

  /**
   * `!ask <department> [in <duration>] <question>` (or the card's modal) inside a case's unit of
   * work. Unknown departments and bad input answer the asker privately; nothing is created.
   */
  async ask(theCase: Case, actor: Actor & { channel: string; threadTs: string }, args: string, fx: Effects): Promise<InboundResult> {
    const parsed = parseAskArgs(args, this.deps.departments.departments);
    const privately = (notice: Parameters<Effects['send']>[0] & { to: 'staff-private' }) => fx.send(notice);
    if (!parsed.ok) {
      if (parsed.problem === 'unknown-department' || parsed.problem === 'no-department') {
        privately({ to: 'staff-private', conversation: actor.channel, user: actor.user, thread: actor.threadTs, notice: { type: 'unknown-department', given: parsed.given } });
      } else {
        privately({ to: 'staff-private', conversation: actor.channel, user: actor.user, thread: actor.threadTs, notice: { type: 'ask-usage', problem: parsed.problem, given: parsed.given, department: parsed.departmentId } });
      }
      return { outcome: 'ignored', reason: parsed.problem };
    }
    if (theCase.status === 'closed') {
      privately({ to: 'staff-private', conversation: actor.channel, user: actor.user, thread: actor.threadTs, notice: { type: 'case-closed', command: '!ask' } });
      return { outcome: 'ignored', reason: 'case closed' };
    }
    await this.create(theCase, parsed.department, parsed.question, parsed.durationMs, actor, fx);
    return { outcome: 'done', caseId: theCase.id };
  }

  /** Creates an ask (validated input) and everything it sends. */
  async create(theCase: Case, department: Department, question: string, durationMs: number | undefined, actor: Actor, fx: Effects): Promise<Ask> {
    const store = fx.tx;
    const deadlineAt = addBusinessTime(fx.now, durationMs ?? department.replyWithinMs, department.hours);
    const ask = await store.createAsk({
      caseId: theCase.id,
      departmentId: department.id,
      question,
      askedBy: actor.user,
      askedByName: actor.userName,
      askedAt: fx.now,
      deadlineAt,
      // The department's channel is on the staff platform the case is on.
      post: { platform: theCase.thread.platform, conversation: department.channel, thread: null },
    });
    await this.record(fx.tx, ask, 'ask-opened', actor, question, { deadlineAt, department: department.name }, fx.now);
    fx.send({ to: 'department', askId: ask.id, caseId: theCase.id, post: { type: 'question' } });
    fx.send({ to: 'case-thread', caseId: theCase.id, post: { type: 'ask-created', askId: ask.id } });
    if (department.tellClient) {
      const client = await store.getClient(theCase.clientId);
      if (client !== undefined) {
        fx.send({
          to: 'client',
          chatId: client.chatId,
          caseId: theCase.id,
          notice: { type: 'checking-with-department', caseId: theCase.id, departmentName: department.name, expectBy: deadlineAt },
        });
      }
    }
    fx.later(() => this.deps.scheduler.scheduleAsk(this.scheduleOf(ask)));
    return ask;
  }

  /**
   * A human message in a department channel thread: answers the ask it belongs to (the first one
   * settles it: its posts lose their buttons); later ones are mirrored as follow-ups.
   */
  receiveDepartmentReply(reply: DepartmentReply): Promise<InboundResult> {
    return this.run(reply.inboundKey, async (fx) => {
      const store = fx.tx;
      const ask = await store.findAskByThread({ platform: reply.platform, conversation: reply.channel, thread: reply.threadTs });
      if (ask === undefined) return { outcome: 'ignored', reason: 'not an ask thread' };
      const firstAnswer = ask.status === 'open';
      if (firstAnswer) {
        await store.updateAsk(ask.id, { status: 'answered', answeredAt: fx.now, answeredBy: reply.user, answeredByName: reply.userName });
        fx.later(() => this.deps.scheduler.unscheduleAsk(ask.id, ask.version, this.department(ask.departmentId)?.remindAt.length ?? 0));
        this.refreshPosts(ask, fx);
      }
      const files = reply.files ?? [];
      const described = describeFiles(files);
      await this.record(fx.tx, ask, firstAnswer ? 'ask-answered' : 'department-message', reply, reply.text, { ts: reply.ts, ...(files.length > 0 ? { files: described } : {}) }, fx.now, 'department');
      fx.send({
        to: 'case-thread',
        caseId: ask.caseId,
        post: { type: 'ask-answered', askId: ask.id, byName: reply.userName, text: reply.text, followUp: !firstAnswer, allSettled: firstAnswer && (await this.allSettled(store, ask.caseId)) },
      });
      // The department's files follow the answer into the case thread, copied (agents may not be in that channel).
      if (files.length > 0) fx.send({ to: 'case-thread', caseId: ask.caseId, post: { type: 'department-files', askId: ask.id, byName: reply.userName, files } });
      return { outcome: 'done', caseId: ask.caseId };
    });
  }

  /**
   * Whether the question `askId` is open, for a button pressed on one of its posts before a form
   * opens. When it is not (answered, declined, cancelled, or gone), the presser is told privately
   * "Q… is no longer open" (once per `inboundKey`) and the answer is false.
   */
  async isOpenFor(inboundKey: string, askId: number, presser: PressedAt): Promise<boolean> {
    if ((await this.deps.uow.read((tx) => tx.getAsk(askId)))?.status === 'open') return true;
    await this.run(inboundKey, (fx) => this.refuseNotOpen(askId, presser, fx));
    return false;
  }

  /**
   * "Need more time": a new reply-by time counted from now, with a reason; the question's posts
   * show it. Only open asks: on any other the presser is told privately that it is no longer open.
   */
  extend(inboundKey: string, askId: number, durationMs: number, reason: string, actor: Actor & PressedAt): Promise<InboundResult> {
    return this.run(inboundKey, async (fx) => {
      const ask = await fx.tx.getAsk(askId);
      if (ask === undefined || ask.status !== 'open') return this.refuseNotOpen(askId, actor, fx);
      const department = this.department(ask.departmentId);
      const deadlineAt = addBusinessTime(fx.now, durationMs, department?.hours);
      const updated = await fx.tx.updateAsk(ask.id, { deadlineAt, version: ask.version + 1, windowStartAt: fx.now, remindersSent: 0, overdueAt: null, escalatedAgainAt: null });
      await this.record(fx.tx, ask, 'ask-extended', actor, reason, { deadlineAt, previousDeadlineAt: ask.deadlineAt }, fx.now, 'department');
      fx.send({ to: 'department', askId: ask.id, caseId: ask.caseId, post: { type: 'extended', byName: actor.userName, reason } });
      fx.send({ to: 'case-thread', caseId: ask.caseId, post: { type: 'ask-extended', askId: ask.id, byName: actor.userName, reason } });
      // The question and its confirmation show the new reply-by time (their buttons stay).
      this.refreshPosts(ask, fx);
      fx.later(() => {
        this.deps.scheduler.unscheduleAsk(ask.id, ask.version, department?.remindAt.length ?? 0);
        this.deps.scheduler.scheduleAsk(this.scheduleOf(updated));
      });
      return { outcome: 'done', caseId: ask.caseId };
    });
  }

  /**
   * "Not ours": the department declines with a reason; the agent can ask another one. Only open
   * asks: on any other the presser is told privately that it is no longer open.
   */
  decline(inboundKey: string, askId: number, reason: string, actor: Actor & PressedAt): Promise<InboundResult> {
    return this.settle(inboundKey, askId, 'declined', 'ask-declined', reason, actor, async (ask, fx) =>
      fx.send({ to: 'case-thread', caseId: ask.caseId, post: { type: 'ask-declined', askId: ask.id, byName: actor.userName, reason, allSettled: await this.allSettled(fx.tx, ask.caseId) } }),
    );
  }

  /**
   * The case is closing (inside its unit of work): every open question is settled. Each is marked
   * cancelled with the reason "case closed", its reminder, overdue and escalation jobs are removed
   * (and would find it settled if one still fired), its posts lose their buttons, and its
   * department thread is told. Returns the questions settled, in order.
   */
  async settleForClose(theCase: Case, actor: Actor, fx: Effects): Promise<Ask[]> {
    const open = (await fx.tx.listAsks(theCase.id)).filter((a) => a.status === 'open');
    for (const ask of open) {
      await this.settleInside(ask, 'cancelled', 'ask-cancelled', closedReason, actor, fx);
      fx.send({ to: 'department', askId: ask.id, caseId: ask.caseId, post: { type: 'case-closed', by: actor.user } });
    }
    return open;
  }

  /**
   * `!cancel <ask number or department>` (or the "Cancel question" button, which names the ask)
   * inside a case's unit of work.
   */
  async cancelFromThread(theCase: Case, actor: Actor & { channel: string; threadTs: string }, args: string | { readonly askId: number }, fx: Effects): Promise<InboundResult> {
    const open = (await fx.tx.listAsks(theCase.id)).filter((a) => a.status === 'open');
    if (typeof args !== 'string' && !open.some((a) => a.id === args.askId)) {
      fx.send({ to: 'staff-private', conversation: actor.channel, user: actor.user, thread: actor.threadTs, notice: { type: 'question-not-open', askId: args.askId } });
      return { outcome: 'ignored', reason: 'ask not open' };
    }
    const word = typeof args === 'string' ? args.trim().replace(/^#?q?/i, '') : String(args.askId);
    const byNumber = /^\d+$/.test(word) ? open.find((a) => a.id === Number(word)) : undefined;
    const department = byNumber === undefined && word !== '' ? findDepartment(this.deps.departments.departments, word) : undefined;
    const candidates = byNumber ? [byNumber] : department ? open.filter((a) => a.departmentId === department.id) : open;
    if (candidates.length !== 1) {
      const listed = open.map((a) => ({ askId: a.id, department: this.department(a.departmentId)?.name ?? a.departmentId }));
      fx.send({
        to: 'staff-private',
        conversation: actor.channel,
        user: actor.user,
        thread: actor.threadTs,
        notice: open.length === 0 ? { type: 'no-open-questions', caseId: theCase.id } : { type: 'which-question', open: listed },
      });
      return { outcome: 'ignored', reason: 'which ask' };
    }
    const ask = candidates[0] as Ask;
    await this.settleInside(ask, 'cancelled', 'ask-cancelled', null, actor, fx);
    fx.send({ to: 'department', askId: ask.id, caseId: ask.caseId, post: { type: 'cancelled', by: actor.user } });
    fx.send({ to: 'case-thread', caseId: ask.caseId, post: { type: 'ask-cancelled', askId: ask.id, by: actor.user, allSettled: await this.allSettled(fx.tx, ask.caseId) } });
    return { outcome: 'done', caseId: theCase.id };
  }

  /** A deadline job fired: a reminder, the overdue notices, or the second escalation. At most once each. */
  fire(askId: number, version: number, which: DeadlineKind): Promise<InboundResult> {
    return this.run(null, async (fx) => {
      const store = fx.tx;
      const ask = await store.getAsk(askId);
      if (ask === undefined) return { outcome: 'ignored', reason: 'no such ask' };
      switch (which.kind) {
        case 'reminder':
          // A reminder that would arrive after the deadline is pointless: the overdue notice says more.
          if (fx.now >= ask.deadlineAt || !(await store.claimReminder(askId, version, which.index))) return { outcome: 'ignored', reason: 'reminder not due' };
          await this.record(fx.tx, ask, 'ask-reminder', null, null, { index: which.index }, fx.now, 'system');
          fx.send({ to: 'department', askId, caseId: ask.caseId, post: { type: 'reminder', index: which.index } });
          return { outcome: 'done', caseId: ask.caseId };
        case 'due':
          if (!(await store.claimOverdue(askId, version, fx.now))) return { outcome: 'ignored', reason: 'overdue already fired' };
          await this.record(fx.tx, ask, 'ask-overdue', null, null, { deadlineAt: ask.deadlineAt }, fx.now, 'system');
          fx.send({ to: 'department', askId, caseId: ask.caseId, post: { type: 'overdue' } });
          fx.send({ to: 'case-thread', caseId: ask.caseId, post: { type: 'ask-overdue', askId } });
          return { outcome: 'done', caseId: ask.caseId };
        case 'again':
          if (!(await store.claimEscalatedAgain(askId, version, fx.now))) return { outcome: 'ignored', reason: 'escalation already fired' };
          await this.record(fx.tx, ask, 'ask-escalated', null, null, { to: this.deps.departments.supportLead }, fx.now, 'system');
          fx.send({ to: 'department', askId, caseId: ask.caseId, post: { type: 'escalated-again' } });
          fx.send({ to: 'case-thread', caseId: ask.caseId, post: { type: 'ask-escalated', askId } });
          return { outcome: 'done', caseId: ask.caseId };
      }
    });
  }

  /** The client has waited longer than `clientFirstReplyWithin` for a first reply: alert the thread once. */
  fireClientWait(caseId: number, waitingSince: number): Promise<InboundResult> {
    return this.run(null, async (fx) => {
      if (!(await fx.tx.claimWaitAlert(caseId, waitingSince, fx.now))) return { outcome: 'ignored', reason: 'not waiting' };
      await fx.tx.appendEvent({ caseId, at: fx.now, kind: 'client-waiting', authorKind: 'system', authorId: null, authorName: null, text: null, data: { waitingSince } });
      fx.send({ to: 'case-thread', caseId, post: { type: 'client-waiting', sinceMs: waitingSince } });
      return { outcome: 'done', caseId };
    });
  }

  /** Re-creates every pending job from storage (after a restart, or Redis emptied). Returns how many asks and cases. */
  async rebuildSchedules(): Promise<{ asks: number; waits: number }> {
    const [asks, waiting] = await this.deps.uow.read(async (tx) => [await tx.listOpenAsks(), await tx.listCasesAwaitingFirstReply()] as const);
    for (const ask of asks) this.deps.scheduler.scheduleAsk(this.scheduleOf(ask), true);
    for (const c of waiting) this.scheduleClientWait(c.id, c.clientWaitingSince as number, true);
    return { asks: asks.length, waits: waiting.length };
  }

  /** Schedules the client-wait alert of a case whose client started waiting at `since`. */
  scheduleClientWait(caseId: number, since: number, rebuild = false): void {
    this.deps.scheduler.scheduleClientWait(caseId, since, since + this.deps.departments.clientFirstReplyWithinMs, rebuild);
  }

  /** The job time points of an ask as it is now. */
  scheduleOf(ask: Ask): AskSchedule {
    const department = this.department(ask.departmentId);
    const reminders = (department?.remindAt ?? []).map((f) => businessFractionPoint(ask.windowStartAt, ask.deadlineAt, f, department?.hours));
    const againAfter = department?.escalateAgainAfterMs;
    return { askId: ask.id, version: ask.version, reminders, dueAt: ask.deadlineAt, againAt: againAfter === undefined ? undefined : ask.deadlineAt + againAfter };
  }

  /**
   * True when no question of the case is open any more (each answered, declined or cancelled; an
   * overdue one is still open: nobody answered it). Asked right after a question was settled, in
   * the same transaction: true exactly when that one was the last open question.
   */
  private async allSettled(store: AskStore, caseId: number): Promise<boolean> {
    return !(await store.listAsks(caseId)).some((a) => a.status === 'open');
  }

  /** The question's posts with buttons are edited to show it as it is now (its reply-by time; settled: how it ended, no buttons). */
  private refreshPosts(ask: Ask, fx: Effects): void {
    fx.send({ to: 'question-post', askId: ask.id, caseId: ask.caseId, where: 'department' });
    fx.send({ to: 'question-post', askId: ask.id, caseId: ask.caseId, where: 'case-thread' });
  }

  /** Tells the presser privately that `askId` is no longer open (in the question's channel unless they say where). */
  private async refuseNotOpen(askId: number, presser: PressedAt, fx: Effects): Promise<InboundResult> {
    const channel = presser.channel ?? (await fx.tx.getAsk(askId))?.post.conversation;
    if (channel !== undefined) fx.send({ to: 'staff-private', conversation: channel, user: presser.user, thread: presser.threadTs, notice: { type: 'question-not-open', askId } });
    return { outcome: 'ignored', reason: 'ask not open' };
  }

  private settle(
    inboundKey: string,
    askId: number,
    status: 'declined' | 'cancelled',
    kind: CaseEventKind,
    reason: string | null,
    actor: Actor & PressedAt,
    notify: (ask: Ask, fx: Effects) => Promise<void> | void,
  ): Promise<InboundResult> {
    return this.run(inboundKey, async (fx) => {
      const ask = await fx.tx.getAsk(askId);
      if (ask === undefined || ask.status !== 'open') return this.refuseNotOpen(askId, actor, fx);
      await this.settleInside(ask, status, kind, reason, actor, fx);
      await notify(ask, fx);
      return { outcome: 'done', caseId: ask.caseId };
    });
  }

  private async settleInside(ask: Ask, status: 'declined' | 'cancelled', kind: CaseEventKind, reason: string | null, actor: Actor, fx: Effects): Promise<void> {
    await fx.tx.updateAsk(ask.id, { status, closedReason: reason });
    await this.record(fx.tx, ask, kind, actor, reason, null, fx.now, status === 'declined' ? 'department' : 'agent');
    this.refreshPosts(ask, fx);
    fx.later(() => this.deps.scheduler.unscheduleAsk(ask.id, ask.version, this.department(ask.departmentId)?.remindAt.length ?? 0));
  }

  private async record(
    store: CaseStore,
    ask: Ask,
    kind: CaseEventKind,
    actor: Actor | null,
    text: string | null,
    data: Record<string, unknown> | null,
    at: number,
    authorKind: 'agent' | 'department' | 'system' = 'agent',
  ): Promise<void> {
    await store.appendEvent({
      caseId: ask.caseId,
      at,
      kind,
      authorKind: actor === null ? 'system' : authorKind,
      authorId: actor?.user ?? null,
      authorName: actor?.userName ?? null,
      text,
      // The department's name as it is now, so histories read well even if the file changes later.
      data: { askId: ask.id, departmentId: ask.departmentId, department: this.department(ask.departmentId)?.name ?? ask.departmentId, ...data },
    });
  }

  private run(inboundKey: string | null, work: (fx: Effects) => Promise<InboundResult>): Promise<InboundResult> {
    return runUnitOfWork(this.deps, inboundKey, work);
  }
}
