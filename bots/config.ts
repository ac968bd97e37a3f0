import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import { isDuration, parseDuration } from '../src/duration.js';
import { validateBusinessHours, type BusinessHours } from '../src/deadlines/business-hours.js';
import { parseDigestSchedule, type DigestSchedule } from '../src/reports/digest-schedule.js';

/**
 * The YAML parser, loaded only for a departments file in YAML: most installs use JSON, and the
 * package costs start-up time and memory in every process (issue 16).
 */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

/**
 * Raised when configuration is missing or invalid. `problems` lists every problem found, one line
 * each, naming the variable or field; `message` is them all on one line.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = Object.freeze(typeof problems === 'string' ? [problems] : [...problems]);
    super(list.length === 1 ? (list[0] as string) : `${list.length} problems: ${list.join('; ')}`);
    this.problems = list;
  }
}

/** Where a Slack channel's ID is found, for people who typed its name. */
export const channelIdHint = 'use the channel ID (C…): in Slack, channel details → bottom';

const slackId = (prefix: string) =>
  z.string().regex(new RegExp(`^[${prefix}][A-Z0-9]{2,}$`), `must be a Slack ID starting with ${prefix.split('').join(' or ')}`);

/** A channel ID (C… or G…); a channel's name (`#support`, `support`) is refused with where to find the ID. */
const slackChannelId = z.string().superRefine((value, ctx) => {
  if (/^[CG][A-Z0-9]{2,}$/.test(value)) return;
  const looksLikeName = /^#/.test(value) || /^[a-z0-9][a-z0-9._-]*$/.test(value);
  ctx.addIssue({ code: 'custom', message: looksLikeName ? `is "${value}", a channel name: ${channelIdHint}` : 'must be a Slack ID starting with C or G' });
});

/**
 * The values `.env.example` ships with, and where the real one comes from. A variable still
 * holding its placeholder has not been filled in (a test keeps this equal to .env.example).
 */
export const examplePlaceholders: Readonly<Record<string, { readonly value: string; readonly fix: string }>> = Object.freeze({
  SLACK_BOT_TOKEN: { value: 'xoxb-your-token', fix: 'fill in your Bot User OAuth Token (xoxb-…) from https://api.slack.com/apps → your app → OAuth & Permissions' },
  SLACK_SIGNING_SECRET: {
    value: 'your-signing-secret',
    fix: 'fill in your Signing Secret from https://api.slack.com/apps → your app → App Credentials, on its first settings page (or set SLACK_APP_TOKEN for Socket Mode)',
  },
  SLACK_SUPPORT_CHANNEL: { value: 'C0123456789', fix: "fill in your support channel's ID (C…): in Slack, channel details → bottom" },
  TELEGRAM_BOT_TOKEN: { value: '123456789:replace-me', fix: 'fill in the token @BotFather gave you (/newbot, or /token for a bot you have)' },
});

const duration = z.string().refine(isDuration, 'must be a duration such as 30m, 1h30m or 2d');
const percent = z.string().regex(/^(100|[1-9]?\d)%$/, 'must be a percentage such as 50%');

/**
 * Department names show as options of the "Ask a department" menu and ids are their values:
 * Slack allows 75 characters for an option's text and for its value, and 100 options in a menu
 * (@slack/types PlainTextOption.text, OptionDescriptor.value, StaticSelect.options; the same
 * numbers as slackLimits in bots/platform-limits.ts, which a test keeps equal).
 */
export const departmentLimits = Object.freeze({ name: 75, id: 75, count: 100 });

const departmentSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, - or _')
    .max(departmentLimits.id, `must be at most ${departmentLimits.id} characters (Slack's limit for a menu option's value)`),
  name: z
    .string()
    .min(1)
    .max(departmentLimits.name, `must be at most ${departmentLimits.name} characters (Slack's limit for a menu option's text)`),
  aliases: z.array(z.string().min(1)).default([]),
  slackChannel: slackChannelId,
  replyWithin: duration,
  mention: z.array(z.string().regex(/^[US][A-Z0-9]{2,}$/, 'must be a Slack user (U…) or user-group (S…) ID')).default([]),
  remindAt: z.array(percent).default([]),
  escalateTo: z.array(slackId('UW')).default([]),
  escalateAgainAfter: duration.optional(),
  tellClient: z.boolean().default(true),
  hours: z.unknown().optional(),
});

