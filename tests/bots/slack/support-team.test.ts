import { describe, expect, it } from 'vitest';
import { SupportTeam } from '../../../bots/slack/support-team.js';

describe('SupportTeam', () => {
  it('reads the support channel members in pages Slack allows (under 1,000; 200 recommended), following the cursor', async () => {
    const all = Array.from({ length: 450 }, (_, i) => `U${String(i).padStart(4, '0')}`);
    const limits: number[] = [];
    const client = {
      conversations: {
        members: async ({ limit, cursor }: { limit: number; cursor?: string }) => {
          limits.push(limit);
          const start = Number(cursor ?? 0);
          const end = Math.min(all.length, start + limit);
          return { ok: true, members: all.slice(start, end), response_metadata: { next_cursor: end < all.length ? String(end) : '' } };
        },
      },
    };
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const team = new SupportTeam({ client: client as never, supportChannel: 'C0SUPPORT', clock: { now: () => 0 } as never, log: silent as never });
    expect(await team.has('U0449')).toBe(true);
    expect(await team.has('U9999')).toBe(false);
    expect(limits.length).toBeGreaterThan(1);
    for (const limit of limits) expect(limit).toBeLessThanOrEqual(200);
  });
});
