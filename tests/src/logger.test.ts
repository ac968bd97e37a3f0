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