const departmentsFileSchema = z.object({
  clientFirstReplyWithin: duration.default('15m'),
  supportLead: z.array(slackId('UW')).default([]),
  departments: z
    .array(departmentSchema)
    .max(departmentLimits.count, `must list at most ${departmentLimits.count} departments (Slack's limit for options in a menu)`)
    .default([]),
});

export type { Department, DepartmentsConfig } from '../src/departments.js';
import type { Department, DepartmentsConfig } from '../src/departments.js';

const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
const logFormats = ['json', 'pretty'] as const;
/** `json`: one JSON object per line (the default, for machines); `pretty`: pino-pretty, for a person at a terminal. */
export type LogFormat = (typeof logFormats)[number];

/** Ports Telegram's setWebhook accepts (https://core.telegram.org/bots/api#setwebhook). */
const webhookPorts = [443, 80, 88, 8443];

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** REPORT_SCHEDULE when REPORT_CHANNEL is set and it is not: Mondays at 09:00. */
const defaultDigestSchedule: DigestSchedule = Object.freeze({ text: 'MON 09:00', cron: '0 9 * * 1' });

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_PATH: z.string().min(1).default('./data/repka.sqlite'),
    DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://'),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _').default('repka'),
    SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'must be a bot token starting with xoxb-'),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), 'must be an app-level token starting with xapp-'),
    SLACK_API_URL: z
      .string()
      .url()
      .default('https://slack.com/api/')
      .transform((v) => (v.endsWith('/') ? v : `${v}/`)),
    SLACK_SUPPORT_CHANNEL: slackChannelId,
    SLACK_AGENTS: optionalText
      .transform((v) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean)))
      .superRefine((agents, ctx) => {
        const wrong = (agents ?? []).find((agent) => !/^[UW][A-Z0-9]{2,}$/.test(agent));
        if (wrong !== undefined) ctx.addIssue({ code: 'custom', message: `has "${wrong}", which is not a Slack user ID (U…)` });
      }),
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like 123456:ABC-DEF…'),
    TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
    TELEGRAM_WEBHOOK_URL: optionalText
      .refine((v) => v === undefined || URL.canParse(v), 'must be a URL')
      // setWebhook: "HTTPS URL to send updates to"; "Ports currently supported for webhooks: 443, 80, 88, 8443."
      // https://core.telegram.org/bots/api#setwebhook
      .refine((v) => v === undefined || !URL.canParse(v) || new URL(v).protocol === 'https:', 'must be an https:// URL (Telegram sends webhooks only over HTTPS)')
      .refine(
        (v) => v === undefined || !URL.canParse(v) || webhookPorts.includes(Number(new URL(v).port || 443)),
        `must use one of the ports Telegram sends webhooks to: ${webhookPorts.join(', ')}`,
      ),
    // Telegram allows 1-256 characters; 16 at least so it cannot be guessed.
    TELEGRAM_WEBHOOK_SECRET: optionalText.refine(
      (v) => v === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(v),
      'must be 16-256 characters of A-Z, a-z, 0-9, _ and -',
    ),
    DEPARTMENTS_FILE: z.string().min(1).default('./departments.json'),
    LOG_LEVEL: z.enum(logLevels).default('info'),
    LOG_FORMAT: z
      .enum(logFormats, {
        error: (issue) => `is ${JSON.stringify(issue.input)}: use json (the default: one JSON object per line) or pretty (readable lines for a terminal, in development)`,
      })
      .default('json'),
    SLACK_CHANNEL_POSTS_PER_SECOND: z.coerce.number().min(0).default(1),
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: z.coerce.number().min(0).default(1),
    TELEGRAM_MESSAGES_PER_SECOND: z.coerce.number().min(0).default(30),
    TEAM_TIMEZONE: z
      .string()
      .default('UTC')
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Europe/Moscow'),
    MAX_OPEN_CASES_PER_CLIENT: z.coerce.number().int().min(1).max(100).default(3),
    METRICS_TOKEN: optionalText.refine((v) => v === undefined || /^[\x21-\x7e]{16,}$/.test(v), 'must be at least 16 printable characters without spaces'),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    REPORT_CHANNEL: optionalText.pipe(slackChannelId.optional()),
    REPORT_SCHEDULE: optionalText.transform((v, ctx) => {
      if (v === undefined) return undefined;
      const parsed = parseDigestSchedule(v);
      if (parsed.ok) return parsed.schedule;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }),
  });

