import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AskService, PressedAt } from '../../../../src/asks/ask-service.js';
import type { Logger } from '../../../../src/ports.js';
import { idOf, openForm } from './open-form.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** What a question's form carries in its `private_metadata`: the question, and where its button was pressed. */
export interface QuestionForm {
  readonly askId: number;
  readonly channel?: string;
  readonly threadTs?: string;
}

/**
 * Reads a question form's `private_metadata`: `{"askId":5,"channel":"C…","threadTs":"…"}`, or the
 * bare number forms opened before it carried more. Undefined when it names no question.
 */
export function questionFormOf(metadata: string | undefined): QuestionForm | undefined {
  const bare = Number(metadata);
  if (Number.isSafeInteger(bare) && bare > 0) return { askId: bare };
  try {
    const parsed = JSON.parse(metadata ?? '') as Partial<Record<keyof QuestionForm, unknown>>;
    const askId = parsed.askId;
    if (typeof askId !== 'number' || !Number.isSafeInteger(askId) || askId <= 0) return undefined;
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    return { askId, channel: text(parsed.channel), threadTs: text(parsed.threadTs) };
  } catch {
    return undefined;
  }
}

/**
 * A button on a question in its department channel ("Need more time", "Not ours") that opens
 * `build(askId)`. An open question opens the form within Slack's 3-second trigger window (a
 * storage read comes first, no network); the form remembers where the button was pressed, so a
 * form sent after the question closed is answered there. A question no longer open opens
 * nothing: the presser is told privately "Q… is no longer open".
 */
export function questionButton(deps: { readonly asks: AskService; readonly log: Logger }, build: (askId: number) => Record<string, unknown>) {
  return async ({ ack, action, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const askId = idOf(action.value);
    if (askId === undefined) return;
    const container = body.container as { channel_id?: string; thread_ts?: string } | undefined;
    const where: PressedAt = { user: body.user.id, channel: body.channel?.id ?? container?.channel_id, threadTs: container?.thread_ts };
    if (!(await deps.asks.isOpenFor(`slack-action:${action.action_id}:${askId}:${action.action_ts}`, askId, where))) return;
    const form: QuestionForm = { askId, channel: where.channel, threadTs: where.threadTs };
    await openForm(client, body.trigger_id, { ...build(askId), private_metadata: JSON.stringify(form) }, deps.log);
  };
}
