import type { SharedFile } from './files.js';
/**
 * What Repka sends, as stored in the outbox. Messages are semantic: the platform adapters render
 * them when they are delivered, so a card shows the case as it is at that moment and several
 * queued client messages can be combined into one post.
 */

/** A file the client sent, still on their chat platform's servers. */
export interface ClientFile {
  readonly fileId: string;
  readonly fileName: string;
  readonly mimeType?: string;
  readonly sizeBytes?: number;
}

/** What the client sent, as it should be shown to agents. */
export type ClientContent =
  | { readonly type: 'text'; readonly text: string }
  /** `mediaGroupId`: the album the file is part of (its parts arrive as separate messages). */
  | {
      readonly type: 'photo' | 'document' | 'video' | 'audio' | 'voice' | 'animation' | 'video_note';
      readonly file: ClientFile;
      readonly caption?: string;
      readonly durationSec?: number;
      readonly mediaGroupId?: string;
    }
  | { readonly type: 'sticker'; readonly emoji?: string; readonly setName?: string }
  | { readonly type: 'location'; readonly latitude: number; readonly longitude: number }
  | { readonly type: 'contact'; readonly phoneNumber: string; readonly firstName: string; readonly lastName?: string }
  | { readonly type: 'other'; readonly what: string };

/** Posts into the case thread in the support channel. */
export type ThreadPost =
  | { readonly type: 'client-message'; readonly eventId: number; readonly content: ClientContent }
  /** `settledAskIds`: the open questions the close settled (their departments were told). */
  | { readonly type: 'closed'; readonly by: string; readonly summary?: string; readonly settledAskIds?: readonly number[] }
  /** `settledAskIds`: the department questions the last close settled (they stay settled). */
  | { readonly type: 'reopened'; readonly by: string; readonly settledAskIds?: readonly number[] }
  | { readonly type: 'assigned'; readonly by: string; readonly assignee: string }
  | { readonly type: 'history' }
  | { readonly type: 'delivery-failed'; readonly what: string; readonly reason: string }
  | { readonly type: 'client-new-case'; readonly newCaseId: number }
  | { readonly type: 'ask-created'; readonly askId: number }
  /**
   * `allSettled` on an answer, a decline or a cancellation: it settled the case's last open
   * question (none is left open, overdue ones included), so it is time to update the client.
   */
  | { readonly type: 'ask-answered'; readonly askId: number; readonly byName: string; readonly text: string; readonly followUp: boolean; readonly allSettled: boolean }
  /** Files a department shared with its answer to `askId`, copied into the case thread. */
  | { readonly type: 'department-files'; readonly askId: number; readonly byName: string; readonly files: readonly SharedFile[] }
  | { readonly type: 'ask-overdue'; readonly askId: number }
  | { readonly type: 'ask-escalated'; readonly askId: number }
  | { readonly type: 'ask-extended'; readonly askId: number; readonly byName: string; readonly reason: string }
  | { readonly type: 'ask-declined'; readonly askId: number; readonly byName: string; readonly reason: string; readonly allSettled: boolean }
  | { readonly type: 'ask-cancelled'; readonly askId: number; readonly by: string; readonly allSettled: boolean }
  | { readonly type: 'client-waiting'; readonly sinceMs: number }
  /** `!link`: this case and `otherCaseId` are now linked both ways. */
  | { readonly type: 'linked'; readonly otherCaseId: number; readonly by: string }
  /** The client edited a message they had sent (the history keeps both texts). */
  | { readonly type: 'client-edited'; readonly text: string; readonly previousText: string | null }
  /** The agent's edit of a delivered `!reply` reached the client (their message now reads `text`). */
  | { readonly type: 'reply-edited'; readonly by: string; readonly text: string }
  /** Files of a `!reply` that are over what the client's chat accepts from a bot: not sent (the rest was). */
  | { readonly type: 'files-not-sent'; readonly files: readonly { readonly name: string; readonly size: number }[]; readonly limitBytes: number }
  /** An agent replied from the card's modal; posted once the client got it. */
  | { readonly type: 'reply-sent'; readonly by: string; readonly text: string; readonly files?: readonly string[] }
  /** The client rated the case 1..5; `mention`: who to ping about a low rating (a staff user ID). */
  | { readonly type: 'rated'; readonly score: number; readonly mention?: string }
  | { readonly type: 'rating-comment'; readonly text: string; readonly score?: number };

