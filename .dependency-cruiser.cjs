/**
 * Repka's architecture as rules (docs/ARCHITECTURE.md explains the layers). `npm run lint` runs
 * them over src, bots, jobs, db, demo and bench; a forbidden import fails it with the rule's name
 * and the comment below.
 */

/** Packages that tie code to a platform, a queue, storage or an ops library: never in src/. */
const outwardPackages = '(^|node_modules/)(@types/)?(@slack/[^/]+|telegraf|bullmq|ioredis|drizzle-orm|better-sqlite3|pg|pino|prom-client)(/|$)';

/** Modules that talk to Slack or Telegram over HTTP; a renderer never does. */
const webApiClients = [
  '(^|node_modules/)(@slack/[^/]+|telegraf)(/|$)',
  '^bots/keep-alive-fetch\\.ts$',
  '^bots/slack/slack-client\\.ts$',
  '^bots/[^/]+/[^/]+-deliverer\\.ts$',
  '^bots/telegram/telegram-bot\\.ts$',
  '^bots/telegram/client-file-download\\.ts$',
  '^bots/slack/slack-directory\\.ts$',
  '^bots/slack/channel-membership\\.ts$',
];

/* global module -- a CommonJS file: dependency-cruiser loads its configuration with require */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'Modules that import each other cannot be understood, tested or moved one at a time, and ES module ' +
        'cycles see half-initialised bindings at start-up. Move what both need into a third module.',
      from: { path: '^(src|bots|db|jobs)/' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-no-adapter',
      severity: 'error',
      comment:
        'src/ is the domain and points inward only: it must not import bots/, jobs/ or db/. Declare a ' +
        'port in src/ports.ts and implement it in the adapter; the composition root wires them.',
      from: { path: '^src/' },
      to: { path: '^(bots|jobs|db)/' },
    },
    {
      name: 'domain-imports-no-platform-package',
      severity: 'error',
      comment:
        'src/ is pure TypeScript: no Slack, Telegram, BullMQ, Redis, SQL driver, ORM, logger or metrics ' +
        'library. Declare a port in src/ports.ts; the adapter that uses the package implements it.',
      from: { path: '^src/' },
      to: { path: outwardPackages },
    },
    {
      name: 'slack-imports-no-telegram',
      severity: 'error',
      comment:
        'The platform adapters are independent: what Slack and Telegram both need (e.g. the words of a ' +
        'client notice, src/i18n/client-notice-text.ts) belongs in src/.',
      from: { path: '^bots/slack/' },
      to: { path: '^bots/telegram/' },
    },
    {
      name: 'telegram-imports-no-slack',
      severity: 'error',
      comment: 'The platform adapters are independent: what both need belongs in src/.',
      from: { path: '^bots/telegram/' },
      to: { path: '^bots/slack/' },
    },
    {
      name: 'render-is-pure',
      severity: 'error',
      comment:
        'Rendering (Block Kit, Telegram text) is pure functions of domain values: no Web API client, ' +
        'no storage, no queue. Whoever sends the result calls the client.',
      from: { path: '^bots/[^/]+/render/' },
      to: { path: [...webApiClients, '^db/', '^jobs/'] },
    },
    {
      name: 'storage-imports-no-adapter',
      severity: 'error',
      comment:
        'db/ implements ports of src/ and knows nothing of the platforms or the queues: it must not ' +
        'import bots/ or jobs/.',
      from: { path: '^db/' },
      to: { path: '^(bots|jobs)/' },
    },
    {
      name: 'jobs-import-no-bots-or-db',
      severity: 'error',
      comment:
        'jobs/ holds BullMQ queues whose processors call the domain through ports; the platform and ' +
        'storage adapters are passed in by the composition root, not imported.',
      from: { path: '^jobs/' },
      to: { path: '^(bots|db)/' },
    },
    {
      name: 'only-composition-roots-import-db',
      severity: 'error',
      comment:
        'The storage is chosen in one place, db/open-storage.ts (SQLite, or PostgreSQL with DATABASE_URL), ' +
        'called by the composition roots: bots/app.ts (the running app), bots/cli.ts (export, ' +
        'copy-to-postgres) and bots/check.ts (npm run check opens the database). Every other bots/ file ' +
        'depends on ports from src/ports.ts, so it works with either database and with test fakes.',
      from: { path: '^bots/', pathNot: '^bots/(app|cli|check)\\.ts$' },
      to: { path: '^db/' },
    },
    {
      name: 'roots-open-storage-by-configuration',
      severity: 'error',
      comment:
        'Nothing outside db/ knows which database runs: the composition roots open storage through ' +
        'db/open-storage.ts, never db/sqlite/ or db/postgres/ directly.',
      from: { path: '^bots/' },
      to: { path: '^db/(sqlite|postgres)/' },
    },
    {
      name: 'use-cases-only-from-listeners-jobs-and-roots',
      severity: 'error',
      comment:
        "Use cases (src/**/*-service.ts) are called by other domain code, by the adapters' listeners " +
        '(bots/*/listeners/, and bots/telegram/telegram-bot.ts where the Telegraf handlers are ' +
        'registered), by job processors (jobs/) and by the composition roots. Storage implements ' +
        'ports for them, renderers only turn values into text, deliverers only send: none of them ' +
        'depends on a use case. A type both need belongs in a domain file beside the service.',
      from: {
        path: '^(db|bots)/',
        pathNot: ['^bots/(app|cli)\\.ts$', '^bots/wiring/', '^bots/[^/]+/listeners/', '^bots/telegram/telegram-bot\\.ts$'],
      },
      to: { path: '^src/.+-service\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file or installed package fails at run time.',
      from: { path: '^(src|bots|db|jobs)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a port's signature is a dependency too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The sources import './x.js' (NodeNext). With tsConfig set, dependency-cruiser resolves such an
    // import to x.ts when x.js does not exist, as TypeScript does; 'not-to-unresolvable' checks it.
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