/** The whole validated, frozen configuration. Read once by the composition root. */
export interface Config {
  readonly port: number;
  readonly databasePath: string;
  /** PostgreSQL instead of the SQLite file at `databasePath`; several instances may share it. */
  readonly databaseUrl?: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
    /** Web API base URL, always with a trailing slash. */
    readonly apiUrl: string;
    readonly supportChannel: string;
    /** Slack user IDs allowed to act as agents; undefined: every human in the support channel. */
    readonly agents?: readonly string[];
  };
  readonly telegram: {
    readonly botToken: string;
    readonly apiRoot: string;
    readonly webhookUrl?: string;
    readonly webhookSecret?: string;
  };
  readonly departmentsFile: string;
  readonly departments: DepartmentsConfig;
  /** A client's open cases at most; `/new` beyond it opens nothing. Default 3. */
  readonly maxOpenCasesPerClient: number;
  /** Operator endpoints: `/metrics` (and the detail of `/healthz`). */
  readonly operator: {
    /** When set, `/metrics` and the detail of `/healthz` need `Authorization: Bearer <token>`. */
    readonly metricsToken?: string;
    /** When set, `/metrics` is served on this port only (bound to `host`), not on `PORT`. */
    readonly metricsPort?: number;
    /** Address the metrics port binds to. Default 127.0.0.1. */
    readonly metricsHost: string;
  };
  /**
   * The weekly digest (REPORT_CHANNEL, REPORT_SCHEDULE): a summary of the last 7 days with a chart
   * posted to `channel` on `schedule` (default MON 09:00, team time zone); undefined: no digest.
   */
  readonly digest?: { readonly channel: string; readonly schedule: DigestSchedule };
  readonly logLevel: LogLevel;
  /** How log lines are written. Default `json`. */
  readonly logFormat: LogFormat;
  /** IANA time zone for times in histories and exports. Default UTC. */
  readonly timeZone: string;
  /** Outbound pace Repka keeps to stay under platform limits; Infinity: no limit. */
  readonly rates: {
    /** Slack posts per channel per second. Default 1 (Slack's documented pace). */
    readonly slackChannelPerSecond: number;
    /** Telegram messages per chat per second. Default 1. */
    readonly telegramChatPerSecond: number;
    /** Telegram messages per second for the whole bot. Default 30. */
    readonly telegramGlobalPerSecond: number;
  };
}

/** Every issue as one line, the first per field only (`where` names the field). */
function issueLines(error: z.ZodError, where: (path: PropertyKey[]) => string): string[] {
  const lines = new Map<string, string>();
  for (const issue of error.issues) {
    const field = where(issue.path);
    const problem = issue.code === 'invalid_type' && issue.message.includes('undefined') ? 'is required' : issue.message;
    if (!lines.has(field)) lines.set(field, `${field} ${problem}`);
  }
  return [...lines.values()];
}

/**
 * Parses the departments file text (JSON, or YAML when `fileName` ends in .yml/.yaml).
 * @throws ConfigError listing every bad field, each line starting with the file name.
 */
