// CI's PostgreSQL: `node .ci/postgres.mjs create <name>` makes a fresh database on the local
// server (127.0.0.1:5432, user postgres, trust auth); `drop <name>` removes it and any database a
// test left behind (repka_test_*, repka_copy_*). Through the pg driver, so psql is not needed.
import pg from 'pg';

const [command, name] = process.argv.slice(2);
if (!['create', 'drop'].includes(command) || !/^[a-z0-9_]+$/.test(name ?? '')) {
  console.error('usage: node .ci/postgres.mjs create|drop <name>');
  process.exit(2);
}
const client = new pg.Client({ connectionString: process.env.CI_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
await client.connect();
try {
  if (command === 'create') {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
    console.log(`created database ${name}`);
  } else {
    const { rows } = await client.query("select datname from pg_database where datname = $1 or datname like 'repka\\_test\\_%' or datname like 'repka\\_copy\\_%'", [name]);
    for (const { datname } of rows) await client.query(`drop database if exists ${datname} with (force)`);
    console.log(`dropped ${rows.length} database(s)`);
  }
} finally {
  await client.end();
}
