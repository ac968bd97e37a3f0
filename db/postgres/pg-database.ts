import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type * as schema from './schema.js';

/**
 * Repka's PostgreSQL through drizzle: the pool, or one transaction on a client of it. `$client`
 * is the node-postgres pool or client under it (drizzle's `drizzle()` sets it), for the few
 * statements drizzle cannot prepare under a name (see PgOutbox).
 */
export type RepkaPg = PgDatabase<NodePgQueryResultHKT, typeof schema> & { readonly $client: pg.Pool | pg.PoolClient };

/**
 * The queries built by `builders`, each built on its first use only. A PgStorage lives for one
 * transaction, and a unit uses a few of its queries: building all of them for every unit would
 * cost more than it saves. Each query is prepared under a name, so a pooled connection parses it
 * once and reuses its plan afterwards (node-postgres sends Parse only the first time a client
 * sees a name).
 */
export function onFirstUse<T extends Record<string, () => unknown>>(builders: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const queries = {};
  for (const [key, build] of Object.entries(builders)) {
    Object.defineProperty(queries, key, {
      configurable: true,
      get: () => {
        const value = build();
        Object.defineProperty(queries, key, { value });
        return value;
      },
    });
  }
  return queries as { readonly [K in keyof T]: ReturnType<T[K]> };
}
