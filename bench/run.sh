#!/usr/bin/env bash
# Marquee's load benchmark. One command:
#
#   bench/run.sh                      # SQLite (a fresh file under target/bench/)
#   bench/run.sh postgres://postgres@127.0.0.1:5432/marquee_bench   # the same on PostgreSQL
#
# It builds the release binary, seeds 100,000 posts, and measures at 32 connections:
# - random access, as real traffic is: post pages drawn at random from all published posts;
#   list pages (all posts, tag, category, author, search) at random depths, reached through the
#   "Older" links the pages themselves offer (crawled first); movie lists with random filters,
#   facets and sorts; movie pages at random;
# - hot pages (home, /posts, /movies, one popular post) separately;
# - every page twice, with the content cache on and off (MARQUEE_CACHE=off), so the data path
#   itself is measured; the first list page against the page at depth 5,000;
# - statements per request, p50/p99, errors, peak RSS, start-up time and the login figures.
# It prints a table and writes target/bench/results.json (or target/bench-postgres/).
# BENCH_DURATION (seconds per page, default 10) and BENCH_CONNECTIONS (default 32) change the
# load. Every request goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18080}
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

if [ $# -ge 1 ]; then
  export DATABASE_URL="$1"
  BACKEND=postgres
  OUT=target/bench-postgres
  rm -rf "$OUT" && mkdir -p "$OUT"
  log "resetting $BACKEND"
  "$BIN" migrate fresh --log-level warn >/dev/null
else
  OUT=target/bench
  rm -rf "$OUT" && mkdir -p "$OUT"
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

SERVER=
start_server() { # start_server on|off
  local start
  start=$(date +%s%N)
  MARQUEE_CACHE=$1 MARQUEE_BIND="127.0.0.1:$PORT" "$BIN" serve >"$OUT/server-cache-$1.log" 2>&1 &
  SERVER=$!
  until curl -sf "$BASE/healthz" >/dev/null; do
    if ! kill -0 "$SERVER" 2>/dev/null; then cat "$OUT/server-cache-$1.log" >&2; exit 1; fi
    sleep 0.005
  done
  READY_MS=$(( ($(date +%s%N) - start) / 1000000 ))
}
stop_server() {
  PEAK=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER/status")
  PEAK_RSS_KB=$(( PEAK > ${PEAK_RSS_KB:-0} ? PEAK : ${PEAK_RSS_KB:-0} ))
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
}
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null || true' EXIT

start_server on
log "collecting URLs: every published post, list pages to depth 5,000 through their own links"
python3 bench/urls.py "$BASE" "$OUT" "$DATABASE_URL"

# Random URL from a file (one a line), per request.
cat >"$OUT/random.lua" <<'LUA'
local urls = {}
init = function(args)
  for line in io.lines(args[1]) do urls[#urls + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", urls[math.random(#urls)])
end
LUA

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

# A member's session (ada: the demo data's ratings give her "For you"), signed in once from a
# session of its own, for the pages that differ per member.
curl -s -c "$OUT/member_cookies" "$BASE/login" >"$OUT/member_login.html"
MEMBER_TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$OUT/member_login.html" | head -n 1)
curl -s -b "$OUT/member_cookies" -c "$OUT/member_cookies" -o /dev/null \
  --data-urlencode "csrf_token=$MEMBER_TOKEN" --data-urlencode "login=ada" \
  --data-urlencode "password=$DEMO_PASSWORD" "$BASE/login"
MEMBER_COOKIE=$(awk '$6 == "marquee_session" { print $7 }' "$OUT/member_cookies")
cat >"$OUT/member.lua" <<LUA
wrk.headers["Cookie"] = "marquee_session=$MEMBER_COOKIE"
LUA

POPULAR=$(head -n 1 "$OUT/posts.txt")
# A poster the movie list shows: the picture case (its card size).
IMAGE=$(curl -s "$BASE/movies" | grep -o '/media/[0-9a-f]\{64\}/' | head -n 1)card
declare -A FIXED=(
  [healthz]="/healthz" [home]="/" [posts]="/posts" [movies]="/movies" [popular_post]="$POPULAR"
  [image]="$IMAGE"
  [list_first]="/posts" [list_deep]="$(cat "$OUT/deep.txt")"
  [home_member]="/"
)
declare -A POOLS=(
  [random_post]="$OUT/posts.txt" [random_list]="$OUT/lists.txt"
  [random_movie_list]="$OUT/movie_lists.txt" [random_movie]="$OUT/movie_pages.txt"
  [random_search]="$OUT/searches.txt"
)

statements() { curl -s "$BASE/metrics" | awk '/^marquee_sql_statements_total/ { print $2 }'; }
# The server's CPU time so far (user + system, in clock ticks): read around each load, it gives
# the server's CPU per request, which leaves out the load generator's share of the two cores
# (a slowed host still moves it: a second view beside requests/s, not a steady measure).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
CLK_TCK=$(getconf CLK_TCK)

run() { # run NAME CACHE SECONDS CONNECTIONS
  local name=$1 cache=$2 seconds=$3 connections=$4 file="$OUT/$1.cache-$2.txt"
  local ticks; ticks=$(cpu_ticks)
  local cookie=()
  if [ -n "${POOLS[$name]:-}" ]; then
    wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$OUT/random.lua" "$BASE/" -- "${POOLS[$name]}" >"$file"
    local sample; sample=$(sed -n '7p' "${POOLS[$name]}")
  elif [ "$name" = home_member ]; then
    wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$OUT/member.lua" "$BASE${FIXED[$name]}" >"$file"
    local sample="${FIXED[$name]}"
    cookie=(-H "Cookie: marquee_session=$MEMBER_COOKIE")
  else
    wrk -t1 -c"$connections" -d"${seconds}s" --latency "$BASE${FIXED[$name]}" >"$file"
    local sample="${FIXED[$name]}"
  fi
  echo "server_cpu_ticks $(( $(cpu_ticks) - ticks )) $CLK_TCK" >>"$file"
  sleep 1
  # Statements of one request after the load (exact: nothing else runs), on a cold URL for
  # the random pools.
  local before; before=$(statements)
  curl -s -o /dev/null "${cookie[@]}" "$BASE$sample"
  echo "statements $(( $(statements) - before ))" >>"$file"
}

measure() { # measure CACHE NAME...
  local cache=$1; shift
  for name in "$@"; do run "$name" "$cache" 1 8 >/dev/null; done
  for name in "$@"; do
    log "load (cache $cache): $name, ${DURATION}s at $CONNECTIONS connections"
    run "$name" "$cache" "$DURATION" "$CONNECTIONS"
  done
}

FIRST_READY_MS=$READY_MS
measure on healthz home posts movies popular_post image random_post random_list random_movie_list random_movie random_search home_member

log "load: home while logins run"
wrk -t1 -c4 -d"${DURATION}s" --latency -s "$OUT/login.lua" "$BASE/login" >"$OUT/login_background.txt" &
BACKGROUND=$!
sleep 1
wrk -t1 -c"$CONNECTIONS" -d"$(( DURATION - 2 > 1 ? DURATION - 2 : 1 ))s" --latency "$BASE/" >"$OUT/home_during_logins.txt"
wait $BACKGROUND
# Four at a time: the throttle lets at most five attempts for one account from one address be
# in flight at once (they are counted before the password is checked).
log "load: logins alone, 4 connections"
wrk -t1 -c4 -d"${DURATION}s" --latency -s "$OUT/login.lua" "$BASE/login" >"$OUT/login.txt"

log "raw argon2 verify rate (the login reference)"
PERMITS=$(python3 -c "import os; print(max(1, (os.cpu_count() or 1) // 2))")
ARGON2=$("$BIN" bench-argon2 --seconds 5 --threads "$PERMITS")
stop_server

start_server off
measure off healthz home posts movies popular_post image random_post random_list list_first list_deep random_movie_list random_movie random_search home_member
stop_server
trap - EXIT

python3 bench/report.py "$OUT" \
  --backend "$BACKEND" --ready-ms "$FIRST_READY_MS" --peak-rss-kb "$PEAK_RSS_KB" \
  --argon2 "$ARGON2" --argon2-threads "$PERMITS" --seed-seconds "$SEED_SECONDS" \
  --duration "$DURATION" --connections "$CONNECTIONS"
