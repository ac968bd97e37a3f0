import { describe, expect, it } from 'vitest';
import { createDomain, minute, mondayMorning, second } from '../../support/domain.js';

describe('the client-wait alert (clientFirstReplyWithin, 15 min here)', () => {
  it('alerts the case thread once when nobody replied to a new case in time', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello?');
    expect(fx.scheduler.waits).toEqual([{ caseId: c.id, waitingSince: mondayMorning, at: mondayMorning + 15 * minute, rebuild: false }]);
    await fx.advance(15 * minute - second);
    expect(fx.sent.threadPosts(c.id)).not.toContain('client-waiting');
    const mark = fx.sent.mark();
    expect(await fx.advance(second)).toEqual([{ outcome: 'done', caseId: c.id }]);
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'client-waiting', sinceMs: mondayMorning }]);
    // The card shows it.
    expect(fx.sent.since(mark).all().filter((m) => m.to === 'case-card')).toEqual([{ to: 'case-card', caseId: c.id, op: 'update' }]);
    expect((await fx.caseNow(c.id)).waitAlertedAt).toBe(mondayMorning + 15 * minute);
    expect((await fx.store.listEvents(c.id)).filter((e) => e.kind === 'client-waiting')).toMatchObject([{ at: mondayMorning + 15 * minute, authorKind: 'system', data: { waitingSince: mondayMorning } }]);
    const twice = await fx.runJob({ type: 'client-wait', caseId: c.id, waitingSince: mondayMorning });
    expect(twice).toEqual({ outcome: 'ignored', reason: 'not waiting' });
    expect(fx.sent.threadPosts(c.id).filter((t) => t === 'client-waiting')).toHaveLength(1);
  });

  it('schedules one alert per case, not per message', async () => {
    const fx = createDomain();
    await fx.clientSays('hello?');
    await fx.advance(minute);
    await fx.clientSays('anyone there?');
    expect(fx.scheduler.waits).toHaveLength(1);
  });

  it('does not alert once an agent replied', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello?');
    await fx.advance(5 * minute);
    await fx.agentSays(c.id, '!reply hi, looking into it');
    await fx.advance(20 * minute);
    expect(fx.sent.threadPosts(c.id)).not.toContain('client-waiting');
    expect((await fx.caseNow(c.id)).waitAlertedAt).toBeNull();
  });

  it('does not alert for a case closed before the time', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello?');
    await fx.agentSays(c.id, '!close spam');
    await fx.advance(20 * minute);
    expect(fx.sent.threadPosts(c.id)).not.toContain('client-waiting');
  });

  it('after a restart, a wait already past alerts at once, and only once', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello?');
    fx.jump(40 * minute);
    await fx.restart();
    expect(fx.sent.thread(c.id).filter((m) => m.post.type === 'client-waiting').map((m) => m.post)).toEqual([{ type: 'client-waiting', sinceMs: mondayMorning }]);
    expect((await fx.caseNow(c.id)).waitAlertedAt).toBe(mondayMorning + 40 * minute);
    await fx.restart();
    expect(fx.sent.threadPosts(c.id).filter((t) => t === 'client-waiting')).toHaveLength(1);
  });
});
