import type { ClientContent, EphemeralNotice, Outgoing } from '../outgoing.js';
import type { Case, CaseEventKind, CaseStore, Client, ClientProfile, Clock, DeliveryTrigger, Language, Logger, Outbox } from '../ports.js';
import { linkedCases } from './links.js';
import { parseAgentCommand, type Mention } from './agent-command.js';
import { caseClosedNotice } from './rating.js';
import type { AskService } from '../asks/ask-service.js';
import { languageFromCode } from '../i18n/language.js';
import { clientName, contentText } from '../client-name.js';
import { runUnitOfWork, type Effects, type InboundResult } from '../unit-of-work.js';

export type { InboundResult } from '../unit-of-work.js';

export interface CaseServiceDeps {
  readonly store: CaseStore;
  readonly outbox: Outbox;
  readonly trigger: DeliveryTrigger;
  readonly clock: Clock;
  readonly log: Logger;
  /** Slack channel where every case gets its thread. */
  readonly supportChannel: string;
  /** Slack user IDs allowed to reach clients and close cases; undefined: everyone. */
  readonly agents?: readonly string[];
  /** Department questions (`!ask`, `!cancel`) and the client-wait alert. */
  readonly asks: AskService;
  /** A client's open cases at most: `/new` beyond it opens nothing. Default 3. */
  readonly maxOpenCasesPerClient?: number;
}

export type ClientCommand = 'start' | 'status' | 'new' | 'help' | 'language';

export interface AgentMessage {
  /** Dedup key, e.g. 'slack:<event_id>'. */
  readonly inboundKey: string;
  readonly channel: string;
  readonly threadTs: string;
  readonly ts: string;
  readonly user: string;
  readonly userName: string;
  /** As the agent saw it: decoded from the platform's format by the adapter. */
  readonly text: string;
  /** The people `text` names as `@name` (default none); `!assign @name` takes its target from here. */
  readonly mentions?: readonly Mention[];
  /** From a card button or modal rather than a message in the thread (no message to react on). */
  readonly fromCard?: boolean;
}

type Send = (message: Outgoing) => void;

/**
 * The case loop: client messages open and feed cases, agents answer, note, close, reopen and
 * assign. Every method runs in one store transaction together with its outbox writes, then wakes
 * delivery. Methods throw only when storage fails.
 */
