import type { CaseEvent } from '../ports.js';

/** How long after sending an agent may still change a `!reply` the client has, ms (48 h). */
export const replyEditWindowMs = 48 * 60 * 60 * 1000;

/** The `!reply` an agent's message `ts` (on the staff platform) sent, with its text as the client has it now (after delivered edits), or undefined. */
export function replyOf(events: readonly CaseEvent[], ts: string): { reply: CaseEvent; currentText: string } | undefined {
  const reply = events.find((e) => e.kind === 'agent-reply' && e.data?.ts === ts);
  if (reply === undefined) return undefined;
  const lastEdit = events.findLast((e) => e.kind === 'agent-reply-edited' && e.data?.ts === ts);
  return { reply, currentText: lastEdit?.text ?? reply.text ?? '' };
}

/** Whether the reply carried files (a reply with files is not edited: its caption and files are separate messages). */
export function replyHadFiles(reply: CaseEvent): boolean {
  return Array.isArray(reply.data?.files) && reply.data.files.length > 0;
}

/** The client's messages that delivered the reply posted at `ts` (its `reply-delivered` entry); none before it arrived. */
export function deliveredMessageIds(events: readonly CaseEvent[], ts: string): number[] {
  const delivered = events.find((e) => e.kind === 'reply-delivered' && e.data?.ts === ts);
  const ids: unknown = delivered?.data?.messageIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number') : [];
}

/** Whether the reply reached the client as several messages in the client's chat (a long text split): those are not edited. */
export function replyWasSplit(events: readonly CaseEvent[], ts: string): boolean {
  return deliveredMessageIds(events, ts).length > 1;
}
