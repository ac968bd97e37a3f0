import { describe, expect, it } from 'vitest';
import { AccessPolicy, type SupportChannelMembers } from '../../../src/cases/access-policy.js';

const supportChannel = 'C0SUPPORT';

/** Support channel members that record who was asked about. */
function members(list: readonly string[]): SupportChannelMembers & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    has: async (user) => {
      asked.push(user);
      return list.includes(user);
    },
  };
}

describe('AccessPolicy with SLACK_AGENTS set', () => {
  it('only those users are agents, typed or by button; the channel is not asked', async () => {
    const channel = members(['U0EVE']);
    const policy = new AccessPolicy({ agents: ['U0ANNA', 'U0BORIS'], members: channel, supportChannel });
    expect(await policy.isAgent('U0ANNA', 'message')).toBe(true);
    expect(await policy.isAgent('U0BORIS', 'button')).toBe(true);
    expect(await policy.isAgent('U0EVE', 'message')).toBe(false);
    expect(await policy.isAgent('U0EVE', 'button')).toBe(false);
    expect(channel.asked).toEqual([]);
  });

  it('an empty list means nobody', async () => {
    const policy = new AccessPolicy({ agents: [], members: members(['U0ANNA']), supportChannel });
    expect(await policy.isAgent('U0ANNA', 'message')).toBe(false);
    expect(await policy.isAgent('U0ANNA', 'button')).toBe(false);
  });
});

describe('AccessPolicy without SLACK_AGENTS', () => {
  it('a message in a case thread is proof enough: nobody is asked', async () => {
    const channel = members([]);
    const policy = new AccessPolicy({ members: channel, supportChannel });
    expect(await policy.isAgent('U0EVE', 'message')).toBe(true);
    expect(channel.asked).toEqual([]);
  });

  it('a button asks the support channel whether they are a member', async () => {
    const channel = members(['U0ANNA']);
    const policy = new AccessPolicy({ members: channel, supportChannel });
    expect(await policy.isAgent('U0ANNA', 'button')).toBe(true);
    expect(await policy.isAgent('U0EVE', 'button')).toBe(false);
    expect(channel.asked).toEqual(['U0ANNA', 'U0EVE']);
  });
});

describe('AccessPolicy.mayReport', () => {
  it('in the support channel, anyone: nobody is asked, even with SLACK_AGENTS set', async () => {
    const channel = members([]);
    expect(await new AccessPolicy({ members: channel, supportChannel }).mayReport('U0EVE', supportChannel)).toBe(true);
    expect(await new AccessPolicy({ agents: ['U0ANNA'], members: channel, supportChannel }).mayReport('U0EVE', supportChannel)).toBe(true);
    expect(channel.asked).toEqual([]);
  });

  it('elsewhere (another channel, the App Home), as a button: members of the support channel', async () => {
    const channel = members(['U0ANNA']);
    const policy = new AccessPolicy({ members: channel, supportChannel });
    expect(await policy.mayReport('U0ANNA', 'C0OTHER')).toBe(true);
    expect(await policy.mayReport('U0EVE', 'C0OTHER')).toBe(false);
    expect(await policy.mayReport('U0EVE')).toBe(false);
    expect(channel.asked).toEqual(['U0ANNA', 'U0EVE', 'U0EVE']);
  });

  it('elsewhere with SLACK_AGENTS set: only those users', async () => {
    const policy = new AccessPolicy({ agents: ['U0ANNA'], members: members(['U0EVE']), supportChannel });
    expect(await policy.mayReport('U0ANNA')).toBe(true);
    expect(await policy.mayReport('U0EVE', 'C0OTHER')).toBe(false);
  });

  it('names its support channel', () => {
    expect(new AccessPolicy({ members: members([]), supportChannel }).supportChannel).toBe(supportChannel);
  });
});
