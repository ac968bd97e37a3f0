import pg from 'pg';

/**
 * PostgreSQL cannot store U+0000 in `text` (the server refuses it: "invalid byte sequence for
 * encoding UTF8: 0x00", SQLSTATE 22021; see the manual, 8.3 "Character Types": "the character with
 * code zero cannot be stored"), nor bind it as a parameter. A client may well send one (Telegram
 * passes it on in names and texts), and SQLite keeps it. So every string parameter has its NULs
 * replaced by U+FFFD (the replacement character) on the way in: the message is kept, shown with a
 * visible mark where the invisible character was, instead of failing the whole update.
 */
export const replaceNul = (value: unknown): unknown => (typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value);

/** A pg Client whose queries' parameters never carry U+0000 (see {@link replaceNul}). */
export class NulSafeClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [first, second] = args;
    if (typeof first === 'object' && first !== null && Array.isArray((first as { values?: unknown }).values)) {
      const config = first as { values: unknown[] };
      // A plain config (what drizzle passes) is copied; a Query or cursor object keeps its identity.
      if (Object.getPrototypeOf(config) === Object.prototype) args[0] = { ...config, values: config.values.map(replaceNul) };
      else config.values = config.values.map(replaceNul);
    } else if (Array.isArray(second)) args[1] = second.map(replaceNul);
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
