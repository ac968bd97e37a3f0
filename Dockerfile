# Repka in one container: HTTP server, Slack app, Telegram bot and BullMQ workers in one process.
# Redis runs elsewhere (see docker-compose.yml); SQLite lives in the /app/data volume.
# docs/DEPLOYMENT.md explains the production set-up. .ci/check-image-recipe.sh replays this recipe
# without Docker: keep its COPY, RUN npm and CMD lines in the plain forms it reads.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 installs a prebuilt binary when one fits this Node and libc; these tools are
# only its fallback for compiling from source, and stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Every dependency, the devDependencies too: tsx brings the esbuild that compiles the TypeScript.
# --ignore-scripts skips only this package's own `prepare` (the sources are not here yet); the
# rebuild then runs the dependencies' install scripts (better-sqlite3's binary).
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
COPY bots ./bots
COPY jobs ./jobs
COPY db ./db
# The bundles under dist/ (what `npm ci` runs as `prepare`), then production
# dependencies only: tsx, esbuild, TypeScript and the test tools leave node_modules.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/app/data/repka.sqlite
WORKDIR /app
# Code and dependencies stay owned by root: the app user can read them, not change them.
# dist/package.json (written by the build) says "type": "module": Node loads the bundles as ES modules.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
# `npm run check` and `npm run cli` first ask it whether dist/ is current (with no sources here, it is).
COPY --from=build /app/scripts/build.mjs ./scripts/build.mjs
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data
EXPOSE 3000
# No curl in the slim image: Node's fetch asks /healthz (200 when SQLite and Redis answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs (node dist/bots/main.js), in one process: node is PID 1 and gets SIGTERM
# itself, with no npm parent in between. Plain Node on the compiled JavaScript: no TypeScript
# loader at run time.
CMD ["node", "--enable-source-maps", "dist/bots/main.js"]
