import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../bots/logger.js';

const root = new URL('../../', import.meta.url).pathname;
const loader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** A real pino logger writing to an array: every line it wrote. */
function capture(options: Partial<LoggerOptions> = {}): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line), ...options }) };
}

/** Parses every line; each must be one JSON object with pino's level, time and msg. */
function entries(lines: readonly string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
    return entry;
  });
}

describe('createLogger', () => {
  it('writes JSON lines at or above the level, with secrets redacted wherever they appear', () => {
    const { lines, log } = capture({ level: 'info', secrets: ['xoxb-secret-token', '123:telegram-token'] });
    log.debug('hidden');
    log.info('calling https://api.telegram.org/bot123:telegram-token/sendMessage', { header: 'Bearer xoxb-secret-token', error: new Error('xoxb-secret-token rejected') });
    expect(lines).toHaveLength(1);
    const [entry] = entries(lines);
    expect(entry).toMatchObject({ level: 'info', msg: 'calling https://api.telegram.org/bot[redacted]/sendMessage', header: 'Bearer [redacted]' });
    expect(lines[0]).not.toContain('secret-token');
  });

  it('keeps the field names of every line: level by name, time in ISO 8601, the fields, msg; nothing else', () => {
    const { lines, log } = capture();
    log.warn('repka started', { port: 3000, storage: 'sqlite' });
    log.error('no fields');
    expect(entries(lines).map((entry) => Object.keys(entry).sort())).toEqual([
      ['level', 'msg', 'port', 'storage', 'time'],
      ['level', 'msg', 'time'],
    ]);
    expect(entries(lines).map((entry) => entry.level)).toEqual(['warn', 'error']);
  });

  it('serialises an Error in `error` with pino’s std serializer (type, message, stack), scrubbed', () => {
    const { lines, log } = capture();
    log.error('slack call failed', { error: new TypeError('An API error occurred: invalid_auth for xoxp-1234-5678-AbcDefUserToken') });
    const [entry] = entries(lines);
    expect(entry?.error).toEqual({ type: 'TypeError', message: 'An API error occurred: invalid_auth for [redacted]', stack: expect.stringMatching(/^TypeError: An API error occurred: invalid_auth for \[redacted\]\n {4}at /) });
    expect(lines[0]).not.toContain('AbcDefUserToken');
  });
});

describe('no secret in any line', () => {
  // One case per redaction: each fails alone when its redaction is removed.
  it.each([
    ['a Slack bot token in the message', 'posting with xoxb-1111-2222-SecretBotTokenValue failed', undefined, 'SecretBotTokenValue'],
    ['a Slack app-level token in a field', 'socket mode', { appToken: 'xapp-1-A0123-456-SecretAppTokenValue' }, 'SecretAppTokenValue'],
    ['a Telegram Bot API URL', 'GET https://api.telegram.org/bot7654321:AAH-SecretTelegramTokenValue_xyz0123/getMe failed', undefined, 'SecretTelegramTokenValue'],
    ['a bare Telegram token', 'token 7654321:AAH-SecretTelegramTokenValue_xyz0123 refused', undefined, 'SecretTelegramTokenValue'],
    ['a DATABASE_URL with its password', 'could not connect', { url: 'postgres://repka:S3cretDbPassw0rd@db.internal:5432/repka' }, 'S3cretDbPassw0rd'],
    ['a bearer credential in free text', 'GET /metrics with Bearer metricsSecretValue0123456 refused', undefined, 'metricsSecretValue'],
    ['an Authorization header (redact path)', 'request', { headers: { authorization: 'ApiKey opaqueHeaderSecret0987' } }, 'opaqueHeaderSecret'],
    ['a nested Authorization header (redact path)', 'request', { req: { headers: { Authorization: 'ApiKey opaqueHeaderSecret0987' } } }, 'opaqueHeaderSecret'],
    ['a password field (redact path)', 'connecting', { password: 'correct horse battery staple' }, 'horse battery'],
    ['a nested token field (redact path)', 'configured', { slack: { token: 'opaque-token-value-for-a-test' } }, 'opaque-token-value'],
    ['an Error whose message names a token', 'auth.test failed', { error: new Error('invalid_auth: xoxb-1111-2222-SecretBotTokenValue') }, 'SecretBotTokenValue'],
  ])('%s', (_what, message, fields, secret) => {
    const { lines, log } = capture();
    log.warn(message, fields);
    expect(entries(lines)).toHaveLength(1);
    expect(lines[0]).toContain('[redacted]');
    expect(lines[0]).not.toContain(secret);
  });

  it("this process's own secrets, whatever their shape", () => {
    const { lines, log } = capture({ secrets: ['signing-secret-Value-0987654321'] });
    log.info('signature check', { detail: 'computed with signing-secret-Value-0987654321' });
    expect(entries(lines)[0]).toMatchObject({ detail: 'computed with [redacted]' });
  });

  it('keeps a line valid JSON when a URL without a password and an address follow each other', () => {
    const { lines, log } = capture();
    log.info('queues', { redis: 'redis://cache:6379', owner: 'ops@example.com' });
    expect(entries(lines)[0]).toMatchObject({ redis: 'redis://cache:6379', owner: 'ops@example.com' });
  });
});

