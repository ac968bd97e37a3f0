import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { AskService } from '../../../../src/asks/ask-service.js';
import type { CaseService } from '../../../../src/cases/case-service.js';
import { findDepartment } from '../../../../src/asks/parse-ask.js';
import type { DepartmentsConfig } from '../../../config.js';
import { isDuration, parseDuration } from '../../../../src/duration.js';
import type { Directory, Logger } from '../../../../src/ports.js';
import { idOf } from '../actions/open-form.js';
import { replyFilesAction, replyTextAction } from '../../render/modals.js';
import { sharedFiles } from '../../shared-files.js';
import { questionFormOf } from '../actions/question-buttons.js';

export interface ViewDeps {
  readonly asks: AskService;
  readonly directory: Directory;
  readonly departments: DepartmentsConfig;
  readonly log: Logger;
}

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** A text input's value from a submitted modal, trimmed ('' when empty). */
function input(view: ViewSubmitAction['view'], block: string): string {
  const value = view.state.values[block]?.value;
  return (value?.value ?? value?.selected_option?.value ?? '').trim();
}

const durationError = { response_action: 'errors', errors: { duration: 'Use a duration such as 30m, 2h or 1d.' } } as const;

export function extendSubmitted(deps: ViewDeps) {
  return async ({ ack, view, body }: ViewArgs): Promise<void> => {
    const duration = input(view, 'duration');
    if (!isDuration(duration)) return void (await ack(durationError));
    await ack();
    const form = questionFormOf(view.private_metadata);
    if (form === undefined) return;
    const userName = await deps.directory.displayName(body.user.id);
    await deps.asks.extend(`slack-view:${view.id}:${view.hash}`, form.askId, parseDuration(duration), input(view, 'reason'), { user: body.user.id, userName, channel: form.channel, threadTs: form.threadTs });
  };
}

export function declineSubmitted(deps: ViewDeps) {
  return async ({ ack, view, body }: ViewArgs): Promise<void> => {
    await ack();
    const form = questionFormOf(view.private_metadata);
    if (form === undefined) return;
    const userName = await deps.directory.displayName(body.user.id);
    await deps.asks.decline(`slack-view:${view.id}:${view.hash}`, form.askId, input(view, 'reason'), { user: body.user.id, userName, channel: form.channel, threadTs: form.threadTs });
  };
}

/** "Ask" in the card's "Ask a department" form: the same as `!ask` in the thread (same checks, same answers). */
export function askSubmitted(deps: ViewDeps & { readonly cases: CaseService }) {
  return async ({ ack, view, body }: ViewArgs): Promise<void> => {
    const duration = input(view, 'duration');
    if (duration !== '' && !isDuration(duration)) return void (await ack(durationError));
    const department = findDepartment(deps.departments.departments, input(view, 'department'));
    const question = input(view, 'question');
    if (department === undefined || question === '') {
      return void (await ack({ response_action: 'errors', errors: department === undefined ? { department: 'Choose a department.' } : { question: 'Write the question.' } }));
    }
    await ack();
    const caseId = idOf(view.private_metadata);
    if (caseId === undefined) return;
    const userName = await deps.directory.displayName(body.user.id);
    const form = { department, question, durationMs: duration === '' ? undefined : parseDuration(duration) };
    const result = await deps.cases.receiveCardCommand({ inboundKey: `slack-view:${view.id}:${view.hash}`, caseId, ts: view.id, user: body.user.id, userName, command: { name: 'ask', args: '', form } });
    deps.log.debug('question from the card', { caseId, ...result });
  };
}

/** "Send to client" in the card's reply modal: the same as `!reply <text>` in the thread, with the files attached in it. */
export function replySubmitted(deps: ViewDeps & { readonly cases: CaseService }) {
  return async ({ ack, view, body }: ViewArgs): Promise<void> => {
    const text = (view.state.values.text?.[replyTextAction]?.value ?? '').trim();
    const files = sharedFiles(view.state.values.files?.[replyFilesAction]?.files);
    if (text === '' && files.length === 0) return void (await ack({ response_action: 'errors', errors: { text: 'Write what the client should get, or attach a file.' } }));
    await ack();
    const caseId = idOf(view.private_metadata);
    if (caseId === undefined) return;
    const userName = await deps.directory.displayName(body.user.id);
    const result = await deps.cases.receiveCardCommand({ inboundKey: `slack-view:${view.id}:${view.hash}`, caseId, ts: view.id, user: body.user.id, userName, command: { name: 'reply', text }, files });
    deps.log.debug('reply from the card', { caseId, ...result });
  };
}