/** Posts in a department's channel: the question itself, then notices in its thread. */
export type DepartmentPost =
  | { readonly type: 'question' }
  | { readonly type: 'reminder'; readonly index: number }
  | { readonly type: 'overdue' }
  | { readonly type: 'escalated-again' }
  | { readonly type: 'extended'; readonly byName: string; readonly reason: string }
  | { readonly type: 'cancelled'; readonly by: string }
  /** The case was closed while this question was open: no answer is needed any more. */
  | { readonly type: 'case-closed'; readonly by: string }
  | { readonly type: 'settled' };

/**
 * Why a staff member's command did nothing, as a value: the staff platform's adapter words it. `command` is the
 * typed form (`!close`); `via` says whether the person typed it or pressed a button or sent a form.
 */
export type Refusal =
  | { readonly type: 'not-agent'; readonly command: string; readonly via: 'message' | 'button' }
  | { readonly type: 'usage'; readonly command: string }
  | { readonly type: 'case-closed'; readonly command: string }
  | { readonly type: 'already-closed'; readonly caseId: number }
  | { readonly type: 'already-open'; readonly caseId: number }
  | { readonly type: 'no-such-case'; readonly caseId: number }
  | { readonly type: 'link-to-itself'; readonly caseId: number }
  | { readonly type: 'already-linked'; readonly caseId: number; readonly otherCaseId: number }
  | { readonly type: 'no-open-questions'; readonly caseId: number }
  | { readonly type: 'which-question'; readonly open: readonly { readonly askId: number; readonly department: string }[] }
  | { readonly type: 'question-not-open'; readonly askId: number }
  | { readonly type: 'unknown-department'; readonly given?: string }
  /** `department`: the id of the department the `!ask` named. */
  | { readonly type: 'ask-usage'; readonly problem: 'no-question' | 'bad-duration'; readonly given?: string; readonly department?: string }
  /** An edit of a delivered `!reply` that cannot reach the client: it carried files, reached them as several messages, is older than `maxAgeHours`, or no longer reads as `!reply <text>`. */
  | { readonly type: 'reply-edit-refused'; readonly reason: 'files' | 'too-old' | 'not-a-reply' | 'split'; readonly maxAgeHours: number }
  /** A `!reply` was deleted on the staff platform: the client keeps what they got. */
  | { readonly type: 'reply-not-unsent' };

/** Private answers to one staff member, in a conversation only they see: the command list, or a refusal. */
export type PrivateNotice = { readonly type: 'help'; readonly unknownCommand?: string } | Refusal;

/** Messages to a client's chat; rendered in the client's language at delivery. */
export type ClientNotice =
  | { readonly type: 'case-opened'; readonly caseId: number; readonly empty: boolean }
  /**
   * An agent's `!reply`. `file`: one file it carried (the first goes with the text as its caption,
   * each further one in a notice of its own with `text` ''); `part`/`parts` count them, 1-based.
   */
  | { readonly type: 'agent-reply'; readonly caseId: number; readonly text: string; readonly agentName: string; readonly file?: SharedFile; readonly part?: number; readonly parts?: number; readonly replyTs?: string }
  | { readonly type: 'case-closed'; readonly caseId: number }
  | { readonly type: 'case-reopened'; readonly caseId: number }
  | { readonly type: 'greeting'; readonly openCaseIds: readonly number[] }
  | { readonly type: 'status'; readonly cases: readonly { id: number; status: 'waiting-for-us' | 'waiting-for-you' | 'closed'; openedAt: number }[] }
  /** `/new` refused: the client already has `limit` open cases (listed as in `status`). */
  | { readonly type: 'too-many-open-cases'; readonly limit: number; readonly cases: readonly { id: number; status: 'waiting-for-us' | 'waiting-for-you' | 'closed'; openedAt: number }[] }
  | { readonly type: 'help' }
  | { readonly type: 'checking-with-department'; readonly caseId: number; readonly departmentName: string; readonly expectBy: number }
  | { readonly type: 'choose-language' }
  | { readonly type: 'language-set' }
  | { readonly type: 'private-only' }
  | { readonly type: 'not-supported'; readonly what: string }
  /** Buttons 1..5 to rate a closed case. */
  | { readonly type: 'rate-request'; readonly caseId: number }
  /** The rating request once answered: the chosen score, no buttons (sent as an edit of the request). */
  | { readonly type: 'rating-recorded'; readonly caseId: number; readonly score: number }
  /** Asks for a comment as a reply to this message; once sent, its message_id is kept in the history. */
  | { readonly type: 'rating-comment-invite'; readonly caseId: number }
  | { readonly type: 'rating-comment-thanks'; readonly caseId: number }
  /** A message that replied to nothing was taken as the rating comment: says so, and how to open a case instead. */
  | { readonly type: 'rating-comment-taken'; readonly caseId: number };

