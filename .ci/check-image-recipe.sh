#!/usr/bin/env bash
# Replays the Dockerfile's recipe without Docker, on a clean copy of the repository:
#   1. sanity checks: a non-root USER, a production-only install (`--omit=dev`), a /healthz
#      HEALTHCHECK, a CMD that runs plain Node (no tsx);
#   2. the build stage: copies the files it COPYs (as `docker build .` sees them, minus what git
#      ignores) into an empty folder and runs its `npm …` commands there (install, build, prune),
#      then checks that no devDependency is left in its node_modules;
#   3. the final stage: an empty folder with what it copies from the build stage (COPY --from)
#      and from the context, nothing else;
#   4. starts the Dockerfile's CMD there against a stub Slack/Telegram API (production settings:
#      Slack over HTTP, Telegram webhook), waits for GET /healthz to answer 200, runs the
#      Dockerfile's HEALTHCHECK command, then sends SIGTERM and expects exit code 0.
# Needs Redis at REDIS_URL (default redis://127.0.0.1:6379), as the tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dockerfile=$root/Dockerfile
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
prefix="image-check-$$"

work=$(mktemp -d "${TMPDIR:-/tmp}/repka-image-check.XXXXXX")
app=$work/app
build=$work/build
app_pid=""
stub_pid=""

cleanup() {
  if [ -n "$app_pid" ]; then kill -9 "$app_pid" 2>/dev/null || true; fi
  if [ -n "$stub_pid" ]; then kill "$stub_pid" 2>/dev/null || true; fi
  if command -v redis-cli >/dev/null; then
    redis-cli -u "$redis_url" --scan --pattern "$prefix:*" 2>/dev/null | xargs -r redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "check-image-recipe: FAIL: $*" >&2
  for log in "$work/app.log" "$work/stub.log"; do
    if [ -s "$log" ]; then
      echo "--- last lines of $(basename "$log"):" >&2
      tail -n 30 "$log" >&2
    fi
  done
  exit 1
}
step() { echo "== image recipe: $*"; }

# Reads the Dockerfile (continuation lines joined, comments dropped). The final stage is the last
# FROM; the build stage is the one it copies from. Subcommands:
#   copies STAGE sources of every COPY without --from in STAGE (build or final), one per line
#                (destination must mirror them)
#   copies-from  the final stage's COPY --from=<build stage>: "<source relative to the build
#                stage's WORKDIR>\t<destination relative to the final WORKDIR>", one per line
#   npm-steps    the build stage's `npm …` commands (RUN lines split at &&), one per line, in
#                order; `npm cache …` is left out (it would empty this machine's npm cache)
#   cmd          the last CMD (exec form), NUL-separated
#   healthcheck  the HEALTHCHECK command (exec form), NUL-separated
#   user         the last USER
#   env NAME     the value an ENV instruction gives NAME
cat >"$work/dockerfile.mjs" <<'EOF'
import { readFileSync } from 'node:fs';
const [what, file, name] = process.argv.slice(2);
const instructions = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => !line.trim().startsWith('#'))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter(Boolean)
  .map((line) => {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line);
    return { op: op.toUpperCase(), rest };
  });
