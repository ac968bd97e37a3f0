import { describe, expect, it } from 'vitest';
import { appHomeOpened } from '../../../../../bots/slack/listeners/events/app-home-opened.js';
import { registerEventListeners } from '../../../../../bots/slack/listeners/events/index.js';
import type { ReportDeps } from '../../../../../bots/slack/team-report.js';
import type { HomeCase } from '../../../../../src/reports/home.js';
import { directory, eventArguments, recordingLogger, settle, team } from '../bolt-arguments.js';

const now = Date.UTC(2026, 11, 2, 10, 0);
const assigned: HomeCase = { id: 12, clientName: 'Olena & Co', openedAt: now - 3_600_000, clientWaitingSince: null, assignee: 'U0AGENT1', thread: { platform: 'slack', conversation: 'C0SUPPORT1', thread: '1764654000.000100' }};

/** Report data and the agent check as recording stubs; `views.publish` records what it is given. */
function setup(options: { mayReport?: boolean; reportsFail?: boolean; publishFails?: boolean } = {}) {
  const published: { user_id: string; view: { type: string; blocks: { text?: { text: string } }[] } }[] = [];
  const snapshots: unknown[] = [];
  const log = recordingLogger();
  const deps = {
    reports: {
      openCasesAssignedTo: async (user: string) => {
        if (options.reportsFail) throw new Error('SQLITE_CORRUPT');
        return user === 'U0AGENT1' ? [assigned] : [];
      },
      overdueAsks: async () => [],
      statsSnapshot: async (period: unknown) => (snapshots.push(period), { cases: [], asks: [], ratings: [], clientMessageTimes: [] }),
    },
    team: { mayReport: async () => options.mayReport ?? false, supportChannel: 'C0SUPPORT1' },
    directory,
    departments: { clientFirstReplyWithinMs: 900_000, supportLead: [], departments: [] },
    timeZone: 'UTC',
    clock: { now: () => now },
    log,
    workspaceUrl: 'https://acme.slack.com/',
  } as unknown as ReportDeps;
  const client = {
    views: {
      publish: async (request: (typeof published)[number]) => {
        if (options.publishFails) throw new Error('An API error occurred: invalid_arguments');
        published.push(request);
        return { ok: true };
      },
    },
  };
  return { deps, published, snapshots, log, client, listener: appHomeOpened(deps) };
}

/** app_home_opened as the Events API sends it; `view` is the Home view published last time (absent on the first visit). */
const opened = (tab: 'home' | 'messages', user = 'U0AGENT1') => ({
  type: 'app_home_opened',
  user,
  channel: 'D0HOME0001',
  tab,
  view: { id: 'V0HOME0001', team_id: team, type: 'home', blocks: [], private_metadata: '', callback_id: '', state: { values: {} }, hash: '1764654000.abcdef12', title: { type: 'plain_text', text: 'View Title' }, clear_on_close: false, notify_on_close: false, close: null, submit: null, previous_view_id: null, root_view_id: 'V0HOME0001', app_id: 'A0REPKA01', external_id: '', app_installed_team_id: team, bot_id: 'B0REPKA01' },
  event_ts: '1764654200.000100',
});

const texts = (view: { blocks: { text?: { text: string } }[] }) => view.blocks.map((b) => b.text?.text ?? '').join('\n');

describe('opening the Home tab', () => {
  it("publishes that person's Home: their open cases, linked to the thread, names escaped", async () => {
    const t = setup();
    await t.listener(eventArguments(opened('home'), { client: t.client }));
    await settle();
    expect(t.published).toHaveLength(1);
    expect(t.published[0]?.user_id).toBe('U0AGENT1');
    expect(t.published[0]?.view.type).toBe('home');
    expect(texts(t.published[0]!.view)).toContain('<https://acme.slack.com/archives/C0SUPPORT1/p1764654000000100|#12> Olena &amp; Co');
    expect(t.snapshots).toEqual([]);
  });

  it('adds the team figures of the last 7 days only for someone who may see reports', async () => {
    const t = setup({ mayReport: true });
    await t.listener(eventArguments(opened('home'), { client: t.client }));
    await settle();
    expect(t.snapshots).toHaveLength(1);
    expect(texts(t.published[0]!.view)).toContain('*Team figures*');
  });

  it('publishes nothing when the Messages tab was opened', async () => {
    const t = setup();
    await t.listener(eventArguments(opened('messages'), { client: t.client }));
    await settle();
    expect(t.published).toEqual([]);
  });

  it('logs a report that fails, and a publish Slack refuses, through the given logger', async () => {
    for (const failure of [{ reportsFail: true }, { publishFails: true }]) {
      const t = setup(failure);
      await t.listener(eventArguments(opened('home'), { client: t.client }));
      await settle();
      expect(t.published).toEqual([]);
      expect(t.log.lines.filter((l) => l.level === 'warn')).toEqual([
        { level: 'warn', message: 'App Home not published', fields: { user: 'U0AGENT1', error: failure.reportsFail ? 'SQLITE_CORRUPT' : 'An API error occurred: invalid_arguments' } },
      ]);
    }
  });

  it('is what Repka registers for app_home_opened', async () => {
    const t = setup();
    const handlers = new Map<string, (args: never) => Promise<void>>();
    registerEventListeners({ event: (name: string, handler: (args: never) => Promise<void>) => void handlers.set(name, handler) } as never, t.deps);
    await handlers.get('app_home_opened')?.(eventArguments(opened('home'), { client: t.client }));
    await settle();
    expect(t.published.map((p) => p.user_id)).toEqual(['U0AGENT1']);
  });
});
