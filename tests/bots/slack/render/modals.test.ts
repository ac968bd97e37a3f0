import { describe, expect, it } from 'vitest';
import { askModal, declineModal, extendModal, replyModal } from '../../../../bots/slack/render/modals.js';
import { parseDepartments } from '../../../../bots/config.js';
import type { Case, Client } from '../../../../src/ports.js';

const client = { id: 1, firstName: 'Anna', lastName: null, username: null, language: 'en' } as Client;
const title = (view: Record<string, unknown>) => (view.title as { text: string }).text;

describe('modal titles', () => {
  it('stay within Slack\'s 24 characters however large the numbers grow', () => {
    const departments = parseDepartments('{}', 'd.json');
    for (const id of [1, 123, 123_456, 12_345_678, 1_234_567_890]) {
      for (const view of [extendModal(id), declineModal(id), askModal(id, departments), replyModal({ id, status: 'open' } as Case, client, 'Boris', '', 'UTC')]) {
        expect(title(view).length).toBeLessThanOrEqual(24);
        expect(title(view)).toContain(String(id).slice(0, 6));
      }
    }
    expect(title(replyModal({ id: 123_456, status: 'open' } as Case, client, 'Boris', '', 'UTC'))).toContain('#123456');
  });
});

describe('the "Ask a department" menu', () => {
  it('has at most 100 options, each text and value within 75 characters', () => {
    const departments = {
      clientFirstReplyWithinMs: 0,
      supportLead: [],
      departments: Array.from({ length: 120 }, (_, i) => ({ id: `d${i}`, name: `${'Department of very long names '.repeat(4)}${i}`, names: [], aliases: [], channel: 'C0X', replyWithinMs: 1, mention: [], remindAt: [], escalateTo: [], tellClient: true })),
    };
    const blocks = askModal(7, departments).blocks as { element?: { options?: { text: { text: string }; value: string }[] } }[];
    const options = blocks[0]?.element?.options ?? [];
    expect(options.length).toBe(100);
    for (const o of options) {
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.value.length).toBeLessThanOrEqual(75);
    }
  });
});
