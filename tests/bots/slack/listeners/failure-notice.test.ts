import { describe, expect, it } from 'vitest';
import { buttonFailureText, tellButtonFailures } from '../../../../bots/slack/listeners/failure-notice.js';

/** Global middleware arguments as Bolt builds them (App.processEvent): body, next, and respond when the payload has a response_url. */
function args(type: string, next: () => Promise<void>, withRespond = true) {
  const said: unknown[] = [];
  const respond = async (message: unknown) => void said.push(message);
  return { said, args: { body: { type, response_url: 'https://hooks.slack.com/actions/T0/1/x' }, next, ...(withRespond ? { respond } : {}) } as never };
}

describe('a button press that fails after its ack', () => {
  it('is told privately that nothing was done, and the error goes on to app.error', async () => {
    const failure = new Error('SQLITE_IOERR');
    const t = args('block_actions', () => Promise.reject(failure));
    await expect(tellButtonFailures(t.args)).rejects.toBe(failure);
    expect(t.said).toEqual([{ response_type: 'ephemeral', replace_original: false, text: buttonFailureText }]);
  });

  it('says nothing when all went well, or for other payloads (events have no one to tell this way)', async () => {
    const ok = args('block_actions', () => Promise.resolve());
    await tellButtonFailures(ok.args);
    expect(ok.said).toEqual([]);
    const event = args('event_callback', () => Promise.reject(new Error('x')));
    await expect(tellButtonFailures(event.args)).rejects.toThrow('x');
    expect(event.said).toEqual([]);
  });

  it('a failing response_url does not hide the original error', async () => {
    const failure = new Error('SQLITE_BUSY');
    const t = { body: { type: 'block_actions' }, next: () => Promise.reject(failure), respond: () => Promise.reject(new Error('expired_url')) } as never;
    await expect(tellButtonFailures(t)).rejects.toBe(failure);
  });
});
