import { describe, expect, it } from 'vitest';
import { VisitorInputs, type SendResult } from '../../demo/visitor-inputs.js';

describe('VisitorInputs', () => {
  it('holds what comes before Repka is up and sends it once it is, in order', async () => {
    const inputs = new VisitorInputs([]);
    const sent: string[] = [];
    const send = (name: string) => async (): Promise<SendResult> => {
      sent.push(name);
      return { status: 200 };
    };
    const first = inputs.submit(send('first'));
    const second = inputs.submit(send('second'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toEqual([]);
    expect(inputs.get(first.id)?.delivery).toBe('sending');

    inputs.repkaIsUp();
    await second.done;
    expect(sent).toEqual(['first', 'second']);
    expect(inputs.get(first.id)).toEqual({ id: first.id, delivery: 'sent' });
  });

  it('repeats an attempt that gets no answer or a 5xx, then marks it failed until retried', async () => {
    const inputs = new VisitorInputs([1, 1]);
    inputs.repkaIsUp();
    const answers: (number | Error)[] = [new Error('ECONNREFUSED'), 502, 503, 200];
    const attempts: number[] = [];
    const { id, done } = inputs.submit(async (attempt) => {
      attempts.push(attempt);
      const answer = answers.shift() ?? 200;
      if (answer instanceof Error) throw answer;
      return { status: answer };
    });
    expect((await done).status).toBe(503);
    expect(attempts).toEqual([0, 1, 2]);
    expect(inputs.get(id)).toEqual({ id, delivery: 'failed', problem: 'Repka answered HTTP 503' });

    expect(inputs.retry(id)).toBe(true);
    const later = inputs.submit(async () => ({ status: 200 }));
    await later.done;
    expect(inputs.get(id)?.delivery).toBe('sent');
    expect(inputs.retry(id)).toBe(false);
  });

  it('does not repeat a 4xx: Repka refused it, and the same again changes nothing', async () => {
    const inputs = new VisitorInputs([1, 1]);
    inputs.repkaIsUp();
    let calls = 0;
    const { id, done } = inputs.submit(async () => {
      calls += 1;
      return { status: 401 };
    });
    await done;
    expect(calls).toBe(1);
    expect(inputs.get(id)?.delivery).toBe('failed');
  });
});
