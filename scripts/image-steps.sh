#!/usr/bin/env bash
# The Dockerfile's steps without Docker (no container runtime or image registry on the
# development machines): a clean copy of what the build stage copies → npm ci → npm run build
# → npm prune --omit=dev; then a runtime directory with package.json, node_modules and dist/
# only, owned by root, started as an unprivileged user (uid 65534) with NODE_ENV=production,
# probed as the HEALTHCHECK and an orchestrator would, and stopped with SIGTERM.
#
#   bash scripts/image-steps.sh            (needs Redis at 127.0.0.1:6379; uses DB 9, its own key prefix)
#   IMAGE_STEPS_KEEP=1 keeps the directory; IMAGE_STEPS_BUILT=<kept directory> skips to the
#   runtime stage with that build; IMAGE_STEPS_REDIS_URL overrides Redis.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${IMAGE_STEPS_BUILT:-$(mktemp -d /tmp/musaed-image-XXXXXX)}"
chmod 755 "$WORK"   # the unprivileged user must reach the app directory inside
BUILD="$WORK/build"
APP="$WORK/app"
REDIS_URL="${IMAGE_STEPS_REDIS_URL:-redis://127.0.0.1:6379/9}"
PREFIX="image-steps:$$:"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "${IMAGE_STEPS_KEEP:-}" != 1 ] && [ -z "${IMAGE_STEPS_BUILT:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
now_ms() { date +%s%3N; }
fail() { echo "FAILED: $*" >&2; exit 1; }

if [ -z "${IMAGE_STEPS_BUILT:-}" ]; then
step "build stage: copy what the Dockerfile copies into $BUILD"
mkdir -p "$BUILD"
cd "$ROOT"
cp package.json package-lock.json tsconfig.json tsconfig.build.json "$BUILD/"
for dir in scripts bot dialogs adapters sim locales web; do cp -R "$dir" "$BUILD/$dir"; done
cd "$BUILD"
step "npm ci --no-audit --no-fund"
t=$(now_ms); npm ci --no-audit --no-fund --prefer-offline --loglevel=warn 2>&1 | grep -v "^npm warn ERESOLVE\|^npm warn" || true; [ -d node_modules/botbuilder ] || fail "npm ci failed"; echo "npm ci: $(( $(now_ms) - t )) ms"
step "npm run build"
t=$(now_ms); npm run build --silent; echo "build: $(( $(now_ms) - t )) ms"
step "npm prune --omit=dev"
npm prune --omit=dev --no-audit --no-fund --loglevel=error
# Dev-only packages are gone. (typescript stays: i18next names it as an optional peer.)
for dev in vitest playwright-core autocannon; do [ ! -e "node_modules/$dev" ] || fail "$dev is still installed after the prune"; done

fi

step "runtime stage: package.json, node_modules, dist/ only, owned by root, run as uid 65534"
rm -rf "$APP"; mkdir -p "$APP"
cd "$BUILD"
cp -R package.json node_modules dist "$APP/"
chown -R root:root "$APP" 2>/dev/null || true
chmod -R go-w "$APP"
echo "runtime size: $(du -sh "$APP" | cut -f1) (node_modules $(du -sh "$APP/node_modules" | cut -f1), dist $(du -sh "$APP/dist" | cut -f1))"
# A plain command prefix, not a function: a background function would be a subshell whose
# pid is not node's (the SIGTERM below must reach node itself).
RUN_AS=()
[ "$(id -u)" != 0 ] || RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
SIM_PORT=$(free_port)
PORT=$(free_port)
secret() { node -e "console.log(require('crypto').randomBytes(24).toString('hex'))"; }
OPS_TOKEN=$(secret)

cd "$APP"
step "the services simulator as the shared services API (compose.yaml's services)"
"${RUN_AS[@]}" env NODE_ENV=development SIM_HOST=127.0.0.1 SIM_PORT="$SIM_PORT" LOG_LEVEL=warn node dist/sim/main.js >"$WORK/sim.log" 2>&1 &
pids+=($!)

step "start: node dist/bot/start.js (NODE_ENV=production, as uid 65534)"
t0=$(now_ms)
"${RUN_AS[@]}" env -i PATH="$PATH" HOME=/nonexistent NODE_ENV=production HOST=127.0.0.1 PORT="$PORT" \
  REDIS_URL="$REDIS_URL" REDIS_KEY_PREFIX="$PREFIX" SERVICES_API_URL="http://127.0.0.1:$SIM_PORT" \
  DIRECTLINE_SECRET="$(secret)" CONNECTOR_SECRET="$(secret)" PII_HASH_SECRET="$(secret)" OPS_TOKEN="$OPS_TOKEN" \
  PUBLIC_URL="http://127.0.0.1:$PORT" MESSAGES_ENDPOINT=disabled SHUTDOWN_DRAIN_MS=1500 \
  node dist/bot/start.js >"$WORK/bot.log" 2>&1 &
BOT=$!
pids+=($BOT)
for _ in $(seq 1 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OPS_TOKEN" "http://127.0.0.1:$PORT/readyz" || true)
  [ "$code" = 200 ] && break
  kill -0 "$BOT" 2>/dev/null || { cat "$WORK/bot.log"; fail "the bot exited"; }
  sleep 0.05
done
[ "$code" = 200 ] || { cat "$WORK/bot.log"; fail "/readyz never answered 200"; }
echo "ready (/readyz 200) $(( $(now_ms) - t0 )) ms after start"

step "probes"
echo "/healthz: $(curl -s "http://127.0.0.1:$PORT/healthz")"
echo "/readyz (with OPS_TOKEN): $(curl -s -H "Authorization: Bearer $OPS_TOKEN" "http://127.0.0.1:$PORT/readyz")"
echo "/readyz without the token: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz") (401: OPS_TOKEN required)"
PORT="$PORT" node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" \
  && echo "the Dockerfile's HEALTHCHECK command: exit 0" || fail "HEALTHCHECK command failed"
page=$(curl -s "http://127.0.0.1:$PORT/")
bundle=$(printf '%s' "$page" | grep -o '/webchat/[^"]*webchat.js' | head -1)
[ -n "$bundle" ] || fail "the web chat page names no bundle"
echo "web chat page 200, bundle $bundle: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$bundle")"
grep -q 'understanding model loaded from the build' "$WORK/bot.log" && echo "log: understanding model loaded from the build (not retrained)" || fail "the model was not loaded from the build"
grep -q 'code cache' "$WORK/bot.log" && fail "the bundle's code cache was not used: $(grep 'code cache' "$WORK/bot.log")" || echo "log: the bundle ran with the build's code cache"
"${RUN_AS[@]}" touch "$APP/dist/x" 2>/dev/null && fail "the app user can write to its own files" || echo "the app user cannot write to the app's files"
echo "RSS at ready: $(( $(awk '/VmRSS/ {print $2}' /proc/$BOT/status) / 1024 )) MB"

step "SIGTERM: readiness 503 first, then the server stops listening, exit 0"
kill -TERM "$BOT"
for _ in $(seq 1 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OPS_TOKEN" "http://127.0.0.1:$PORT/readyz" || true)
  [ "$code" = 503 ] && break
  sleep 0.02
done
echo "/readyz after SIGTERM: $code; /healthz: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
[ "$code" = 503 ] || fail "readiness did not turn 503"
set +e; wait "$BOT"; rc=$?; set -e
echo "exit code $rc; /healthz now: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
[ "$rc" = 0 ] || { cat "$WORK/bot.log"; fail "exit code $rc"; }
redis-cli -u "$REDIS_URL" --scan --pattern "${PREFIX}*" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null
step "all image steps passed"
