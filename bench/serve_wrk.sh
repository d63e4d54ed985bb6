#!/usr/bin/env bash
# Benchmark (issue 14): wrk (Debian) against POST /webhooks/github with valid signed deliveries
# (each a distinct X-GitHub-Delivery), `zooci serve` on SQLite with no workers (intake only):
# deliveries per second, p50/p99, and every accepted delivery present in the store afterwards.
# Appends a dated section to docs/benchmarks.md.   bash bench/serve_wrk.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"; BUILD="${BUILD_DIR:-build}"; SECONDS_TO_RUN="${1:-10}"; CONNECTIONS="${2:-16}"
command -v wrk >/dev/null || { echo "serve_wrk: wrk not installed (scripts/install-deps.sh)" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zooci-serve-wrk.XXXXXX")"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
echo secret > secret; echo ghs > token
"$REPO/$BUILD/fake-github" --listen 127.0.0.1:0 --port-file gh.port >gh.log 2>&1 &
PIDS+=($!)
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
"$REPO/$BUILD/zooci" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
  --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-token-file token --data-dir data \
  --workers 0 >serve.log 2>&1 &
PIDS+=($!)
for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
cp "$REPO/src/github/testdata/pull_request_opened.json" body.json
echo "sha256=$(openssl dgst -sha256 -hmac secret -r body.json | cut -d' ' -f1)" > signature
result=$(wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_TO_RUN}s" --latency -s "$REPO/bench/serve_wrk.lua" \
  "http://127.0.0.1:$(cat serve.port)" -- "$WORK/body.json" "$WORK/signature" | tee wrk.log | grep '^RESULT')
echo "$result"
sleep 1
deliveries=$(sqlite3 data/zooci.db "SELECT count(*) FROM deliveries")
jobs=$(sqlite3 data/zooci.db "SELECT count(*) FROM jobs")
report=$(/usr/bin/python3 - "$result" "$deliveries" "$jobs" "$SECONDS_TO_RUN" "$CONNECTIONS" "$(nproc)" "$(date -u +%Y-%m-%d)" <<'PY'
import sys
result, deliveries, jobs, seconds, connections, cores, date = sys.argv[1:]
f = dict(item.split("=") for item in result.split()[1:])
accepted = int(f["accepted"])
rate = accepted / float(f["seconds"])
print(f"\n### zooci serve: signed webhook deliveries under wrk ({date}, {cores} cores)")
print(f"Command: `make bench-serve-wrk` (= `bash bench/serve_wrk.sh {seconds} {connections}`): wrk 2 threads, "
      f"{connections} connections, {seconds} s, every request a valid signed pull_request delivery with its own "
      "X-GitHub-Delivery; `zooci serve` on SQLite (WAL, synchronous FULL) with no workers, on the same machine.\n")
print("| accepted deliveries | other answers | deliveries/s | p50 | p99 | in the store afterwards |")
print("|---|---|---|---|---|---|")
lost = accepted - int(deliveries)
print(f"| {accepted:,} | {f['other']} | {rate:,.0f} | {float(f['p50_ms']):.1f} ms | {float(f['p99_ms']):.1f} ms | "
      f"{int(deliveries):,} deliveries, {int(jobs):,} jobs ({'none lost' if lost <= 0 else f'{lost} LOST'}) |")
PY
)
echo "$report"
echo "$report" >> "$REPO/docs/benchmarks.md"
