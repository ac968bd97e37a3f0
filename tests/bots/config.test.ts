import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, examplePlaceholders, loadConfig, parseDepartments, type ConfigSources } from '../../bots/config.js';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_SUPPORT_CHANNEL: 'C0SUPPORT',
  TELEGRAM_BOT_TOKEN: '123:abc',
  DEPARTMENTS_FILE: '',
};

const problems = (env: Record<string, string | undefined>, sources?: ConfigSources): readonly string[] => {
  try {
    loadConfig(env, sources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('no error');
};
const message = (env: Record<string, string | undefined>) => {
  const found = problems(env);
  expect(found, 'one problem').toHaveLength(1);
  return found[0] as string;
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ ...base, DEPARTMENTS_FILE: undefined });
    expect(config).toMatchObject({ port: 3000, databasePath: './data/repka.sqlite', redisUrl: 'redis://127.0.0.1:6379', queuePrefix: 'repka', logLevel: 'info', logFormat: 'json', timeZone: 'UTC' });
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(config.departments.departments).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('adds the trailing slash Slack needs and splits SLACK_AGENTS', () => {
    const config = loadConfig({ ...base, SLACK_API_URL: 'http://127.0.0.1:9/api', SLACK_AGENTS: 'U01, U02 ,' });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(config.slack.agents).toEqual(['U01', 'U02']);
  });

  it('names the variable that is missing or wrong, in one line', () => {
    expect(message({ ...base, SLACK_BOT_TOKEN: undefined })).toMatch(/^SLACK_BOT_TOKEN /);
    expect(message({ ...base, SLACK_SIGNING_SECRET: '' })).toMatch(/^SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN/);
    expect(message({ ...base, TELEGRAM_WEBHOOK_URL: 'https://x.example/hook' })).toMatch(/^TELEGRAM_WEBHOOK_SECRET/);
    expect(message({ ...base, TELEGRAM_WEBHOOK_URL: 'https://x.example/hook', TELEGRAM_WEBHOOK_SECRET: 'has spaces' })).toMatch(/^TELEGRAM_WEBHOOK_SECRET/);
    expect(message({ ...base, PORT: '99999' })).toMatch(/^PORT/);
    expect(message({ ...base, SLACK_AGENTS: 'anna' })).toMatch(/^SLACK_AGENTS has "anna"/);
    expect(message({ ...base, REDIS_URL: 'localhost:6379' })).toMatch(/^REDIS_URL/);
    expect(message({ ...base, TEAM_TIMEZONE: 'Mars/Base' })).toMatch(/^TEAM_TIMEZONE/);
    expect(message({ ...base, DEPARTMENTS_FILE: '/nonexistent/departments.json' })).toMatch(/^DEPARTMENTS_FILE: no file/);
    for (const text of [message({ ...base, SLACK_BOT_TOKEN: undefined }), message({ ...base, PORT: 'x' })]) expect(text).not.toContain('\n');
  });

  it('reads LOG_FORMAT, json or pretty, and names the variable and its value otherwise', () => {
    expect(loadConfig({ ...base, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ ...base, LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(message({ ...base, LOG_FORMAT: 'yaml' })).toBe('LOG_FORMAT is "yaml": use json (the default: one JSON object per line) or pretty (readable lines for a terminal, in development)');
    expect(message({ ...base, LOG_FORMAT: 'PRETTY' })).toMatch(/^LOG_FORMAT is "PRETTY": use json /);
  });

  it('reads the weekly digest: REPORT_CHANNEL with REPORT_SCHEDULE (default Mondays 09:00), days and a 24-hour time', () => {
    expect(loadConfig(base).digest).toBeUndefined();
    expect(loadConfig({ ...base, REPORT_CHANNEL: 'C0REPORTS' }).digest).toEqual({ channel: 'C0REPORTS', schedule: { text: 'MON 09:00', cron: '0 9 * * 1' } });
    expect(loadConfig({ ...base, REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'mon, thu 7:30' }).digest?.schedule).toEqual({ text: 'MON,THU 07:30', cron: '30 7 * * 1,4' });
    expect(loadConfig({ ...base, REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'DAILY 18:05' }).digest?.schedule).toEqual({ text: 'DAILY 18:05', cron: '5 18 * * *' });
    expect(loadConfig({ ...base, REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'SUN 00:00' }).digest?.schedule.cron).toBe('0 0 * * 0');
  });

  it.each([
    [{ REPORT_CHANNEL: '#reports' }, 'REPORT_CHANNEL is "#reports", a channel name: use the channel ID (C…)'],
    [{ REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'monday 9am' }, 'REPORT_SCHEDULE is "monday 9am": use days and a time in TEAM_TIMEZONE, e.g. "MON 09:00"'],
    [{ REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'MON 24:00' }, 'REPORT_SCHEDULE is "MON 24:00": 24:00 is not a time of day (00:00 to 23:59)'],
    [{ REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'MON 09:60' }, 'REPORT_SCHEDULE is "MON 09:60": 09:60 is not a time of day'],
    [{ REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: 'MONDAY 09:00' }, 'REPORT_SCHEDULE is "MONDAY 09:00": "MONDAY" is not a day'],
    [{ REPORT_CHANNEL: 'C0REPORTS', REPORT_SCHEDULE: '0 9 * * 1' }, 'REPORT_SCHEDULE is "0 9 * * 1": use days and a time'],
    [{ REPORT_SCHEDULE: 'MON 09:00' }, 'REPORT_SCHEDULE is set but REPORT_CHANNEL is not'],
  ])('refuses a digest setting it cannot follow, in one line naming it: %j', (env, expected) => {
    expect(message({ ...base, ...env }).startsWith(expected)).toBe(true);
  });

  it('reads the outbound pace, 0 meaning no limit', () => {
    expect(loadConfig(base).rates).toEqual({ slackChannelPerSecond: 1, telegramChatPerSecond: 1, telegramGlobalPerSecond: 30 });
    expect(loadConfig({ ...base, SLACK_CHANNEL_POSTS_PER_SECOND: '0', TELEGRAM_MESSAGES_PER_SECOND: '25' }).rates).toMatchObject({ slackChannelPerSecond: Number.POSITIVE_INFINITY, telegramGlobalPerSecond: 25 });
    expect(message({ ...base, TELEGRAM_CHAT_MESSAGES_PER_SECOND: 'fast' })).toMatch(/^TELEGRAM_CHAT_MESSAGES_PER_SECOND/);
  });

  it('takes PostgreSQL from DATABASE_URL, and SQLite when it is unset or empty', () => {
    expect(loadConfig({ ...base, DATABASE_URL: 'postgres://repka:secret@db:5432/repka' }).databaseUrl).toBe('postgres://repka:secret@db:5432/repka');
    expect(loadConfig({ ...base, DATABASE_URL: 'postgresql://db/repka' }).databaseUrl).toBe('postgresql://db/repka');
    expect(loadConfig({ ...base, DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(loadConfig(base).databaseUrl).toBeUndefined();
    expect(message({ ...base, DATABASE_URL: 'mysql://db/repka' })).toMatch(/^DATABASE_URL.*postgres:\/\//);
  });

  it('does not need a signing secret in Socket Mode', () => {
    expect(loadConfig({ ...base, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1' }).slack.appToken).toBe('xapp-1');
  });

  it('reads a YAML departments file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'repka-config-'));
    const file = join(dir, 'departments.yml');
    writeFileSync(file, 'departments:\n  - id: dev\n    name: Development\n    slackChannel: C0DEV\n    replyWithin: 1h30m\n    remindAt: ["90%", "50%"]\n');
    const config = loadConfig({ ...base, DEPARTMENTS_FILE: file });
    expect(config.departments.departments[0]).toMatchObject({ id: 'dev', replyWithinMs: 90 * 60_000, remindAt: [0.5, 0.9], tellClient: true });
  });
});

describe('the first start: every problem at once, in words that say what to do', () => {
  const exampleText = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  /** The environment `npm start` sees with .env.example copied to .env unchanged (Node's own .env parser). */
  const example = parseEnv(exampleText) as Record<string, string>;

  it('an empty environment: each required variable named once, with where its value comes from', () => {
    const found = problems({ DEPARTMENTS_FILE: '' });
    expect(found).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is required: .*xoxb-.*OAuth & Permissions/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN .*→ App Credentials/),
      expect.stringMatching(/^SLACK_SUPPORT_CHANNEL is required: .*channel details → bottom/),
      expect.stringMatching(/^TELEGRAM_BOT_TOKEN is required: .*@BotFather/),
    ]);
  });

  it('problems of different kinds are all reported, one line each, with the departments file too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'repka-config-'));
    const file = join(dir, 'departments.json');
    writeFileSync(file, JSON.stringify({ departments: [{ id: 'dev', name: 'Development', slackChannel: 'dev', replyWithin: 'soon' }] }));
    const found = problems({ ...base, PORT: 'eighty', REDIS_URL: 'localhost', SLACK_AGENTS: 'anna', TELEGRAM_BOT_TOKEN: undefined, TELEGRAM_WEBHOOK_URL: 'https://x.example/hook', DEPARTMENTS_FILE: file });
    expect(found.map((line) => line.split(' ')[0])).toEqual(['PORT', 'REDIS_URL', 'SLACK_AGENTS', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', `${file}:`, `${file}:`]);
    expect(found.filter((line) => line.startsWith(file))).toEqual([
      `${file}: departments.0.slackChannel is "dev", a channel name: use the channel ID (C…): in Slack, channel details → bottom`,
      expect.stringMatching(/departments\.0\.replyWithin must be a duration/),
    ]);
    for (const line of found) expect(line).not.toContain('\n');
  });

  it('.env.example copied unchanged: every placeholder still there is named, and nothing else', () => {
    const found = problems({ ...example, DEPARTMENTS_FILE: '' }, { dotenv: exampleText });
    expect(found).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is still the example's placeholder: fill in your Bot User OAuth Token \(xoxb-…\) from https:\/\/api\.slack\.com\/apps/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET is still the example's placeholder: fill in your Signing Secret/),
      expect.stringMatching(/^SLACK_SUPPORT_CHANNEL is still the example's placeholder: .*channel details → bottom/),
      expect.stringMatching(/^TELEGRAM_BOT_TOKEN is still the example's placeholder: fill in the token @BotFather gave you/),
    ]);
  });

  it('knows the placeholders .env.example really ships', () => {
    for (const [name, { value }] of Object.entries(examplePlaceholders)) expect(example[name], name).toBe(value);
  });

  it('filled in, the example configuration is valid', () => {
    const filled = { ...example, SLACK_BOT_TOKEN: 'xoxb-42-real', SLACK_SIGNING_SECRET: 'abc123', SLACK_SUPPORT_CHANNEL: 'C0SUPPORT', TELEGRAM_BOT_TOKEN: '42:real', DEPARTMENTS_FILE: '' };
    expect(loadConfig(filled, { dotenv: exampleText }).slack.supportChannel).toBe('C0SUPPORT');
  });

  it('a channel name where an ID belongs says where to find the ID', () => {
    for (const value of ['#support', 'support', 'client-support']) {
      expect(message({ ...base, SLACK_SUPPORT_CHANNEL: value })).toBe(`SLACK_SUPPORT_CHANNEL is "${value}", a channel name: use the channel ID (C…): in Slack, channel details → bottom`);
    }
    expect(message({ ...base, SLACK_SUPPORT_CHANNEL: 'U0PERSON' })).toBe('SLACK_SUPPORT_CHANNEL must be a Slack ID starting with C or G');
  });

  it('a value that .env read as a comment (# after =) is explained, not called missing', () => {
    const dotenv = 'SLACK_SUPPORT_CHANNEL=#support\nSLACK_SIGNING_SECRET= #s3cret\nSLACK_AGENTS=\n';
    const env = { ...base, ...(parseEnv(dotenv) as Record<string, string>) };
    expect(env.SLACK_SUPPORT_CHANNEL).toBe('');
    expect(problems(env, { dotenv })).toEqual([
      'SLACK_SIGNING_SECRET is empty: in .env a # starts a comment, so SLACK_SIGNING_SECRET=#s3cret reads as SLACK_SIGNING_SECRET=; quote the value (SLACK_SIGNING_SECRET="#s3cret")',
      'SLACK_SUPPORT_CHANNEL is empty: in .env a # starts a comment, so SLACK_SUPPORT_CHANNEL=#support reads as SLACK_SUPPORT_CHANNEL=; use the channel ID (C…): in Slack, channel details → bottom',
    ]);
    // The environment, not .env, gave the value: .env's line is not what was read.
    expect(loadConfig({ ...base, SLACK_SIGNING_SECRET: 'from-the-environment' }, { dotenv }).slack.signingSecret).toBe('from-the-environment');
  });
});

describe('parseDepartments', () => {
  const parse = (value: unknown) => () => parseDepartments(JSON.stringify(value), 'd.json');
  const dept = { id: 'dev', name: 'Development', slackChannel: 'C0DEV', replyWithin: '1h' };

  it('names the bad field', () => {
    expect(parse({ departments: [{ ...dept, replyWithin: 'soon' }] })).toThrow(/d\.json: departments\.0\.replyWithin must be a duration/);
    expect(parse({ departments: [{ ...dept, slackChannel: 'dev-channel' }] })).toThrow(/departments\.0\.slackChannel/);
    expect(parse({ departments: [{ ...dept, escalateTo: ['boss'] }] })).toThrow(/departments\.0\.escalateTo\.0/);
    expect(parse({ departments: [{ ...dept, remindAt: ['half'] }] })).toThrow(/departments\.0\.remindAt\.0/);
    expect(parse({ departments: [{ ...dept, hours: { timezone: 'Nowhere/City', days: ['mon'], from: '09:00', to: '18:00' } }] })).toThrow(/departments\.0\.hours/);
    expect(parse({ clientFirstReplyWithin: 'x' })).toThrow(/clientFirstReplyWithin/);
  });

  it('refuses a name or alias used twice', () => {
    expect(parse({ departments: [dept, { ...dept, id: 'dev2', aliases: ['DEV'] }] })).toThrow(/"dev" is already used by dev/);
  });

  it('refuses malformed JSON with the file named', () => {
    expect(() => parseDepartments('{"departments": [', 'd.json')).toThrow(/^d\.json: not valid JSON/);
  });
});

describe('what Telegram and Slack refuse, refused at start-up', () => {
  const secret = { TELEGRAM_WEBHOOK_SECRET: 'a_long-enough_secret_42' };

  it('TELEGRAM_WEBHOOK_URL must be https:// on a port Telegram sends webhooks to', () => {
    expect(message({ ...base, ...secret, TELEGRAM_WEBHOOK_URL: 'http://x.example/hook' })).toMatch(/^TELEGRAM_WEBHOOK_URL must be an https:\/\/ URL/);
    expect(message({ ...base, ...secret, TELEGRAM_WEBHOOK_URL: 'https://x.example:3000/hook' })).toMatch(/^TELEGRAM_WEBHOOK_URL must use one of the ports .*443, 80, 88, 8443/);
    for (const url of ['https://x.example/hook', 'https://x.example:8443/hook', 'https://x.example:88/hook']) {
      expect(loadConfig({ ...base, ...secret, TELEGRAM_WEBHOOK_URL: url }).telegram.webhookUrl).toBe(url);
    }
  });

  it('TELEGRAM_WEBHOOK_SECRET is 16 to 256 of A-Z a-z 0-9 _ -', () => {
    const url = { TELEGRAM_WEBHOOK_URL: 'https://x.example/hook' };
    expect(message({ ...base, ...url, TELEGRAM_WEBHOOK_SECRET: 'short' })).toMatch(/^TELEGRAM_WEBHOOK_SECRET must be 16-256 characters/);
    expect(message({ ...base, ...url, TELEGRAM_WEBHOOK_SECRET: 'x'.repeat(257) })).toMatch(/^TELEGRAM_WEBHOOK_SECRET/);
    expect(message({ ...base, ...url, TELEGRAM_WEBHOOK_SECRET: `${'x'.repeat(20)}!` })).toMatch(/^TELEGRAM_WEBHOOK_SECRET/);
    expect(loadConfig({ ...base, ...url, TELEGRAM_WEBHOOK_SECRET: 'x'.repeat(256) }).telegram.webhookSecret).toHaveLength(256);
  });

  const parse = (value: unknown) => () => parseDepartments(JSON.stringify(value), 'd.json');
  const dept = { id: 'dev', name: 'Development', slackChannel: 'C0DEV', replyWithin: '1h' };

  it('department names and ids within Slack\'s menu option limits, at most 100 departments', () => {
    expect(parse({ departments: [{ ...dept, name: 'N'.repeat(76) }] })).toThrow(/^d\.json: departments\.0\.name must be at most 75 characters/);
    expect(parse({ departments: [{ ...dept, id: 'd'.repeat(76) }] })).toThrow(/^d\.json: departments\.0\.id must be at most 75 characters/);
    expect(parse({ departments: [{ ...dept, name: 'N'.repeat(75), id: 'd'.repeat(75) }] })).not.toThrow();
    const many = Array.from({ length: 101 }, (_, i) => ({ ...dept, id: `d${i}` }));
    expect(parse({ departments: many })).toThrow(/^d\.json: departments must list at most 100/);
    expect(parse({ departments: many.slice(0, 100) })).not.toThrow();
  });

  it('uses the same numbers as bots/platform-limits.ts', async () => {
    const { departmentLimits } = await import('../../bots/config.js');
    const { slackLimits } = await import('../../bots/platform-limits.js');
    expect(departmentLimits).toEqual({ name: slackLimits.optionText, id: slackLimits.optionValue, count: slackLimits.selectOptions });
  });
});
