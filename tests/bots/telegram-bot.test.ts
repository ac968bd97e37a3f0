import { describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../bots/telegram/telegram-bot.js';
import type { CaseService } from '../../src/cases/case-service.js';
import type { RatingService } from '../../src/cases/rating-service.js';
import { createLogger } from '../../src/logger.js';
import type { Update } from 'telegraf/types';
import { textUpdate } from '../fakes/fake-telegram.js';

/**
 * An update counts as handled (the webhook's 200, the polling offset moving on) only once what it
 * wrote is durable: the group commit at the end of the turn. Here the commit is held back by hand.
 */
function setup(committed: () => Promise<void>) {
  const received: string[] = [];
  const cases = {
    receiveClientMessage: (key: string) => {
      received.push(key);
      return { outcome: 'done', caseId: 1, opened: false };
    },
  } as unknown as CaseService;
  const telegram = createTelegramBot({
    token: '42:test',
    apiRoot: 'http://127.0.0.1:9',
    cases,
    ratings: { receiveComment: () => undefined } as unknown as RatingService,
    committed,
    log: createLogger({ level: 'error', write: () => undefined }),
  });
  telegram.bot.botInfo = { id: 42, is_bot: true, first_name: 'Repka', username: 'repka_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false } as never;
  return { telegram, received };
}

const client = { id: 7001, first_name: 'Olena' };
/** The fake's update type is the Bot API's JSON; Telegraf's type lists every update kind. */
const says = (text: string) => textUpdate(client, text) as unknown as Update;

describe('Telegram updates are acknowledged only once durable', () => {
  it('waits for the commit before the update counts as handled', async () => {
    let commit: () => void = () => undefined;
    const t = setup(() => new Promise<void>((resolve) => (commit = resolve)));
    let handled = false;
    const handling = t.telegram.handleUpdate(says('the discount was wrong')).then(() => (handled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.received).toHaveLength(1);
    expect(handled).toBe(false);
    commit();
    await handling;
    expect(handled).toBe(true);
  });

  it('fails the update (webhook 500, Telegram retries) when the commit fails', async () => {
    const t = setup(() => Promise.reject(new Error('not stored: disk I/O error')));
    await expect(t.telegram.handleUpdate(says('hello'))).rejects.toThrow(/not stored/);
  });
});
