import { describe, expect, it } from 'vitest';
import { registerCommandListeners } from '../../../../../bots/slack/listeners/commands/index.js';
import { repkaCommand } from '../../../../../bots/slack/listeners/commands/repka-command.js';
import type { ReportDeps } from '../../../../../bots/slack/team-report.js';
import { appId, directory, recordingLogger, repkaUser, settle, team } from '../bolt-arguments.js';

const now = Date.UTC(2026, 11, 2, 10, 0);
const support = 'C0SUPPORT1';

interface Answer {
  readonly response_type?: string;
  readonly text?: string;
  readonly blocks?: { type: string; text?: { text: string } }[];
}

function setup(options: { agent?: boolean; reportFails?: boolean; respondFails?: boolean } = {}, register?: (deps: ReportDeps) => (args: never) => Promise<void>) {
  const askedMayReport: [string, string | undefined][] = [];
  const periods: { from: number; to: number; label: string }[] = [];
  const log = recordingLogger();
  const deps = {
    reports: {
      openCasesAssignedTo: async () => [],
      overdueAsks: async () => [],
      statsSnapshot: async (period: (typeof periods)[number]) => {
        if (options.reportFails) throw new Error('SQLITE_IOERR');
        periods.push(period);
        return { cases: [], asks: [], ratings: [], clientMessageTimes: [] };
      },
    },
    team: {
      mayReport: async (user: string, channel?: string) => (askedMayReport.push([user, channel]), options.agent ?? true),
      supportChannel: support,
    },
    directory,
    departments: { clientFirstReplyWithinMs: 900_000, supportLead: [], departments: [] },
    timeZone: 'UTC',
    clock: { now: () => now },
    log,
    workspaceUrl: 'https://acme.slack.com/',
  } as unknown as ReportDeps;
  /** Everything the person is told, in order, with `ack` as its first entry. */
  const seen: (['ack', unknown] | ['respond', Answer])[] = [];
  const handler = (register ?? repkaCommand)(deps);
  /** Runs `/repka <text>` as Bolt does: the slash command's form body as `command`, `payload` and `body`. */
  const type = async (text: string, where = { channel_id: support, channel_name: 'support' }) => {
    const command = {
      token: 'verification-token',
      team_id: team,
      team_domain: 'acme',
      ...where,
      user_id: 'U0AGENT1',
      user_name: 'anna',
      command: '/repka',
      text,
      api_app_id: appId,
      is_enterprise_install: 'false',
      response_url: `https://hooks.slack.com/commands/${team}/8158120711111/3fYqOSzcaTBgvuBEsgNdIsQ1`,
      trigger_id: '8158120711111.7090000000.3a2c4b1f6e',
    };
    await handler({
      command,
      payload: command,
      body: command,
      ack: async (response?: unknown) => void seen.push(['ack', response]),
      respond: async (answer: Answer) => {
        if (options.respondFails) throw new Error('response_url expired');
        seen.push(['respond', answer]);
      },
      say: async () => {
        throw new Error('/repka answers privately, never with say()');
      },
      context: { botUserId: repkaUser, teamId: team },
      client: {},
      logger: recordingLogger(),
      next: async () => undefined,
    } as never);
    await settle();
    /** What each ack call was given. */
    return seen.filter((s) => s[0] === 'ack').map((s) => s[1]);
  };
  return { type, seen, log, askedMayReport, periods };
}

const answers = (seen: ReturnType<typeof setup>['seen']) => seen.filter((s) => s[0] === 'respond').map((s) => s[1] as Answer);

describe('/repka', () => {
  it('acks at once with nothing, then answers privately through respond', async () => {
    const t = setup();
    expect(await t.type('')).toEqual([undefined]);
    expect(t.seen.map((s) => s[0])).toEqual(['ack', 'respond']);
    expect(answers(t.seen)).toEqual([{ response_type: 'ephemeral', text: expect.stringContaining('`/repka stats 30d`') }]);
  });

  it('reads what was typed decoded, and shows an unknown word back escaped', async () => {
    const t = setup();
    await t.type('&lt;b&gt;bold&lt;/b&gt; &amp; more');
    expect(answers(t.seen)[0]?.text).toMatch(/^`\/repka &lt;b&gt;bold&lt;\/b&gt;` is not a Repka command\./);
  });

  it('answers an agent\'s "stats 30d" with the report over the last 30 days', async () => {
    const t = setup();
    await t.type('stats 30d');
    expect(t.askedMayReport).toEqual([['U0AGENT1', support]]);
    expect(t.periods).toEqual([{ from: now - 30 * 86_400_000, to: now, label: 'last 30 days' }]);
    const [answer] = answers(t.seen);
    expect(answer?.response_type).toBe('ephemeral');
    expect(answer?.blocks?.[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining('Support report: last 30 days') } });
  });

  it('refuses the figures to someone who is no agent, pointing at the support channel, and reads nothing', async () => {
    const t = setup({ agent: false });
    await t.type('stats', { channel_id: 'C0RANDOM01', channel_name: 'random' });
    expect(t.askedMayReport).toEqual([['U0AGENT1', 'C0RANDOM01']]);
    expect(t.periods).toEqual([]);
    expect(answers(t.seen)).toEqual([{ response_type: 'ephemeral', text: expect.stringContaining(`Run \`/repka stats\` in <#${support}>`) }]);
  });

  it('explains a period it cannot report on', async () => {
    const t = setup();
    await t.type('stats 999d');
    expect(t.periods).toEqual([]);
    expect(answers(t.seen)[0]?.text).toMatch(/^"999d" is not a period I can report on: the number of days must be 1 to 366\./);
  });

  it('logs a report that fails and tells the person, in a fixed sentence, where the error is', async () => {
    const t = setup({ reportFails: true });
    await t.type('stats 7d');
    expect(t.log.lines.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: '/repka failed', fields: { text: 'stats 7d', error: 'SQLITE_IOERR' } }]);
    expect(answers(t.seen)).toEqual([{ response_type: 'ephemeral', text: 'Sorry, the report could not be made. The error is in Repka’s log.' }]);
  });

  it('logs an answer the response_url no longer takes', async () => {
    const t = setup({ respondFails: true });
    expect(await t.type('help')).toEqual([undefined]);
    expect(t.log.lines).toEqual([{ level: 'warn', message: '/repka answer not delivered', fields: { error: 'response_url expired' } }]);
  });

  it('is what Repka registers for /repka', async () => {
    const handlers = new Map<string, (args: never) => Promise<void>>();
    const registered = (deps: ReportDeps) => {
      registerCommandListeners({ command: (name: string, handler: (args: never) => Promise<void>) => void handlers.set(name, handler) } as never, deps);
      return handlers.get('/repka') ?? (async () => undefined);
    };
    const t = setup({}, registered);
    expect(await t.type('help')).toEqual([undefined]);
    expect(answers(t.seen)).toHaveLength(1);
  });
});
