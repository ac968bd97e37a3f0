import { afterEach, describe, expect, it } from 'vitest';
import type { webApi } from '@slack/bolt';
import { openDatabase, type OpenDatabase } from '../../../db/sqlite/open-database.js';
import { SqliteSlackNameStore } from '../../../db/sqlite/sqlite-slack-name-store.js';
import { SlackDirectory } from '../../../bots/slack/slack-directory.js';
import type { Logger } from '../../../src/ports.js';

const hour = 60 * 60 * 1000;
const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const database of opened.splice(0)) database.close();
});

/** A SlackDirectory on a fresh SQLite database, with a users.info that answers `answer()` and counts its calls. */
function setup(answer: () => Promise<unknown>) {
  const database = openDatabase(':memory:', (error) => {
    throw error;
  });
  opened.push(database);
  const names = new SqliteSlackNameStore(database.db);
  const clock = { at: Date.UTC(2026, 10, 23, 9), now: () => clock.at };
  const calls: string[] = [];
  const client = { users: { info: async ({ user }: { user: string }) => (calls.push(user), answer()) } } as unknown as webApi.WebClient;
  const warnings: string[] = [];
  const log = { debug: () => {}, info: () => {}, warn: (message: string) => warnings.push(message), error: () => {} } as unknown as Logger;
  return { directory: (store = names) => new SlackDirectory(client, store, clock, log), names, clock, calls, warnings };
}

describe('SlackDirectory with names stored in SQLite', () => {
  it('asks users.info once, then serves the stored name for a day, also to a new directory (a restart)', async () => {
    const s = setup(async () => ({ user: { name: 'boris', profile: { display_name: 'Boris K.' } } }));
    expect(await s.directory().displayName('U1')).toBe('Boris K.');
    s.clock.at += 23 * hour;
    expect(await s.directory().displayName('U1')).toBe('Boris K.');
    expect(s.calls).toEqual(['U1']);
    expect(await s.names.storedName('U1')).toEqual({ name: 'Boris K.', fetchedAt: Date.UTC(2026, 10, 23, 9) });
  });

  it('refreshes a name older than a day and stores the new one', async () => {
    let display = 'Boris';
    const s = setup(async () => ({ user: { profile: { display_name: display } } }));
    const directory = s.directory();
    await directory.displayName('U1');
    display = 'Boris Kim';
    s.clock.at += 25 * hour;
    expect(await directory.displayName('U1')).toBe('Boris Kim');
    expect(await s.names.storedName('U1')).toEqual({ name: 'Boris Kim', fetchedAt: s.clock.at });
  });

  it('when users.info fails: the stale stored name, else the user ID, and no new call for 5 minutes', async () => {
    const s = setup(async () => {
      throw new Error('ratelimited');
    });
    await s.names.saveName('U1', 'Old Name', s.clock.at - 2 * 24 * hour);
    const directory = s.directory();
    expect(await directory.displayName('U1')).toBe('Old Name');
    expect(await directory.displayName('U2')).toBe('U2');
    s.clock.at += 4 * 60 * 1000;
    expect(await directory.displayName('U2')).toBe('U2');
    expect(s.calls).toEqual(['U1', 'U2']);
    expect(s.warnings).toHaveLength(2);
    expect(await s.names.storedName('U2')).toBeUndefined();
  });
});
