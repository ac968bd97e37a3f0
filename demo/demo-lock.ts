import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a lock file says: the pid of the demo that holds it and, once it listens, its page. */
export interface LockOwner {
  readonly pid: number;
  readonly url?: string;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Writes the page's URL into the lock, for the sentence a second demo prints. */
  tell(url: string): void;
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): void;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const [pid = '', url] = readFileSync(path, 'utf8').split('\n');
    return /^\d+$/.test(pid) ? { pid: Number(pid), ...(url ? { url } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process `pid` exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the exclusive lock file `path` (created with O_EXCL, holding this process's pid), creating
 * its directory. A lock whose pid is gone (a demo killed with -9) is stale and taken over.
 * Returns the owner instead when a live process holds it. Throws on file-system errors.
 */
export function takeLock(path: string): { held: HeldLock } | { owner: LockOwner } {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const mine = () => readOwner(path)?.pid === process.pid;
      return {
        held: {
          tell: (url) => {
            if (mine()) writeFileSync(path, `${process.pid}\n${url}\n`);
          },
          release: () => {
            if (mine()) rmSync(path, { force: true });
          },
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      // A lock being written right now has no pid yet: look again rather than take it.
      if (owner === undefined) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        const again = readOwner(path);
        if (again === undefined) rmSync(path, { force: true });
        continue;
      }
      if (alive(owner.pid)) return { owner };
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}`);
}
