import type { Department } from '../departments.js';

/**
 * A person a message names. The platform adapter decodes its own mention syntax; the text then
 * shows the person as `@name`, and this says who that is.
 */
export interface Mention {
  /** The person's id on the staff platform. */
  readonly id: string;
  /** The name the text shows after `@`. */
  readonly name: string;
}

/** A question as the "Ask a department" form gives it. */
export interface AskForm {
  readonly department: Department;
  /** The reply-by time from now, ms; undefined: the department's default. */
  readonly durationMs?: number;
  readonly question: string;
}

/** A message an agent wrote in a case thread, read as a command. */
export type AgentCommand =
  | { readonly name: 'reply'; readonly text: string }
  | { readonly name: 'close'; readonly summary: string }
  | { readonly name: 'reopen' }
  /** `target`: the person named, `'me'`, or undefined when nobody (known) is named. */
  | { readonly name: 'assign'; readonly target: Mention | 'me' | undefined }
  | { readonly name: 'history' }
  | { readonly name: 'help' }
  /** `form`: from the card's "Ask a department" form, already validated (`args` unused then). */
  | { readonly name: 'ask'; readonly args: string; readonly form?: AskForm }
  /** `askId`: the question a "Cancel question" button names (`args` unused then). */
  | { readonly name: 'cancel'; readonly args: string; readonly askId?: number }
  | { readonly name: 'link'; readonly caseId: number | undefined }
  | { readonly name: 'unknown'; readonly word: string }
  | { readonly name: 'note'; readonly text: string };

const aliases: Record<string, AgentCommand['name']> = {
  reply: 'reply',
  r: 'reply',
  close: 'close',
  reopen: 'reopen',
  assign: 'assign',
  history: 'history',
  help: 'help',
  ask: 'ask',
  cancel: 'cancel',
  link: 'link',
};

/** Commands listed in help, in the order shown. */
export const agentCommandNames = Object.keys(aliases).filter((k) => k !== 'r');

/**
 * Reads a case-thread message: the first word decides, case-insensitively. `!word` that is not a
 * command is `unknown`; anything not starting with `!` is a `note`. `mentions` are the people the
 * message names (default none): `!assign @name` assigns the one named so. Never throws.
 */
export function parseAgentCommand(message: string, mentions: readonly Mention[] = []): AgentCommand {
  const trimmed = message.trimStart();
  const match = /^!(\S+)/u.exec(trimmed);
  if (match === null) return { name: 'note', text: message.trim() };
  const word = match[1] ?? '';
  const rest = trimmed.slice(match[0].length).trim();
  const name = aliases[word.toLowerCase()];
  switch (name) {
    case undefined:
      return { name: 'unknown', word: `!${word}` };
    case 'reply':
      return { name, text: rest };
    case 'close':
      return { name, summary: rest };
    case 'assign': {
      if (rest === '') return { name, target: undefined };
      if (/^me$/i.test(rest)) return { name, target: 'me' };
      return { name, target: mentions.find((m) => rest === `@${m.name}`) };
    }
    case 'ask':
    case 'cancel':
      return { name, args: rest };
    case 'link': {
      const number = /^#?(\d{1,9})$/.exec(rest)?.[1];
      return { name, caseId: number === undefined ? undefined : Number(number) };
    }
    case 'reopen':
    case 'history':
    case 'help':
      return { name };
    default:
      return { name: 'unknown', word: `!${word}` };
  }
}
