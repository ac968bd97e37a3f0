import type { webApi } from '@slack/bolt';
import type { Logger } from '../../../../src/ports.js';

/** The number in a button's value, or undefined when it is not one. */
export function idOf(value: string | undefined): number | undefined {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Opens `view` for the click that gave `triggerId`. It must happen within Slack's 3-second trigger
 * window, so it calls views.open directly instead of going through the outbox: it is an answer to
 * a click, not a message. A refusal (an expired trigger) is logged; the person can press again.
 */
export async function openForm(client: Pick<webApi.WebClient, 'views'>, triggerId: string, view: Record<string, unknown>, log: Logger): Promise<void> {
  try {
    await client.views.open({ trigger_id: triggerId, view: view as never });
  } catch (error) {
    log.warn('views.open failed', { error: (error as Error).message });
  }
}