export function parseDepartments(text: string, fileName: string): DepartmentsConfig {
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(extname(fileName)) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${fileName}: not valid ${/\.ya?ml$/i.test(fileName) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = departmentsFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(issueLines(parsed.error, (path) => path.map(String).join('.') || 'file').map((line) => `${fileName}: ${line}`));
  }
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const departments = parsed.data.departments.map((d, index): Department => {
    const field = `departments.${index}`;
    const names = [d.id, ...d.aliases].map((n) => n.toLowerCase());
    for (const name of names) {
      const owner = seen.get(name);
      if (owner !== undefined) problems.push(`${fileName}: ${field}: name or alias "${name}" is already used by ${owner}`);
      else seen.set(name, d.id);
    }
    let hours: BusinessHours | undefined;
    if (d.hours !== undefined) {
      const wrong = validateBusinessHours(d.hours);
      if (wrong.length > 0) problems.push(`${fileName}: ${field}.hours: ${wrong[0]}`);
      else hours = d.hours as BusinessHours;
    }
    return Object.freeze({
      id: d.id,
      name: d.name,
      names: Object.freeze(names),
      aliases: Object.freeze([...d.aliases]),
      channel: d.slackChannel,
      replyWithinMs: parseDuration(d.replyWithin),
      mention: Object.freeze([...d.mention]),
      remindAt: Object.freeze(d.remindAt.map((p) => Number.parseInt(p, 10) / 100).filter((f) => f > 0 && f < 1).sort((a, b) => a - b)),
      escalateTo: Object.freeze([...d.escalateTo]),
      escalateAgainAfterMs: d.escalateAgainAfter === undefined ? undefined : parseDuration(d.escalateAgainAfter),
      tellClient: d.tellClient,
      hours,
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    clientFirstReplyWithinMs: parseDuration(parsed.data.clientFirstReplyWithin),
    supportLead: Object.freeze([...parsed.data.supportLead]),
    departments: Object.freeze(departments),
  });
}

/** What {@link loadConfig} may know besides the environment. */
export interface ConfigSources {
  /**
   * The lines of the `.env` file the environment was loaded from, for the variables it gave (not
   * those the environment already had): a variable that arrived empty while its line there holds
   * `#…` is explained (`#` starts a comment in .env).
   */
  readonly dotenv?: string;
}

/** Raw `NAME=value` texts of a .env file, before comments are stripped. */
function rawDotenvValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match !== null) values.set(match[1] as string, (match[2] as string).trim());
  }
  return values;
}

/** Problems no single field shows: placeholders, `#` in .env, and variables that need one another. */
function crossChecks(given: Readonly<Record<string, string>>, env: Readonly<Record<string, string | undefined>>, sources: ConfigSources): Map<string, string> {
  const problems = new Map<string, string>();
  for (const [name, { value, fix }] of Object.entries(examplePlaceholders)) {
    if (given[name] === value) problems.set(name, `${name} is still the example's placeholder: ${fix}`);
  }
  const raw = sources.dotenv === undefined ? new Map<string, string>() : rawDotenvValues(sources.dotenv);
  for (const [name, line] of raw) {
    if (given[name] !== undefined || !line.startsWith('#') || (env[name] ?? '').trim() !== '') continue;
    const instead = name.endsWith('_CHANNEL') ? channelIdHint : `quote the value (${name}="${line}")`;
    problems.set(name, `${name} is empty: in .env a # starts a comment, so ${name}=${line} reads as ${name}=; ${instead}`);
  }
  if (given.SLACK_APP_TOKEN === undefined && given.SLACK_SIGNING_SECRET === undefined && !problems.has('SLACK_SIGNING_SECRET')) {
    problems.set('SLACK_SIGNING_SECRET', `SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN (Socket Mode) is set: ${examplePlaceholders.SLACK_SIGNING_SECRET?.fix}`);
  }
  if (given.REPORT_SCHEDULE !== undefined && given.REPORT_CHANNEL === undefined) {
    problems.set('REPORT_SCHEDULE', 'REPORT_SCHEDULE is set but REPORT_CHANNEL is not: set REPORT_CHANNEL to the channel ID (C…) the weekly digest goes to, or remove REPORT_SCHEDULE');
  }
  if (given.TELEGRAM_WEBHOOK_URL !== undefined && given.TELEGRAM_WEBHOOK_SECRET === undefined && !problems.has('TELEGRAM_WEBHOOK_SECRET')) {
    problems.set('TELEGRAM_WEBHOOK_SECRET', 'TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set (make one with: openssl rand -hex 32)');
  }
  return problems;
}

