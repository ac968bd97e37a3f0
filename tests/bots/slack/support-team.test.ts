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

describe('SupportTeam membership cache', () => {
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  function team(members: string[]) {
    const clock = { at: 0, now() { return this.at; } };
    let calls = 0;
    const client = { conversations: { members: async () => (calls++, { ok: true, members: [...members], response_metadata: { next_cursor: '' } }) } };
    const t = new SupportTeam({ client: client as never, supportChannel: 'C0SUPPORT', clock, log: silent as never });
    return { t, clock, calls: () => calls };
  }

  it('asks Slack once a minute for known members, and again after 5 s for someone not in the list (they may just have joined)', async () => {
    const members = ['U0ANNA'];
    const { t, clock, calls } = team(members);
    expect(await t.has('U0ANNA')).toBe(true);
    clock.at = 59_000;
    expect(await t.has('U0ANNA')).toBe(true);
    expect(calls()).toBe(1);

    members.push('U0NEW');
    clock.at = 64_000;
    expect(await t.has('U0ANNA')).toBe(true); // a minute old: read again
    expect(calls()).toBe(2);
    expect(await t.has('U0NEW')).toBe(true);

    clock.at = 64_000 + 4_999;
    expect(await t.has('U0GONE')).toBe(false);
    expect(calls()).toBe(2); // under 5 s: not asked again
    clock.at = 64_000 + 5_000;
    expect(await t.has('U0GONE')).toBe(false);
    expect(calls()).toBe(3);
  });

  it('counts the last known members when Slack cannot be asked, and nobody before it ever answered', async () => {
    const silentClock = { now: () => 0 };
    const failing = { conversations: { members: async () => Promise.reject(new Error('ratelimited')) } };
    const t = new SupportTeam({ client: failing as never, supportChannel: 'C0SUPPORT', clock: silentClock, log: silent as never });
    expect(await t.has('U0ANNA')).toBe(false);
  });
});

describe('SupportTeam reads', () => {
  it('presses arriving together share one conversations.members read, and warm() reads before the first press', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const client = {
      conversations: {
        members: async () => {
          calls += 1;
          await new Promise<void>((resolve) => (release = resolve));
          return { ok: true, members: ['U0ANNA'], response_metadata: { next_cursor: '' } };
        },
      },
    };
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const team = new SupportTeam({ client: client as never, supportChannel: 'C0SUPPORT', clock: { now: () => 1000 }, log: silent as never });
    const warming = team.warm();
    const presses = [team.has('U0ANNA'), team.has('U0ANNA'), team.has('U0BORIS')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    release();
    await warming;
    expect(await Promise.all(presses)).toEqual([true, true, false]);
    expect(calls).toBe(1);
  });
});
