import type { StoredMessage } from '../tests/fakes/fake-slack.js';
import type { VisitorInput } from './visitor-inputs.js';

/** A message as the page renders it: stored Slack messages and ephemerals alike. */
export interface SlackLine {
  readonly ts: string;
  /** When the playground first saw it, ms since the epoch: places ephemerals among the messages. */
  readonly time: number;
  readonly user?: string;
  readonly bot: boolean;
  readonly text?: string;
  readonly blocks?: unknown;
  readonly files?: unknown[];
  readonly reactions: readonly string[];
  /** Set on ephemeral messages: the only user who sees it. */
  readonly onlyFor?: string;
  /** A visitor's message: whether Repka got it. */
  readonly delivery?: VisitorInput;
}

/** An ephemeral message: chat.postEphemeral, or what the app sent to a response_url. */
export interface Ephemeral {
  readonly channel: string;
  /** The thread it shows in; undefined: the channel itself. */
  readonly threadTs?: string;
  readonly user: string;
  readonly text: string;
  readonly blocks?: unknown;
  readonly time: number;
}

/** What one channel holds, as the playground knows it. */
export interface ChannelContents {
  readonly messages: readonly StoredMessage[];
  readonly ephemerals: readonly Ephemeral[];
  /** When a message (by ts) was first seen, ms; undefined: just now. */
  readonly firstSeen: (ts: string) => number | undefined;
  /** The visitor's input behind a message (by ts), if it is theirs. */
  readonly delivery: (ts: string) => VisitorInput | undefined;
}

/** A top-level message with its replies, ephemerals among them by time. */
export type ThreadView = SlackLine & { readonly replies: readonly SlackLine[] };

/** Orders Slack timestamps ("1732280000.000101") numerically, seconds then the fraction. */
function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af) - Number(bf);
}

const ephemeralLine = (e: Ephemeral): SlackLine => ({ ts: `ephemeral-${e.time}`, time: e.time, user: 'U0REPKABOT', bot: true, text: e.text, blocks: e.blocks, reactions: [], onlyFor: e.user });

/**
 * A channel as the page shows it: its threads (top-level messages, each with its replies and the
 * ephemerals shown there) and `notes`, the ephemerals shown in the channel itself. Pure.
 */
export function channelView(contents: ChannelContents): { threads: ThreadView[]; notes: SlackLine[] } {
  const lines = [...contents.messages]
    .sort((a, b) => compareTs(a.ts, b.ts))
    .map((m) => {
      const delivery = contents.delivery(m.ts);
      const line: SlackLine = {
        ts: m.ts,
        time: contents.firstSeen(m.ts) ?? Date.now(),
        user: m.user,
        bot: m.bot_id !== undefined,
        text: m.text,
        blocks: m.blocks,
        files: m.files,
        reactions: m.reactions,
        ...(delivery === undefined ? {} : { delivery }),
      };
      return { line, thread: m.thread_ts !== undefined && m.thread_ts !== m.ts ? m.thread_ts : undefined };
    });
  const tops = lines.filter((l) => l.thread === undefined).map((l) => l.line);
  const threads = tops.map((top) => {
    const replies = lines.filter((l) => l.thread === top.ts).map((l) => l.line);
    for (const e of contents.ephemerals.filter((x) => x.threadTs === top.ts)) {
      const at = replies.findIndex((r) => r.time > e.time);
      replies.splice(at === -1 ? replies.length : at, 0, ephemeralLine(e));
    }
    return { ...top, replies };
  });
  const notes = contents.ephemerals.filter((e) => e.threadTs === undefined || !tops.some((t) => t.ts === e.threadTs)).map(ephemeralLine);
  return { threads, notes };
}
