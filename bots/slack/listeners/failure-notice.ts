import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';

/** What a person who pressed a button is told when Repka failed on it (the details go to the log). */
export const buttonFailureText = "Something went wrong on Repka's side and nothing was done. Please try again in a moment.";

/**
 * The one place a button press that failed after its ack is answered: Slack already closed the
 * click, so the person is told privately (response_url) instead of seeing nothing happen. The
 * error goes on to `app.error`, which logs it.
 */
export const tellButtonFailures: Middleware<AnyMiddlewareArgs> = async (args) => {
  try {
    await args.next();
  } catch (error) {
    const respond = 'respond' in args ? args.respond : undefined;
    if ((args.body as { type?: string }).type === 'block_actions' && respond !== undefined) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: buttonFailureText }).catch(() => undefined);
    }
    throw error;
  }
};