export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  /** A message from a client's private chat. Opens a case when the client has none open. */
  receiveClientMessage(inboundKey: string, profile: ClientProfile, content: ClientContent): InboundResult {
    return this.run(inboundKey, (send, now, fx) => {
      const client = this.upsertClient(profile, now);
      let current = this.deps.store.findOpenCase(client.id);
      const opened = current === undefined;
      if (current === undefined) current = this.openCase(client, now, send, false);
      const event = this.deps.store.appendEvent({
        caseId: current.id,
        at: now,
        kind: 'client-message',
        authorKind: 'client',
        authorId: String(client.telegramUserId),
        authorName: clientName(client),
        text: contentText(content),
        data: { content },
      });
      if (current.clientWaitingSince === null) {
        this.deps.store.updateCase(current.id, { clientWaitingSince: now });
        const caseId = current.id;
        if (current.firstReplyAt === null) fx.later(() => this.deps.asks.scheduleClientWait(caseId, now));
        // The card of an existing case shows the client waiting again (a new card is posted with it).
        if (!opened) send({ to: 'case-card', caseId, op: 'update' });
      }
      // A new case's card already shows its first text; anything else goes into the thread.
      if (opened && content.type === 'text') send({ to: 'case-card', caseId: current.id, op: 'post' });
      else {
        if (opened) send({ to: 'case-card', caseId: current.id, op: 'post' });
        send({ to: 'case-thread', caseId: current.id, post: { type: 'client-message', eventId: event.id, content } });
      }
      if (opened) send({ to: 'client', chatId: client.telegramChatId, caseId: current.id, notice: { type: 'case-opened', caseId: current.id, empty: false } });
      return { outcome: 'done', caseId: current.id, opened };
    });
  }

  /** `/start`, `/status`, `/new`, `/help`, `/language` from a client's private chat. */
  receiveClientCommand(inboundKey: string, profile: ClientProfile, command: ClientCommand): InboundResult {
    return this.run(inboundKey, (send, now) => {
      const client = this.upsertClient(profile, now);
      const chatId = client.telegramChatId;
      switch (command) {
        case 'start': {
          const open = this.deps.store.listOpenCases(client.id).map((c) => c.id);
          send({ to: 'client', chatId, notice: { type: 'greeting', openCaseIds: open } });
          return { outcome: 'done' };
        }
        case 'status':
          send({ to: 'client', chatId, notice: { type: 'status', cases: this.openCasesOf(client) } });
          return { outcome: 'done' };
        case 'new': {
          const open = this.openCasesOf(client);
          const limit = this.deps.maxOpenCasesPerClient ?? 3;
          if (open.length >= limit) {
            send({ to: 'client', chatId, notice: { type: 'too-many-open-cases', limit, cases: open } });
            return { outcome: 'ignored', reason: `open-case limit (${limit}) reached` };
          }
          const created = this.openCase(client, now, send, true);
          send({ to: 'case-card', caseId: created.id, op: 'post' });
          send({ to: 'client', chatId, caseId: created.id, notice: { type: 'case-opened', caseId: created.id, empty: true } });
          return { outcome: 'done', caseId: created.id, opened: true };
        }
        case 'help':
          send({ to: 'client', chatId, notice: { type: 'help' } });
          return { outcome: 'done' };
        case 'language':
          send({ to: 'client', chatId, notice: { type: 'choose-language' } });
          return { outcome: 'done' };
      }
    });
  }

  /** A message in a group or channel the bot was added to: answered once, politely, with nothing stored. */
  receiveNonPrivateMessage(inboundKey: string, chatId: number): InboundResult {
    return this.run(inboundKey, (send) => {
      send({ to: 'client', chatId, notice: { type: 'private-only' } });
      return { outcome: 'done' };
    });
  }

  /** Sets the client's language explicitly (e.g. from /language). */
  setClientLanguage(inboundKey: string, profile: ClientProfile, language: Language): InboundResult {
    return this.run(inboundKey, (send, now) => {
      const client = this.upsertClient(profile, now);
      this.deps.store.setClientLanguage(client.id, language);
      send({ to: 'client', chatId: client.telegramChatId, notice: { type: 'language-set' } });
      return { outcome: 'done' };
    });
  }

  /** A human message in a case thread of the support channel: a command or an internal note. */
  receiveAgentMessage(message: AgentMessage): InboundResult {
    return this.run(message.inboundKey, (send, now, fx) => {
      const current = this.deps.store.findCaseByThread(message.channel, message.threadTs);
      if (current === undefined) return { outcome: 'ignored', reason: 'not a case thread' };
      const command = parseAgentCommand(message.text, message.mentions);
      const ephemeral = (notice: EphemeralNotice) =>
        send({ to: 'slack-ephemeral', channel: message.channel, user: message.user, threadTs: message.threadTs, notice });
      const record = (kind: CaseEventKind, text: string | null, data: Record<string, unknown> | null = null) =>
        this.deps.store.appendEvent({ caseId: current.id, at: now, kind, authorKind: 'agent', authorId: message.user, authorName: message.userName, text, data });
      const needsAgent = command.name === 'reply' || command.name === 'close' || command.name === 'reopen' || command.name === 'assign';
      if (needsAgent && !this.isAgent(message.user)) {
        ephemeral({ type: 'not-agent', command: `!${command.name}`, via: message.fromCard ? 'button' : 'message' });
        return { outcome: 'ignored', reason: 'not an agent' };
      }
      const client = this.deps.store.getClient(current.clientId);
      if (client === undefined) throw new Error(`case #${current.id} has no client ${current.clientId}`);

      switch (command.name) {
        case 'note':
          record('note', command.text, { ts: message.ts });
          return { outcome: 'done', caseId: current.id };
        case 'help':
          ephemeral({ type: 'help' });
          return { outcome: 'done', caseId: current.id };
        case 'unknown':
          ephemeral({ type: 'help', unknownCommand: command.word });
          return { outcome: 'ignored', reason: 'unknown command' };
        case 'history':
          send({ to: 'case-thread', caseId: current.id, post: { type: 'history' } });
          return { outcome: 'done', caseId: current.id };
        case 'link': {
          const other = command.caseId === undefined ? undefined : this.deps.store.getCase(command.caseId);
          if (command.caseId === undefined) {
            ephemeral({ type: 'usage', command: '!link' });
            return { outcome: 'ignored', reason: 'no case number' };
          }
          if (other === undefined || other.id === current.id) {
            ephemeral(other === undefined ? { type: 'no-such-case', caseId: command.caseId } : { type: 'link-to-itself', caseId: current.id });
            return { outcome: 'ignored', reason: 'no such case' };
          }
          if (linkedCases(current, this.deps.store.listEvents(current.id)).includes(other.id)) {
            ephemeral({ type: 'already-linked', caseId: current.id, otherCaseId: other.id });
            return { outcome: 'ignored', reason: 'already linked' };
          }
          for (const [a, b] of [
            [current, other],
            [other, current],
          ] as const) {
            this.deps.store.appendEvent({ caseId: a.id, at: now, kind: 'linked', authorKind: 'agent', authorId: message.user, authorName: message.userName, text: null, data: { otherCaseId: b.id } });
            if (a.slackThreadTs !== null || a.id === current.id) send({ to: 'case-thread', caseId: a.id, post: { type: 'linked', otherCaseId: b.id, by: message.user } });
          }
          return { outcome: 'done', caseId: current.id };
        }
        case 'ask':
          return this.deps.asks.ask(current, message, command.args, fx);
        case 'cancel':
          return this.deps.asks.cancelFromThread(current, message, command.args, fx);
        case 'reply': {
          if (command.text === '') {
            ephemeral({ type: 'usage', command: '!reply' });
            return { outcome: 'ignored', reason: 'empty reply' };
          }
          if (current.status === 'closed') {
            ephemeral({ type: 'case-closed', command: '!reply' });
            return { outcome: 'ignored', reason: 'case closed' };
          }
          record('agent-reply', command.text, { ts: message.ts });
          const assignee = current.assignee ?? message.user;
          this.deps.store.updateCase(current.id, { clientWaitingSince: null, firstReplyAt: current.firstReplyAt ?? now, assignee });
          send({
            to: 'client',
            chatId: client.telegramChatId,
            caseId: current.id,
            notice: { type: 'agent-reply', caseId: current.id, text: command.text, agentName: message.userName },
            // Delivered: a ✅ on the agent's message, or (from the card's modal) the reply shown in the thread.
            afterDelivery: [
              message.fromCard
                ? { to: 'case-thread', caseId: current.id, post: { type: 'reply-sent', by: message.user, text: command.text } }
                : { to: 'slack-reaction', caseId: current.id, reaction: { channel: message.channel, ts: message.ts, name: 'white_check_mark' } },
            ],
          });
          return { outcome: 'done', caseId: current.id };
        }
        case 'close': {
          if (current.status === 'closed') {
            ephemeral({ type: 'already-closed', caseId: current.id });
            return { outcome: 'ignored', reason: 'already closed' };
          }
          const summary = command.summary === '' ? null : command.summary;
          record('closed', summary);
          this.deps.store.updateCase(current.id, { status: 'closed', closedAt: now, closeSummary: summary, clientWaitingSince: null });
          const settled = this.deps.asks.settleForClose(current, message, fx).map((a) => a.id);
          send({ to: 'case-thread', caseId: current.id, post: { type: 'closed', by: message.user, summary: summary ?? undefined, ...(settled.length > 0 ? { settledAskIds: settled } : {}) } });
          send(caseClosedNotice(client.telegramChatId, current.id));
          return { outcome: 'done', caseId: current.id };
        }
        case 'reopen': {
          if (current.status === 'open') {
            ephemeral({ type: 'already-open', caseId: current.id });
            return { outcome: 'ignored', reason: 'already open' };
          }
          record('reopened', null);
          this.deps.store.updateCase(current.id, { status: 'open', closedAt: null });
          send({ to: 'case-thread', caseId: current.id, post: { type: 'reopened', by: message.user } });
          send({ to: 'client', chatId: client.telegramChatId, caseId: current.id, notice: { type: 'case-reopened', caseId: current.id } });
          return { outcome: 'done', caseId: current.id };
        }
        case 'assign': {
          if (command.target === undefined) {
            ephemeral({ type: 'usage', command: '!assign' });
            return { outcome: 'ignored', reason: 'no assignee' };
          }
          const assignee = command.target === 'me' ? message.user : command.target;
          record('assigned', null, { assignee });
          this.deps.store.updateCase(current.id, { assignee });
          send({ to: 'case-thread', caseId: current.id, post: { type: 'assigned', by: message.user, assignee } });
          return { outcome: 'done', caseId: current.id };
        }
      }
    });
  }

  /**
   * A message that can never be delivered: recorded in the case history and, when the client did
   * not get something, told to the agents in the case thread.
   */
  recordDeliveryFailure(message: Outgoing, reason: string): void {
    const caseId = 'caseId' in message ? message.caseId : undefined;
    if (caseId === undefined) {
      this.deps.log.warn('undeliverable message outside a case', { to: message.to, reason });
      return;
    }
    const what = describeOutgoing(message);
    this.run(null, (send, now) => {
      this.deps.store.appendEvent({ caseId, at: now, kind: 'delivery-failed', authorKind: 'system', authorId: null, authorName: null, text: reason, data: { what, to: message.to } });
      // Told in the case thread, unless that telling failed itself (or was a reaction or a private answer).
      const tell = message.to === 'client' || message.to === 'department' || message.to === 'case-card' || (message.to === 'case-thread' && message.post.type !== 'delivery-failed');
      if (tell) send({ to: 'case-thread', caseId, post: { type: 'delivery-failed', what, reason } });
      return { outcome: 'done', caseId };
    });
  }

  /**
   * A command from a case card's button or modal, e.g. `!close`: the same as typing it in the
   * case thread. Ignored when the case does not exist or its card was never posted.
   */
  receiveCardCommand(command: { inboundKey: string; caseId: number; ts: string; user: string; userName: string; text: string }): InboundResult {
    const theCase = this.deps.store.getCase(command.caseId);
    if (theCase === undefined || theCase.slackThreadTs === null) return { outcome: 'ignored', reason: 'no such case card' };
    const { caseId: _caseId, ...rest } = command;
    return this.receiveAgentMessage({ ...rest, channel: theCase.slackChannel, threadTs: theCase.slackThreadTs, fromCard: true });
  }

  /** Where a case lives in Slack and who its client is, for card buttons and modals. */
  caseView(caseId: number): { theCase: Case; client: Client } | undefined {
    const theCase = this.deps.store.getCase(caseId);
    const client = theCase && this.deps.store.getClient(theCase.clientId);
    return theCase && client ? { theCase, client } : undefined;
  }

  /** Whether this Slack user may reach clients and close cases. */
  isAgent(userId: string): boolean {
    return this.deps.agents === undefined || this.deps.agents.includes(userId);
  }

  private openCase(client: Client, now: number, send: Send, byCommand: boolean): Case {
    const { store } = this.deps;
    const previous = store.findLatestCase(client.id);
    const created = store.createCase({ clientId: client.id, slackChannel: this.deps.supportChannel, previousCaseId: previous?.id ?? null, openedAt: now });
    store.appendEvent({
      caseId: created.id,
      at: now,
      kind: 'case-opened',
      authorKind: 'client',
      authorId: String(client.telegramUserId),
      authorName: clientName(client),
      text: null,
      data: { previousCaseId: previous?.id ?? null, byCommand },
    });
    if (previous !== undefined) {
      store.appendEvent({ caseId: previous.id, at: now, kind: 'linked', authorKind: 'client', authorId: String(client.telegramUserId), authorName: clientName(client), text: null, data: { otherCaseId: created.id, followUp: true } });
      send({ to: 'case-thread', caseId: previous.id, post: { type: 'client-new-case', newCaseId: created.id } });
    }
    return created;
  }

  /** The client's open cases as they see them in `/status`. */
  private openCasesOf(client: Client) {
    return this.deps.store.listOpenCases(client.id).map((c) => ({
      id: c.id,
      status: c.clientWaitingSince === null && c.firstReplyAt !== null ? ('waiting-for-you' as const) : ('waiting-for-us' as const),
      openedAt: c.openedAt,
    }));
  }

  private upsertClient(profile: ClientProfile, now: number): Client {
    return this.deps.store.upsertClient(profile, languageFromCode(profile.languageCode), now);
  }

  private run(inboundKey: string | null, work: (send: Send, now: number, fx: Effects) => InboundResult): InboundResult {
    return runUnitOfWork(this.deps, inboundKey, (fx) => work(fx.send, fx.now, fx));
  }
}

/** What an undeliverable message was, for agents: "the reply to the client". */
function describeOutgoing(message: Outgoing): string {
  switch (message.to) {
    case 'client':
      return message.notice.type === 'agent-reply' ? 'the reply to the client' : `the "${message.notice.type}" message to the client`;
    case 'case-card':
      return 'the case card';
    case 'case-thread':
      return `a ${message.post.type} post in the case thread`;
    case 'slack-reaction':
      return 'a reaction';
    case 'slack-ephemeral':
      return 'a private answer';
    case 'department':
      return `the ${message.post.type} post about Q${message.askId} in the department channel`;
  }
}