describe('URLs with credentials', () => {
  it('keeps the user, host and database of DATABASE_URL or REDIS_URL, and redacts the password', () => {
    const { lines, log } = capture({ level: 'info' });
    log.warn('could not connect to postgres://repka:s3cr3t-pa55@db.internal:5432/repka', { redis: 'redis://:hunter2hunter2@cache:6379/0', plain: 'postgres://postgres@127.0.0.1:5432/repka' });
    const [entry] = entries(lines);
    expect(entry).toMatchObject({ msg: 'could not connect to postgres://repka:[redacted]@db.internal:5432/repka', redis: 'redis://:[redacted]@cache:6379/0', plain: 'postgres://postgres@127.0.0.1:5432/repka' });
    expect(lines[0]).not.toContain('s3cr3t');
    expect(lines[0]).not.toContain('hunter2');
  });
});

describe('LOG_FORMAT=pretty', () => {
  it('writes pino-pretty’s readable lines, redacted the same way', () => {
    const { lines, log } = capture({ format: 'pretty', secrets: ['signing-secret-Value-0987654321'] });
    log.info('repka started', { port: 3000, note: 'xoxb-1111-2222-SecretBotTokenValue and signing-secret-Value-0987654321' });
    const text = lines.join('\n');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: repka started\n {4}port: 3000\n {4}note: "\[redacted\] and \[redacted\]"/);
    expect(() => JSON.parse(lines[0] as string)).toThrow();
  });

  it('puts the component (Bolt, Telegraf) at the head of the message', () => {
    const { lines, log } = capture({ format: 'pretty' });
    log.debug('HTTP call getMe', { component: 'telegraf:client' });
    expect(lines).toEqual([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] DEBUG: \[telegraf:client\] HTTP call getMe$/)]);
  });

  it('without pino-pretty installed, says so in one line and writes JSON', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'pino-pretty'"), { code: 'MODULE_NOT_FOUND' });
    };
    const { lines, log } = capture({ format: 'pretty', loadPretty: missing });
    log.info('repka started', { port: 3000 });
    expect(entries(lines)).toEqual([
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^LOG_FORMAT=pretty needs pino-pretty, a development dependency that is not installed here .*: logging JSON lines instead$/) }),
      expect.objectContaining({ level: 'info', msg: 'repka started', port: 3000 }),
    ]);
  });

  it('a pino-pretty that fails to load for another reason is not hidden', () => {
    const broken = () => {
      throw new SyntaxError('Unexpected token');
    };
    expect(() => createLogger({ level: 'info', format: 'pretty', write: () => undefined, loadPretty: broken })).toThrow('Unexpected token');
  });
});

describe('on stderr, in a process of its own', () => {
  /** Runs a script that logs through the default destination (fd 2) and exits at once. */
  const run = (script: string) =>
    spawnSync(process.execPath, ['--import', loader, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });

  it('writes every line before process.exit, the last one included', () => {
    const script = `
      import { createLogger } from './bots/logger.ts';
      const log = createLogger({ level: 'info', secrets: [] });
      for (let i = 0; i < 2000; i++) log.info('working', { i, url: 'postgres://repka:S3cretDbPassw0rd@db/repka' });
      log.error('fatal: cannot go on', { error: new Error('xoxb-1111-2222-SecretBotTokenValue rejected') });
      process.exit(1);`;
    const { status, stderr, stdout } = run(script);
    expect(status, stderr).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(2001);
    expect(entries(lines).at(-1)).toMatchObject({ level: 'error', msg: 'fatal: cannot go on', error: { message: '[redacted] rejected' } });
    expect(stderr).not.toContain('S3cretDbPassw0rd');
    expect(stderr).not.toContain('SecretBotTokenValue');
  });
});
