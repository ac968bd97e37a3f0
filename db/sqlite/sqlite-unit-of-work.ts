import type { Storage, UnitOfWork } from '../../src/ports.js';
import type { GroupCommit } from './group-commit.js';

/**
 * Units of work on one SQLite connection. They take turns (a unit's savepoint must not interleave
 * with another's), and share the group commit of their event-loop turn: `run` resolves once the
 * batch holding the unit is durable, so the next unit starts as soon as this one's work is done,
 * not once it is committed.
 */
export class SqliteUnitOfWork implements UnitOfWork {
  /** Settles when the unit (or read) now running has done its work. */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly commits: GroupCommit,
  ) {}

  async run<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    const done = await this.takeTurn();
    let unit: { result: T; durable: Promise<void> };
    try {
      unit = await this.commits.unit(() => work(this.storage));
    } finally {
      done();
    }
    await unit.durable;
    return unit.result;
  }

  /** As `run`: on SQLite a statement outside the group commit would cost a commit of its own. */
  runStatement<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    return this.run(work);
  }

  async read<T>(work: (tx: Storage) => Promise<T>): Promise<T> {
    const done = await this.takeTurn();
    try {
      return await work(this.storage);
    } finally {
      done();
    }
  }

  /** Waits for the units before this one; call the function returned when done. */
  private async takeTurn(): Promise<() => void> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise((resolve) => (done = resolve));
    await previous;
    return done;
  }
}