/**
 * Validates the environment and reads the departments file, before anything touches the network.
 * A missing departments file at the default path means "no departments"; a missing file named
 * explicitly is an error.
 * @throws ConfigError listing every problem at once: each variable (or departments-file field)
 *   with what is wrong and, where it helps, how to fix it.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, sources: ConfigSources = {}): Config {
  // An empty variable (e.g. "SLACK_APP_TOKEN=" in .env) means unset.
  const given = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
  const problems = crossChecks(given, env, sources);
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    for (const line of issueLines(parsed.error, (path) => String(path[0] ?? 'environment'))) {
      const name = line.split(' ')[0] as string;
      if (problems.has(name)) continue;
      const fix = examplePlaceholders[name]?.fix;
      problems.set(name, fix !== undefined && line === `${name} is required` ? `${line}: ${fix}` : line);
    }
  }
  let departments: DepartmentsConfig | undefined;
  const departmentsFile = parsed.data?.DEPARTMENTS_FILE ?? given.DEPARTMENTS_FILE ?? './departments.json';
  const named = given.DEPARTMENTS_FILE !== undefined;
  try {
    if (existsSync(departmentsFile)) departments = parseDepartments(readFileSync(departmentsFile, 'utf8'), departmentsFile);
    else if (named) problems.set('DEPARTMENTS_FILE', `DEPARTMENTS_FILE: no file at ${departmentsFile}`);
    else departments = parseDepartments('{}', departmentsFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    error.problems.forEach((line, index) => problems.set(`${departmentsFile}#${index}`, line));
  }
  if (!parsed.success || departments === undefined || problems.size > 0) {
    // In the order .env.example lists the variables; the departments file's fields last.
    const order = Object.keys(envSchema.shape);
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    throw new ConfigError([...problems].sort(([a], [b]) => rank(a) - rank(b)).map(([, line]) => line));
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    databasePath: e.DATABASE_PATH,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    slack: Object.freeze({
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      supportChannel: e.SLACK_SUPPORT_CHANNEL,
      agents: e.SLACK_AGENTS === undefined ? undefined : Object.freeze(e.SLACK_AGENTS),
    }),
    telegram: Object.freeze({
      botToken: e.TELEGRAM_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT,
      webhookUrl: e.TELEGRAM_WEBHOOK_URL,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    }),
    departmentsFile: e.DEPARTMENTS_FILE,
    departments,
    maxOpenCasesPerClient: e.MAX_OPEN_CASES_PER_CLIENT,
    operator: Object.freeze({ metricsToken: e.METRICS_TOKEN, metricsPort: e.METRICS_PORT, metricsHost: e.METRICS_HOST }),
    digest: e.REPORT_CHANNEL === undefined ? undefined : Object.freeze({ channel: e.REPORT_CHANNEL, schedule: e.REPORT_SCHEDULE ?? defaultDigestSchedule }),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    timeZone: e.TEAM_TIMEZONE,
    rates: Object.freeze({
      slackChannelPerSecond: e.SLACK_CHANNEL_POSTS_PER_SECOND || Number.POSITIVE_INFINITY,
      telegramChatPerSecond: e.TELEGRAM_CHAT_MESSAGES_PER_SECOND || Number.POSITIVE_INFINITY,
      telegramGlobalPerSecond: e.TELEGRAM_MESSAGES_PER_SECOND || Number.POSITIVE_INFINITY,
    }),
  });
}

/** Secrets to keep out of logs. */
export function secretsOf(config: Config): string[] {
  return [config.slack.botToken, config.slack.signingSecret, config.slack.appToken, config.telegram.botToken, config.telegram.webhookSecret, config.operator.metricsToken].filter(
    (s): s is string => s !== undefined && s.length >= 6,
  );
}
