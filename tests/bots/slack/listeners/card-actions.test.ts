import { describe, expect, it } from 'vitest';
import { replyButton, type CardActionDeps } from '../../../../bots/slack/listeners/actions/card-actions.js';
import type { CaseService } from '../../../../src/cases/case-service.js';
import type { Case, Client } from '../../../../src/ports.js';

const theCase = { id: 12, status: 'open' } as Case;
const client = { id: 1, firstName: 'Anna', lastName: null, username: null, language: 'en' } as Client;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the card\'s "Reply to client" button', () => {
  it('opens the modal at once, without waiting for a directory lookup (the trigger expires in 3 s)', async () => {
    const opened: unknown[] = [];
    const deps = {
      cases: { caseView: () => ({ theCase, client }), mayOpenForm: async () => true } as unknown as CaseService,
      // A lookup that never answers: a handler that waits for it never opens the modal.
      directory: { slackName: () => new Promise<string>(() => undefined) },
      log: silent,
      timeZone: 'UTC',
    } as unknown as CardActionDeps;
    const handler = replyButton(deps);
    const args = {
      ack: async () => undefined,
      action: { value: '12', action_id: 'case_reply', action_ts: '1.1' },
      body: { user: { id: 'U0AGENT1' }, trigger_id: 'trigger-1' },
      client: { views: { open: async (request: unknown) => void opened.push(request) } },
      respond: async () => undefined,
    };
    const done = handler(args as never);
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 1000))]);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ trigger_id: 'trigger-1', view: { callback_id: 'case_reply_modal' } });
  });
});