export type Outgoing =
  | { readonly to: 'case-card'; readonly caseId: number; readonly op: 'post' | 'update' }
  | { readonly to: 'case-thread'; readonly caseId: number; readonly post: ThreadPost }
  /** Seen only by `user`, in `conversation` (and in `thread`, when given). */
  | { readonly to: 'staff-private'; readonly conversation: string; readonly user: string; readonly thread?: string; readonly notice: PrivateNotice }
  /** Marks a staff member's message as delivered to the client (the adapter picks how it shows). */
  | { readonly to: 'staff-delivered-mark'; readonly caseId?: number; readonly conversation: string; readonly message: string }
  | { readonly to: 'department'; readonly askId: number; readonly caseId: number; readonly post: DepartmentPost }
  /**
   * One of the question's posts with buttons edited (chat.update) to show the question as it is at
   * delivery: the question in the department channel ("Need more time", "Not ours") or its
   * confirmation in the case thread ("Cancel question"). A settled question's posts lose their
   * buttons. Each goes in the stream of the post it edits, so it follows that post.
   */
  | { readonly to: 'question-post'; readonly askId: number; readonly caseId: number; readonly where: 'department' | 'case-thread' }
  | {
      readonly to: 'client';
      readonly chatId: number;
      readonly caseId?: number;
      readonly notice: ClientNotice;
      /** Sent once this message was delivered (e.g. the ✅ reaction on the agent's `!reply`). */
      readonly afterDelivery?: readonly Outgoing[];
      /** When set, this earlier message of the bot in the chat gets the notice's text (and loses its buttons) instead of a new message being sent. */
      readonly editMessageId?: number;
      /** When set, the client's message that delivered the agent's `!reply` posted as staff message `replyTs` gets the notice's text instead. */
      readonly editOf?: { readonly replyTs: string; readonly by: string; readonly byName: string; readonly previousText: string };
    };

/** The ordering key: messages with the same stream are delivered one at a time, in order. */
export function streamOf(message: Outgoing): string {
  switch (message.to) {
    case 'case-card':
      // Updates have their own stream: they never wait behind thread posts, and queued ones combine.
      return message.op === 'update' ? `card-${message.caseId}` : `case-${message.caseId}`;
    case 'case-thread':
      return `case-${message.caseId}`;
    case 'staff-delivered-mark':
      return message.caseId === undefined ? `staff-${message.conversation}` : `case-${message.caseId}`;
    case 'staff-private':
      return `staff-${message.conversation}-${message.user}`;
    case 'client':
      return `chat-${message.chatId}`;
    case 'department':
      return `ask-${message.askId}`;
    case 'question-post':
      // Its own stream, as card updates: an edit waits for the workspace's chat.update budget, and
      // the question's and the case's next posts must not wait behind it.
      return `question-${message.askId}-${message.where}`;
  }
}

/** Thread posts after which the case card shows something else (status, assignee, questions, rating, links). */
const cardChangingPosts: ReadonlySet<ThreadPost['type']> = new Set<ThreadPost['type']>([
  'closed',
  'reopened',
  'assigned',
  'ask-created',
  'ask-answered',
  'ask-overdue',
  'ask-escalated',
  'ask-extended',
  'ask-declined',
  'ask-cancelled',
  'client-waiting',
  'client-new-case',
  'rated',
  'linked',
]);

/** The case whose card must be refreshed because this message is sent, if any. Pure. */
export function cardAffectedBy(message: Outgoing): number | undefined {
  if (message.to === 'case-thread' && cardChangingPosts.has(message.post.type)) return message.caseId;
  // A reply to the client ends their wait.
  if (message.to === 'client' && message.notice.type === 'agent-reply') return message.caseId;
  return undefined;
}
