import { createHash } from 'node:crypto';
import { sql, type Placeholder } from 'drizzle-orm';

/**
 * A name for a PostgreSQL prepared statement writing `columns`, the same wherever it is built:
 * node-postgres prepares a named statement once per connection and refuses the name for another
 * text, and every store on the pool shares the connections.
 */
export const statementName = (prefix: string, columns: string): string => `${prefix}_${createHash('sha1').update(columns).digest('hex').slice(0, 16)}`;

/**
 * A placeholder where drizzle's types want a column's value (`set` of an update): drizzle binds
 * it through the column as it binds a value (its `mapUpdateSet` wraps it in a `Param`).
 */
export const valueOf = (name: string): never => sql.placeholder(name) as never;

/** Each of `columns` bound to the placeholder of its own name: the values of an insert prepared once. */
export const placeholders = <K extends string>(...columns: K[]): Record<K, Placeholder> => Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)])) as unknown as Record<K, Placeholder>;

/**
 * Prepared statements for a write whose columns vary from call to call (an update's patch, an
 * insert with optional columns): one statement per set of columns, built the first time that set
 * is written. drizzle builds a query's SQL anew on every call that is not prepared, and that was
 * most of what opening a case, asking a department or posting a card allocated (about 80 µs and
 * some 100 KB of garbage a query on SQLite, against 11–27 µs prepared; docs/BENCHMARKS.md, deadline
 * scenario). Used by both dialects (db/sqlite, db/postgres).
 *
 * A value is bound through its column (drizzle's `Param` around the placeholder), so booleans and
 * the like are written as the column maps them, as an unprepared query does. Columns whose value
 * is undefined are left out, as drizzle's `set` and `values` leave them out.
 */
export class StatementsByColumns<S> {
  private readonly byColumns = new Map<string, S>();

  constructor(
    /**
     * The statement writing `columns`, each bound to the placeholder of its own name; `columns`
     * names them in one string (for the name of a PostgreSQL statement: see {@link statementName}).
     */
    private readonly build: (placeholders: Record<string, Placeholder>, columns: string) => S,
  ) {}

  /** The statement for the columns `values` sets, and the values to run it with. */
  for(values: object): { statement: S; values: Record<string, unknown> } {
    const given = values as Record<string, unknown>;
    const columns = Object.keys(given).filter((column) => given[column] !== undefined);
    const key = columns.join(',');
    let statement = this.byColumns.get(key);
    if (statement === undefined) {
      statement = this.build(Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)])), key);
      this.byColumns.set(key, statement);
    }
    return { statement, values: given };
  }
}
