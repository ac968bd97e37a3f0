import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('createLogger', () => {
  it('writes JSON lines at or above the level, with secrets redacted wherever they appear', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: ['xoxb-secret-token', '123:telegram-token'], write: (l) => lines.push(l) });
    log.debug('hidden');
    log.info('calling https://api.telegram.org/bot123:telegram-token/sendMessage', { header: 'Bearer xoxb-secret-token', error: new Error('xoxb-secret-token rejected') });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'calling https://api.telegram.org/bot[redacted]/sendMessage', header: 'Bearer [redacted]' });
    expect(lines[0]).not.toContain('secret-token');
  });
});

describe('URLs with credentials', () => {
  it('keeps the user, host and database of DATABASE_URL or REDIS_URL, and redacts the password', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l) });
    log.warn('could not connect to postgres://repka:s3cr3t-pa55@db.internal:5432/repka', { redis: 'redis://:hunter2hunter2@cache:6379/0', plain: 'postgres://postgres@127.0.0.1:5432/repka' });
    const entry = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(entry).toMatchObject({ msg: 'could not connect to postgres://repka:[redacted]@db.internal:5432/repka', redis: 'redis://:[redacted]@cache:6379/0', plain: 'postgres://postgres@127.0.0.1:5432/repka' });
    expect(lines[0]).not.toContain('s3cr3t');
    expect(lines[0]).not.toContain('hunter2');
  });
});
