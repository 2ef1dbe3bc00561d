#!/usr/bin/env bash
# Marquee's load benchmark. One command:
#
#   bench/run.sh                      # SQLite (a fresh file under target/bench/)
#   bench/run.sh postgres://postgres@127.0.0.1:5432/marquee_bench   # the same on PostgreSQL
#
# It builds the release binary, seeds 100,000 posts, starts the server, installs wrk if
# missing, warms up, runs a fixed-duration load at 32 connections against each page, stops the
# server, prints a table and writes target/bench/results.json. BENCH_DURATION (seconds per
# page, default 10) and BENCH_CONNECTIONS (default 32) change the load.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18080}
OUT=target/bench
BIN=target/release/marquee
BASE="http://127.0.0.1:$PORT"

log() { printf '==> %s\n' "$*" >&2; }

log "building the release binary"
cargo build --release --quiet

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; fi
fi

rm -rf "$OUT" && mkdir -p "$OUT"
if [ $# -ge 1 ]; then
  export DATABASE_URL="$1"
  BACKEND=postgres
  log "resetting $BACKEND"
  "$BIN" --log-level warn migrate fresh >/dev/null
else
  export DATABASE_URL="sqlite://$OUT/bench.db?mode=rwc"
  BACKEND=sqlite
fi
export MARQUEE_LOG=warn
export MARQUEE_SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 48)"

log "seeding 100,000 posts ($BACKEND)"
SEED_START=$(date +%s.%N)
"$BIN" seed --scale 100000 >"$OUT/seed.log" 2>/dev/null
SEED_SECONDS=$(python3 -c "import time; print(round(time.time() - $SEED_START, 1))")
DEMO_PASSWORD=$(sed -n 's/.*demo accounts (.*): password \(.*\)$/\1/p' "$OUT/seed.log")

log "starting the server"
START=$(date +%s%N)
MARQUEE_BIND="127.0.0.1:$PORT" "$BIN" serve >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "$BASE/healthz" >/dev/null; do
  if ! kill -0 $SERVER 2>/dev/null; then cat "$OUT/server.log" >&2; exit 1; fi
  sleep 0.005
done
READY_MS=$(( ($(date +%s%N) - START) / 1000000 ))

# A session with a CSRF token for the login POST.
curl -s -c "$OUT/cookies" "$BASE/login" >"$OUT/login.html"
TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$OUT/login.html" | head -n 1)
COOKIE=$(awk '$6 == "marquee_session" { print $7 }' "$OUT/cookies")
cat >"$OUT/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "csrf_token=$TOKEN&login=ada&password=$DEMO_PASSWORD"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "marquee_session=$COOKIE"
LUA

MOVIE_ID=$(curl -s "$BASE/movies?sort=year" | sed -n 's/.*class="movie-title"><a href="\/movies\/\([0-9]*\)".*/\1/p' | head -n 1)
declare -a NAMES=(healthz home posts_page_500 post movies_filtered movie login)
declare -A PATHS=(
  [healthz]="/healthz"
  [home]="/"
  [posts_page_500]="/posts?page=500"
  [post]="/posts/scale-post-0004242"
  [movies_filtered]="/movies?mpa=PG&mpa=R&year_from=1970&year_to=2009&sort=rating"
  [movie]="/movies/$MOVIE_ID"
  [login]="/login"
)

statements() { curl -s "$BASE/metrics" | awk '/^marquee_sql_statements_total/ { print $2 }'; }

run() { # run NAME SECONDS CONNECTIONS
  local name=$1 seconds=$2 connections=$3 script=()
  [ "$name" = login ] && script=(-s "$OUT/login.lua")
  wrk -t1 -c"$connections" -d"${seconds}s" --latency "${script[@]}" "$BASE${PATHS[$name]}"
}

log "warming up"
for name in "${NAMES[@]}"; do run "$name" 1 8 >/dev/null; done

one_request() { # one request of NAME, for an exact statement count
  if [ "$1" = login ]; then
    curl -s -o /dev/null -H "Cookie: marquee_session=$COOKIE" \
      --data "csrf_token=$TOKEN&login=ada&password=$DEMO_PASSWORD" "$BASE/login"
  else
    curl -s -o /dev/null "$BASE${PATHS[$1]}"
  fi
}

for name in "${NAMES[@]}"; do
  log "load: $name (${PATHS[$name]}), ${DURATION}s at $CONNECTIONS connections"
  run "$name" "$DURATION" "$CONNECTIONS" >"$OUT/$name.txt"
  sleep 1.5
  before=$(statements)
  one_request "$name"
  echo "statements $(( $(statements) - before ))" >>"$OUT/$name.txt"
done

log "load: home while logins run"
run login "$DURATION" 4 >"$OUT/login_background.txt" &
BACKGROUND=$!
sleep 1
run home $(( DURATION - 2 > 1 ? DURATION - 2 : 1 )) "$CONNECTIONS" >"$OUT/home_during_logins.txt"
wait $BACKGROUND

log "raw argon2 verify rate (the login reference)"
PERMITS=$(python3 -c "import os; print(max(1, (os.cpu_count() or 1) // 2))")
ARGON2=$("$BIN" bench-argon2 --seconds 5 --threads "$PERMITS")

PEAK_RSS_KB=$(awk '/VmHWM/ { print $2 }' /proc/$SERVER/status)
kill $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

python3 bench/report.py "$OUT" \
  --backend "$BACKEND" --ready-ms "$READY_MS" --peak-rss-kb "$PEAK_RSS_KB" \
  --argon2 "$ARGON2" --argon2-threads "$PERMITS" --seed-seconds "$SEED_SECONDS" \
  --duration "$DURATION" --connections "$CONNECTIONS"
