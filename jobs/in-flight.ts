/**
 * Promises sent off without being awaited (job adds and removals on a queue), kept until they
 * settle, so shutdown can wait for their answers before the queue's connection closes: a pipeline
 * still queued when it closes rejects each of its commands ("Connection is closed"), unhandled.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Keeps `work` until it settles. `work` must handle its own rejection. */
  track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once everything tracked so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
