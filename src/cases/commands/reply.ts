import type { CaseCommand } from './command.js';

/**
 * `!reply <text>` (typed, or the card's reply form): the only way text reaches the client. The
 * client stops waiting, the first reply is counted, and an unassigned case goes to the replier.
 * Delivered: a ✅ on the agent's message, or (from the form) the reply shown in the thread.
 */
export const reply: CaseCommand<'reply'> = {
  name: 'reply',
  needsAgent: true,
  run({ theCase, client, message, fx, store, record, refuse }, command) {
    if (command.text === '') return refuse({ type: 'usage', command: '!reply' }, 'empty reply');
    if (theCase.status === 'closed') return refuse({ type: 'case-closed', command: '!reply' }, 'case closed');
    record('agent-reply', command.text, { ts: message.ts });
    store.updateCase(theCase.id, { clientWaitingSince: null, firstReplyAt: theCase.firstReplyAt ?? fx.now, assignee: theCase.assignee ?? message.user });
    fx.send({
      to: 'client',
      chatId: client.telegramChatId,
      caseId: theCase.id,
      notice: { type: 'agent-reply', caseId: theCase.id, text: command.text, agentName: message.userName },
      afterDelivery: [
        message.fromCard
          ? { to: 'case-thread', caseId: theCase.id, post: { type: 'reply-sent', by: message.user, text: command.text } }
          : { to: 'slack-reaction', caseId: theCase.id, reaction: { channel: message.channel, ts: message.ts, name: 'white_check_mark' } },
      ],
    });
    return { outcome: 'done', caseId: theCase.id };
  },
};
