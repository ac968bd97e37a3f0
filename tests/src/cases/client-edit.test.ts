import { describe, expect, it } from 'vitest';
import { clientProfile, createDomain } from '../../support/domain.js';

describe('a client edits a message they sent', () => {
  it('the thread shows the new text beside the old; the history keeps both and names the original', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('my invoice is wrong', 1001, 10);
    const original = (await fx.store.listEvents(c.id)).find((e) => e.kind === 'client-message');
    const mark = fx.sent.mark();
    expect(await fx.clientEdits(10, 'my invoice #42 is wrong')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).all()).toEqual([{ to: 'case-thread', caseId: c.id, post: { type: 'client-edited', text: 'my invoice #42 is wrong', previousText: 'my invoice is wrong' } }]);
    expect((await fx.store.listEvents(c.id)).at(-1)).toMatchObject({
      kind: 'client-edited',
      authorKind: 'client',
      authorId: '1001',
      authorName: 'Olga',
      text: 'my invoice #42 is wrong',
      data: { messageId: 10, previousText: 'my invoice is wrong', eventId: original?.id },
    });
  });

  it('a second edit names the first edit as the previous text', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('one', 1001, 10);
    await fx.clientSays('unrelated', 1001, 11);
    await fx.clientEdits(10, 'two');
    await fx.clientEdits(11, 'unrelated, edited');
    const mark = fx.sent.mark();
    await fx.clientEdits(10, 'three');
    expect(fx.sent.since(mark).thread(c.id).map((m) => m.post)).toEqual([{ type: 'client-edited', text: 'three', previousText: 'two' }]);
    expect((await fx.store.listEvents(c.id)).at(-1)?.data?.previousText).toBe('two');
    // The latest edit, not the first one.
    await fx.clientEdits(10, 'four');
    expect((await fx.store.listEvents(c.id)).at(-1)?.data?.previousText).toBe('three');
  });

  it('is found in an open case that is not the latest (after /new)', async () => {
    const fx = createDomain();
    const first = await fx.clientSays('about the invoice', 1001, 10);
    const opened = await fx.act(() => fx.cases.receiveClientCommand(fx.key(), clientProfile(), 'new'));
    expect(opened).toMatchObject({ outcome: 'done', opened: true, caseId: first.id + 1 });
    const mark = fx.sent.mark();
    expect(await fx.clientEdits(10, 'about the invoice, edited')).toEqual({ outcome: 'done', caseId: first.id });
    expect(fx.sent.since(mark).threadPosts(first.id)).toEqual(['client-edited']);
  });

  it('is found in the latest case after it was closed', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('thanks, all good', 1001, 10);
    await fx.agentSays(c.id, '!close');
    expect((await fx.caseNow(c.id)).status).toBe('closed');
    const mark = fx.sent.mark();
    expect(await fx.clientEdits(10, 'thanks, all good!')).toEqual({ outcome: 'done', caseId: c.id });
    expect(fx.sent.since(mark).threadPosts(c.id)).toEqual(['client-edited']);
  });

  it('a message in a closed case that is no longer the latest is not looked for: ignored', async () => {
    const fx = createDomain();
    const old = await fx.clientSays('first problem', 1001, 10);
    await fx.agentSays(old.id, '!close');
    const next = await fx.clientSays('second problem', 1001, 11);
    expect(next.id).toBe(old.id + 1);
    const mark = fx.sent.mark();
    expect(await fx.clientEdits(10, 'first problem, edited')).toEqual({ outcome: 'ignored', reason: 'edit of an unknown message' });
    expect(fx.sent.since(mark).all()).toEqual([]);
  });

  it('an edit of a message Repka does not know is ignored: nothing recorded or sent', async () => {
    const fx = createDomain();
    const c = await fx.clientSays('hello', 1001, 10);
    const kinds = await fx.historyKinds(c.id);
    const mark = fx.sent.mark();
    expect(await fx.clientEdits(99, 'what?')).toEqual({ outcome: 'ignored', reason: 'edit of an unknown message' });
    expect(fx.sent.since(mark).all()).toEqual([]);
    expect(await fx.historyKinds(c.id)).toEqual(kinds);
  });

  it('an edit from a chat Repka never saw is ignored', async () => {
    const fx = createDomain();
    await fx.clientSays('hello', 1001, 10);
    expect(await fx.clientEdits(10, 'hello', 2002)).toEqual({ outcome: 'ignored', reason: 'unknown client' });
  });

  it('another client’s message with the same id is not theirs', async () => {
    const fx = createDomain();
    await fx.clientSays('mine', 1001, 10);
    const other = await fx.clientSays('theirs', 2002, 77);
    expect(await fx.clientEdits(10, 'not mine', 2002)).toEqual({ outcome: 'ignored', reason: 'edit of an unknown message' });
    expect(await fx.historyKinds(other.id)).not.toContain('client-edited');
  });
});
