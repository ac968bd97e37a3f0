import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit that
 * crosses the threshold: on a busy Repka that was two thirds of the cost of committing, and each
 * one stalled the event loop for 15-50 ms (every webhook waiting behind it). Here a worker thread
 * with its own connection checkpoints every `everyMs` while the main connection runs with
 * `wal_autocheckpoint = 0`:
 * - a PASSIVE checkpoint copies the WAL back into the database file without blocking the writer;
 * - then, if the WAL has grown past `restartPages`, a RESTART checkpoint copies the few frames
 *   written meanwhile and makes the next writer start the WAL over. Under steady load a PASSIVE
 *   checkpoint alone never catches up (new commits land while it runs), and reads get slower as
 *   the WAL grows. RESTART briefly holds the write lock: the main thread may wait a few
 *   milliseconds in its next BEGIN (busy_timeout), once a second at most.
 */

/** The worker's code: plain CommonJS, so it runs the same under tsx and compiled JavaScript. */
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    let [result] = db.pragma('wal_checkpoint(PASSIVE)');
    const walPages = result.log;
    if (walPages > workerData.restartPages) [result] = db.pragma('wal_checkpoint(RESTART)');
    parentPort.postMessage({ ok: true, walPages, copied: result.checkpointed, restarted: walPages > workerData.restartPages && result.busy === 0 });
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
  /** Frames in the WAL before this checkpoint. */
  readonly walPages?: number;
  readonly copied?: number;
  /** The WAL starts over with the next write. */
  readonly restarted?: boolean;
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
export function startCheckpointer(
  path: string,
  options: { readonly everyMs: number; readonly restartPages: number },
  onReport: (report: CheckpointReport) => void,
  onFailure: (error: Error) => void,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(source, { eval: true, workerData: { driver, path, ...options } });
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
