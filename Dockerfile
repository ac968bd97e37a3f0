# Repka in one container: HTTP server, Slack app, Telegram bot and BullMQ workers in one process.
# Redis runs elsewhere (see docker-compose.yml); SQLite lives in the /app/data volume.
# docs/DEPLOYMENT.md explains the production set-up. .ci/check-image-recipe.sh replays this recipe
# without Docker: keep its COPY, npm ci and CMD lines in the plain forms it reads.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 installs a prebuilt binary when one fits this Node and libc; these tools are
# only its fallback for compiling from source, and stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only: tsx runs the TypeScript sources, so there is no build step.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/app/data/repka.sqlite
WORKDIR /app
# Code and dependencies stay owned by root: the app user can read them, not change them.
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY bots ./bots
COPY jobs ./jobs
COPY db ./db
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data
EXPOSE 3000
# No curl in the slim image: Node's fetch asks /healthz (200 when SQLite and Redis answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs (tsx bots/main.ts), in one process: node is PID 1 and gets SIGTERM itself,
# with no npm or tsx parent in between.
CMD ["node", "--import", "tsx", "bots/main.ts"]