const stages = [];
for (const instruction of instructions) {
  if (instruction.op === 'FROM') stages.push({ name: /\sAS\s+(\S+)$/i.exec(instruction.rest)?.[1], instructions: [] });
  stages.at(-1)?.instructions.push(instruction);
}
const final = stages.at(-1)?.instructions ?? [];
const all = (op, within = instructions) => within.filter((i) => i.op === op);
const workdir = (within) => all('WORKDIR', within).at(-1)?.rest.replace(/\/$/, '') ?? '/';
const copyWords = (rest) => rest.split(/\s+/);
const fromStages = [...new Set(all('COPY', final).map((i) => /--from=(\S+)/.exec(i.rest)?.[1]).filter(Boolean))];
const die = (message) => {
  process.stderr.write(`Dockerfile: ${message}\n`);
  process.exit(1);
};
/** The one stage the final stage copies from. */
const buildStage = () => {
  if (fromStages.length !== 1) die(`the final stage must copy from exactly one build stage (found: ${fromStages.join(', ') || 'none'})`);
  return stages.find((stage) => stage.name === fromStages[0]) ?? die(`no stage named ${fromStages[0]}`);
};
const execForm = (text, where) => {
  try {
    const args = JSON.parse(text);
    if (Array.isArray(args) && args.length > 0 && args.every((a) => typeof a === 'string')) return args;
  } catch {
    // reported below
  }
  return die(`${where} must use the exec form ["…", …]`);
};
switch (what) {
  case 'copies': {
    const stage = name === 'final' ? final : name === 'build' ? buildStage().instructions : die('copies: build or final');
    for (const { rest } of all('COPY', stage)) {
      const words = copyWords(rest);
      if (words.some((w) => w.startsWith('--from'))) continue;
      const paths = words.filter((w) => !w.startsWith('--'));
      const dest = paths.pop().replace(/^\.\//, '').replace(/\/$/, '');
      for (const source of paths) {
        const src = source.replace(/^\.\//, '').replace(/\/$/, '');
        if (dest !== '' && dest !== '.' && dest !== src) die(`COPY ${rest}: only "COPY <path> ./" or "COPY <path> ./<path>" can be replayed`);
        console.log(src);
      }
    }
    break;
  }
  case 'copies-from': {
    const from = buildStage();
    const base = `${workdir(from.instructions)}/`;
    for (const { rest } of all('COPY', final)) {
      const words = copyWords(rest);
      if (!words.some((w) => w.startsWith('--from'))) continue;
      const paths = words.filter((w) => !w.startsWith('--'));
      if (paths.length !== 2 || !paths[0].startsWith(base)) die(`COPY ${rest}: only "COPY --from=${from.name} ${base}<path> ./<path>" can be replayed`);
      console.log(`${paths[0].slice(base.length).replace(/\/$/, '')}\t${paths[1].replace(/^\.\//, '').replace(/\/$/, '')}`);
    }
    break;
  }
  case 'npm-steps': {
    const steps = all('RUN', buildStage().instructions)
      .flatMap((i) => i.rest.split('&&'))
      .map((command) => command.trim())
      .filter((command) => /^npm\s/.test(command) && !/^npm\s+cache\b/.test(command));
    if (!steps.some((command) => /^npm\s+ci\b/.test(command))) die('the build stage has no RUN npm ci');
    console.log(steps.join('\n'));
    break;
  }
  case 'cmd': {
    const cmd = all('CMD', final).at(-1);
    if (cmd === undefined) die('no CMD');
    process.stdout.write(execForm(cmd.rest, 'CMD').join('\0'));
    break;
  }
  case 'healthcheck': {
    const check = all('HEALTHCHECK').at(-1);
    const at = check?.rest.indexOf('CMD ') ?? -1;
    if (at === -1) die('no HEALTHCHECK … CMD');
    process.stdout.write(execForm(check.rest.slice(at + 4).trim(), 'HEALTHCHECK CMD').join('\0'));
    break;
  }
  case 'user': {
    console.log(all('USER').at(-1)?.rest ?? '');
    break;
  }
  case 'env': {
    let value = '';
    for (const { rest } of all('ENV')) {
      for (const [, key, v] of rest.matchAll(/(\w+)=("[^"]*"|\S*)/g)) if (key === name) value = v.replace(/^"|"$/g, '');
    }
    console.log(value);
    break;
  }
  default:
    die(`unknown question ${what}`);
}
EOF
dockerfile_says() { node "$work/dockerfile.mjs" "$1" "$dockerfile" "${2:-}"; }

step "Dockerfile sanity checks"
[ -f "$dockerfile" ] || fail "no Dockerfile"
[ -f "$root/.dockerignore" ] || fail "no .dockerignore"
grep -qx '\.env' "$root/.dockerignore" || fail ".dockerignore must keep .env out of the build context"
user=$(dockerfile_says user)
user_name=${user%%:*}
case "$user_name" in
  "" | root | 0) fail "the final stage must switch to a non-root USER (found: '${user:-none}')" ;;
esac
mapfile -t npm_steps < <(dockerfile_says npm-steps)
[ "${#npm_steps[@]}" -gt 0 ] || fail "cannot read the build stage's npm commands"
[[ " ${npm_steps[*]} " == *" --omit=dev "* ]] || fail "the image must keep production dependencies only (npm prune --omit=dev or npm ci --omit=dev), found: ${npm_steps[*]}"
mapfile -d '' -t health < <(dockerfile_says healthcheck)
[ "${#health[@]}" -gt 0 ] || fail "cannot read HEALTHCHECK"
[[ "${health[*]}" == *"/healthz"* ]] || fail "HEALTHCHECK must ask /healthz"
mapfile -d '' -t cmd < <(dockerfile_says cmd)
[ "${#cmd[@]}" -gt 0 ] || fail "cannot read CMD"
[[ " ${cmd[*]} " != *tsx* && " ${cmd[*]} " != *.ts\ * ]] || fail "CMD must run the compiled JavaScript with plain node, found: ${cmd[*]}"
database_path=$(dockerfile_says env DATABASE_PATH)
[[ "$database_path" == /app/data/* ]] || fail "ENV DATABASE_PATH must point into the /app/data volume (found: '$database_path')"
grep -Eq '^VOLUME +\[?"?/app/data' "$dockerfile" || fail "/app/data must be a VOLUME"
echo "user=$user; build: $(IFS='; '; echo "${npm_steps[*]}"); start: ${cmd[*]}"

# What `docker build .` sees: the working tree's files, tracked or not, minus what git ignores.
context_files() { git -C "$root" ls-files -z --cached --others --exclude-standard -- "$@"; }
# Copies the context's files under the paths $2… into folder $1.
copy_context() {
  local into=$1 source
  shift
  for source in "$@"; do
    [ -n "$(context_files "$source" | tr -d '\0')" ] || fail "COPY $source: no file there"
  done
  mkdir -p "$into"
  context_files "$@" | while IFS= read -r -d '' file; do
    if [ -e "$root/$file" ]; then printf '%s\0' "$file"; fi
  done | tar -C "$root" --null -T - -cf - | tar -C "$into" -xf -
}

step "build stage: clean copy of what it copies"
mapfile -t sources < <(dockerfile_says copies build)
[ "${#sources[@]}" -gt 0 ] || fail "no COPY found in the build stage"
copy_context "$build" "${sources[@]}"
echo "${#sources[@]} COPY sources, $(find "$build" -type f | wc -l) files"

step "build stage: $(IFS='; '; echo "${npm_steps[*]}")"
# better-sqlite3's install runs prebuild-install, which in the image fetches a prebuilt binary
# from GitHub. This machine cannot reach GitHub, so node-gyp would compile SQLite (2-3 minutes).
# When this checkout holds a binary built from the locked version (the `npm ci` before this
# check built it), hand it to prebuild-install as a local prebuild: the install takes the same
# prebuilt path as in the image. Otherwise it compiles from source, as the image's fallback does.
if prebuild=$(node -e '
  const { existsSync, readFileSync } = require("node:fs");
  const root = process.argv[1];
  const locked = JSON.parse(readFileSync(`${root}/package-lock.json`, "utf8")).packages["node_modules/better-sqlite3"]?.version;
  const dir = `${root}/node_modules/better-sqlite3`;
  const built = existsSync(`${dir}/build/Release/better_sqlite3.node`) && JSON.parse(readFileSync(`${dir}/package.json`, "utf8")).version;
  const glibc = process.report.getReport().header.glibcVersionRuntime !== undefined;
  if (locked === undefined || built !== locked || !glibc) process.exit(1);
  console.log(`better-sqlite3-v${locked}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
' "$root"); then
  mkdir -p "$work/prebuilds"
  tar -C "$root/node_modules/better-sqlite3" -czf "$work/prebuilds/$prebuild" build/Release/better_sqlite3.node
  # prebuild-install reads npm_config_<package>_local_prebuilds (npm may warn about an unknown config).
  export npm_config_better_sqlite3_local_prebuilds=$work/prebuilds
  echo "better-sqlite3: local prebuild $prebuild from this checkout"
else
  echo "better-sqlite3: no matching binary in this checkout, compiling from source"
fi
for npm_step in "${npm_steps[@]}"; do
  started=$SECONDS
  # node-gyp compiles better-sqlite3 when no prebuilt binary fits: use every core.
  (cd "$build" && JOBS=max $npm_step >"$work/npm.log" 2>&1) || {
    tail -n 40 "$work/npm.log" >&2
    fail "$npm_step failed on the committed package-lock.json"
  }
  echo "$npm_step: $((SECONDS - started)) s"
done
for dev in typescript vitest eslint drizzle-kit tsx esbuild; do
  [ ! -e "$build/node_modules/$dev" ] || fail "$dev (a devDependency) is still in the build stage's node_modules"
done

step "final stage: what it copies from the build stage and the context"
mkdir -p "$app"
while IFS=$'\t' read -r from to; do
  [ -e "$build/$from" ] || fail "COPY --from: the build stage has no $from"
  mkdir -p "$(dirname "$app/$to")"
  cp -a "$build/$from" "$app/$to"
done < <(dockerfile_says copies-from)
mapfile -t final_sources < <(dockerfile_says copies final)
if [ "${#final_sources[@]}" -gt 0 ]; then copy_context "$app" "${final_sources[@]}"; fi
echo "$(find "$app" -type f | wc -l) files"

step "stub Slack Web API and Telegram Bot API"
cat >"$work/stub.mjs" <<'EOF'
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
// Answers what Repka calls at start: Slack auth.test, Telegram setWebhook (and getMe for polling).
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const slack = /^\/api\/([\w.]+)$/.exec(path)?.[1];
    const telegram = /^\/bot[^/]+\/(\w+)$/.exec(path)?.[1];
    let body;
    if (slack !== undefined) {
      body = slack === 'auth.test' ? { ok: true, url: 'https://stub.slack.com/', team: 'Stub', team_id: 'T0STUB', user: 'repka', user_id: 'U0REPKA', bot_id: 'B0REPKA' } : { ok: true };
    } else if (telegram !== undefined) {
      body = { ok: true, result: telegram === 'getMe' ? { id: 42, is_bot: true, first_name: 'Repka', username: 'repka_bot' } : true };
    } else {
      res.writeHead(404).end();
      return;
    }
    console.log(slack !== undefined ? `slack ${slack}` : `telegram ${telegram}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
});
server.listen(0, '127.0.0.1', () => writeFileSync(process.argv[2], String(server.address().port)));
EOF
node "$work/stub.mjs" "$work/stub.port" >"$work/stub.log" 2>&1 &
stub_pid=$!
for _ in $(seq 1 50); do [ -s "$work/stub.port" ] && break; sleep 0.1; done
[ -s "$work/stub.port" ] || fail "the stub did not start"
stub="http://127.0.0.1:$(cat "$work/stub.port")"

step "start: ${cmd[*]}"
: >"$work/app.log"
(
  cd "$app"
  exec env -i PATH="$PATH" HOME="$work" NODE_ENV=production PORT=0 \
    DATABASE_PATH="$work/data/repka.sqlite" REDIS_URL="$redis_url" QUEUE_PREFIX="$prefix" \
    SLACK_BOT_TOKEN=xoxb-image-check SLACK_SIGNING_SECRET=image-check-signing-secret \
    SLACK_API_URL="$stub/api/" SLACK_SUPPORT_CHANNEL=C0SUPPORT \
    TELEGRAM_BOT_TOKEN=123456:image-check TELEGRAM_API_ROOT="$stub" \
    TELEGRAM_WEBHOOK_URL=https://repka.example/telegram/webhook TELEGRAM_WEBHOOK_SECRET=image-check-secret \
    "${cmd[@]}"
) >"$work/app.log" 2>&1 &
app_pid=$!
port=""
for _ in $(seq 1 300); do
  kill -0 "$app_pid" 2>/dev/null || fail "the app exited during start"
  port=$(grep '"msg":"repka started"' "$work/app.log" | sed -n 's/.*"port":\([0-9]*\).*/\1/p' | head -n 1 || true)
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || fail "the app did not log 'repka started' within 60 s"
grep -q '^slack auth.test$' "$work/stub.log" || fail "the app started without calling Slack auth.test on the stub"
grep -q '^telegram setWebhook$' "$work/stub.log" || fail "the app started without calling Telegram setWebhook on the stub"
[ -f "$work/data/repka.sqlite" ] || fail "no SQLite file at DATABASE_PATH"

step "GET /healthz on port $port"
health_answer=$(node -e "
  fetch('http://127.0.0.1:$port/healthz').then(async (r) => console.log(r.status, await r.text()), (e) => console.log('error', e.message));
")
echo "$health_answer"
[[ "$health_answer" == '200 {"status":"ok"'* ]] || fail "/healthz answered: $health_answer"
(cd "$app" && env PORT="$port" "${health[@]}") || fail "the Dockerfile's HEALTHCHECK failed against a healthy app"
if (cd "$app" && env PORT=1 "${health[@]}") 2>/dev/null; then fail "the Dockerfile's HEALTHCHECK passed with nothing listening"; fi

step "SIGTERM"
kill -TERM "$app_pid"
for _ in $(seq 1 150); do
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$app_pid" 2>/dev/null && fail "the app was still running 30 s after SIGTERM"
code=0
wait "$app_pid" || code=$?
app_pid=""
[ "$code" -eq 0 ] || fail "the app exited with $code after SIGTERM"
grep -q '"msg":"stopping"' "$work/app.log" || fail "the app did not log its graceful stop"
echo "== image recipe: OK (exit code 0 after SIGTERM)"
