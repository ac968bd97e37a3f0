import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit that
 * crosses the threshold and waits for two fsyncs there: on a busy Repka that was two thirds of
 * the cost of committing, and it stalled the event loop (every webhook waiting behind it). Here a
 * worker thread with its own connection copies the WAL back into the database file every
 * `everyMs` (a PASSIVE checkpoint: it never blocks the writer), while the main connection runs
 * with `wal_autocheckpoint = 0`.
 */

/** The worker's code: plain CommonJS, so it runs the same under tsx and compiled JavaScript. */
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, walPages: result.log, copied: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: error.message });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface CheckpointReport {
  readonly ok: boolean;
  readonly walPages?: number;
  readonly copied?: number;
  readonly error?: string;
}

export interface Checkpointer {
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing the database at `path` in a worker thread. `onFailure` is told when the
 * worker cannot run (the caller then turns automatic checkpoints back on).
 */
export function startCheckpointer(path: string, everyMs: number, onReport: (report: CheckpointReport) => void, onFailure: (error: Error) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(source, { eval: true, workerData: { driver, path, everyMs } });
  worker.unref();
  let stopping = false;
  worker.on('message', (report: CheckpointReport) => onReport(report));
  worker.on('error', (error) => onFailure(error));
  worker.on('exit', (code) => {
    if (!stopping) onFailure(new Error(`checkpoint worker exited with code ${code}`));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (stopping) return resolve();
        stopping = true;
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }),
  };
}
