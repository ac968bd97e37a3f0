import type { AskService } from '../../asks/ask-service.js';
import type { ClientFileLimits, SharedFile } from '../../files.js';
import type { PrivateNotice, Refusal } from '../../outgoing.js';
import type { Case, CaseEventKind, Client, Storage } from '../../ports.js';
import type { Effects, InboundResult } from '../../unit-of-work.js';
import type { AgentCommand, Mention } from '../agent-command.js';

/** A staff member acting on a case: a message in its thread, or a card button or form. */
export interface AgentMessage {
  /** Dedup key, unique per platform event (the adapter builds it). */
  readonly inboundKey: string;
  /** The staff platform it came from (the adapter's name, as in ThreadRef). */
  readonly platform: string;
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
  /** Files shared with the message (or attached in the form), in order. Default none. */
  readonly files?: readonly SharedFile[];
}

/** What a command works with, inside the case's unit of work. */
export interface CommandContext {
  readonly theCase: Case;
  readonly client: Client;
  readonly message: AgentMessage;
  readonly fx: Effects;
  /** Storage inside the case's unit of work. */
  readonly tx: Storage;
  readonly asks: AskService;
  /** What the client's chat accepts from a bot. */
  readonly fileLimits: ClientFileLimits;
  /** Appends an event to the case's history, by the acting person. */
  record(kind: CaseEventKind, text: string | null, data?: Record<string, unknown> | null): Promise<unknown>;
  /** Answers the acting person privately (chat.postEphemeral in the thread). */
  tellPrivately(notice: PrivateNotice): void;
  /** Answers privately with `refusal` and returns the outcome "ignored" with `reason` (for logs). */
  refuse(refusal: Refusal, reason: string): InboundResult;
}

/**
 * One case-thread command: who may use it and what it does. `needsAgent`: only agents (contract:
 * the configured agents), for typed commands, buttons and forms alike; the others are open to anyone in
 * the thread.
 */
export interface CaseCommand<N extends AgentCommand['name']> {
  readonly name: N;
  readonly needsAgent: boolean;
  run(context: CommandContext, command: Extract<AgentCommand, { name: N }>): Promise<InboundResult>;
}
