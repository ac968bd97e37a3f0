import { defineConfig } from 'drizzle-kit';

/** drizzle-kit for the PostgreSQL schema: `npm run db:generate:postgres` writes its migrations. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/postgres/schema.ts',
  out: './db/postgres/migrations',
});
