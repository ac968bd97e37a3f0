/** Where one thing the visitor did stands: waiting or being sent, taken by Repka, or given up on. */
export type Delivery = 'sending' | 'sent' | 'failed';

/** One thing the visitor did, as it stands. */
export interface VisitorInput {
  readonly id: string;
  readonly delivery: Delivery;
  /** Why it failed (a status or a network error), for the page's tooltip. */
  readonly problem?: string;
}

/** What sending one input to Repka gave: the HTTP status and the body. */
export interface SendResult {
  readonly status: number;
  readonly body?: string;
}

interface Entry {
  readonly id: string;
  readonly send: (attempt: number) => Promise<SendResult>;
  delivery: Delivery;
  problem?: string;
}

/** Pauses between the attempts at one input, ms: a Repka that restarts or is busy gets a few seconds. */
const defaultRetryPauses: readonly number[] = [300, 1000, 2500];

/**
 * The visitor's actions, sent to Repka one at a time in the order they were made. Until Repka is up
 * (`repkaIsUp`) they wait here, so nothing typed while it starts is lost; an attempt that gets no
 * answer or a 5xx is repeated a few times, then the input is `failed` and `retry` sends it again.
 */
export class VisitorInputs {
  private readonly entries = new Map<string, Entry>();
  private chain: Promise<unknown> = Promise.resolve();
  private up!: () => void;
  private readonly isUp = new Promise<void>((resolve) => (this.up = resolve));
  private counter = 0;

  /** `retryPausesMs`: the pause before each repeated attempt (default 300, 1000, 2500 ms: four attempts in all). */
  constructor(private readonly retryPausesMs: readonly number[] = defaultRetryPauses) {}

  /** Repka answers now: what waited is sent, in order. */
  repkaIsUp(): void {
    this.up();
  }

  /**
   * Queues `send` (called with the attempt number, 0 first) and resolves with its last result once
   * it was sent or given up on. The input's id is `id` when given (a Slack message's ts), else a new one.
   */
  submit(send: (attempt: number) => Promise<SendResult>, id = `input-${++this.counter}`): { id: string; done: Promise<SendResult> } {
    const entry: Entry = { id, send, delivery: 'sending' };
    this.entries.set(id, entry);
    return { id, done: this.enqueue(entry) };
  }

  /** Sends a failed input again; false when there is no failed input `id`. */
  retry(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.delivery !== 'failed') return false;
    entry.delivery = 'sending';
    entry.problem = undefined;
    void this.enqueue(entry);
    return true;
  }

  /** The input `id` as it stands, undefined for an id never submitted. */
  get(id: string): VisitorInput | undefined {
    const entry = this.entries.get(id);
    return entry === undefined ? undefined : { id: entry.id, delivery: entry.delivery, ...(entry.problem === undefined ? {} : { problem: entry.problem }) };
  }

  private enqueue(entry: Entry): Promise<SendResult> {
    const done = this.chain.then(() => this.isUp).then(() => this.attempt(entry));
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async attempt(entry: Entry): Promise<SendResult> {
    let result: SendResult = { status: 0 };
    for (let attempt = 0; attempt <= this.retryPausesMs.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.retryPausesMs[attempt - 1]));
      try {
        result = await entry.send(attempt);
        entry.problem = result.status >= 200 && result.status < 300 ? undefined : `Repka answered HTTP ${result.status}`;
      } catch (error) {
        result = { status: 0 };
        entry.problem = `Repka did not answer (${(error as Error).message})`;
      }
      // A 4xx is Repka's answer (a bad signature, say): sending the same again changes nothing.
      if (result.status !== 0 && result.status < 500) break;
    }
    entry.delivery = entry.problem === undefined ? 'sent' : 'failed';
    return result;
  }
}
