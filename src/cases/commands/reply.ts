import { clientFileKind, describeFiles } from '../../files.js';
import { clientNoticeText } from '../../i18n/client-notice-text.js';
import type { Outgoing } from '../../outgoing.js';
import type { CaseCommand } from './command.js';

/**
 * `!reply <text>` (typed, or the card's reply form), with any files shared with it: the only way
 * anything reaches the client. The client stops waiting, the first reply is counted, and an
 * unassigned case goes to the replier. Files go one message each after the text, the first with
 * the text as its caption; files over what the client's chat accepts are told in the thread and
 * left out, the rest still goes. Delivered (all of it): a ✅ on the agent's message, or (from the
 * form) the reply shown in the thread.
 */
export const reply: CaseCommand<'reply'> = {
  name: 'reply',
  needsAgent: true,
  async run({ theCase, client, message, fx, tx, record, refuse, fileLimits }, command) {
    const shared = message.files ?? [];
    if (command.text === '' && shared.length === 0) return refuse({ type: 'usage', command: '!reply' }, 'empty reply');
    if (theCase.status === 'closed') return refuse({ type: 'case-closed', command: '!reply' }, 'case closed');
    const tooBig = shared.filter((f) => clientFileKind(f, fileLimits) === 'too-big');
    const files = shared.filter((f) => !tooBig.includes(f));
    if (tooBig.length > 0) fx.send({ to: 'case-thread', caseId: theCase.id, post: { type: 'files-not-sent', files: tooBig.map(({ name, size }) => ({ name, size })), limitBytes: fileLimits.fileBytes } });
    if (command.text === '' && files.length === 0) {
      // Nothing reached the client; the history still shows what was tried.
      await record('note', message.text.trim(), { ts: message.ts, filesNotSent: describeFiles(tooBig) });
      return { outcome: 'ignored', reason: 'every file too big' };
    }
    await record('agent-reply', command.text, { ts: message.ts, ...(shared.length > 0 ? { files: describeFiles(files), filesNotSent: describeFiles(tooBig) } : {}) });
    await tx.updateCase(theCase.id, { clientWaitingSince: null, firstReplyAt: theCase.firstReplyAt ?? fx.now, assignee: theCase.assignee ?? message.user });

    const delivered: Outgoing = message.fromCard
      ? { to: 'case-thread', caseId: theCase.id, post: { type: 'reply-sent', by: message.user, text: command.text, ...(files.length > 0 ? { files: files.map((f) => f.name) } : {}) } }
      : { to: 'staff-delivered-mark', caseId: theCase.id, conversation: message.channel, message: message.ts };
    // One message per file, in order on the client's stream: the ✅ waits for the last one. A text too
    // long for a caption goes first as a message of its own, so a retry of a file never repeats it.
    const notice = { type: 'agent-reply', caseId: theCase.id, text: command.text, agentName: message.userName } as const;
    // A typed reply can be edited later: its delivery is remembered by the message's ts.
    const editable = message.fromCard ? {} : { replyTs: message.ts };
    const ownMessage = files.length > 0 && command.text !== '' && clientNoticeText(notice, client.language).length > fileLimits.captionChars;
    if (ownMessage) fx.send({ to: 'client', chatId: client.chatId, caseId: theCase.id, notice: { ...notice, ...editable } });
    const parts = Math.max(1, files.length);
    for (let index = 0; index < parts; index += 1) {
      const file = files[index];
      fx.send({
        to: 'client',
        chatId: client.chatId,
        caseId: theCase.id,
        notice: {
          ...notice,
          text: index === 0 && !ownMessage ? command.text : '',
          ...(file === undefined ? {} : { file, part: index + 1, parts }),
          ...editable,
        },
        ...(index === parts - 1 ? { afterDelivery: [delivered] } : {}),
      });
    }
    return { outcome: 'done', caseId: theCase.id };
  },
};
