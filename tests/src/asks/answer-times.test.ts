import { describe, expect, it } from 'vitest';
import { exportCase } from '../../../src/history/export-case.js';
import type { Client } from '../../../src/ports.js';
import { createDomain, second } from '../../support/domain.js';

describe('how long a department took, in the history export', () => {
  it('is told truthfully under a minute: "under a second", "27s"', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('quick ones');
    const fast = await fx.ask(c.id, 'acc fast?');
    fx.jump(27);
    await fx.departmentReplies(fast.id, 'yes');
    const slower = await fx.ask(c.id, 'law slower?');
    fx.jump(27 * second + 400);
    await fx.departmentReplies(slower.id, 'also yes');

    const record = { case: await fx.caseNow(c.id), client: await fx.store.getClient(c.clientId) as Client, events: await fx.store.listEvents(c.id), asks: await fx.store.listAsks(c.id) };
    const markdown = exportCase(record, 'md', 'UTC');
    const row = (askId: number) => markdown.split('\n').find((line) => line.startsWith(`| Q${askId} |`)) ?? '';
    expect(row(fast.id)).toContain('| under a second |');
    expect(row(slower.id)).toContain('| 27s |');
    expect(exportCase(record, 'html', 'UTC')).toContain('<td>under a second</td>');
  });
});
