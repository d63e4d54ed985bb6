#!/usr/bin/env bash
# Benchmark (issue 15): the dashboard with 1,000 stored jobs. One real review of the example zoo's
# good submission is made by `zooci serve`; its stored row is copied to 1,000 jobs (verdicts and
# states mixed) in the SQLite store; then a coordinator without workers serves them:
#   - time to first byte of the overview (/) and of a job page (/jobs/N), 200 requests each with
#     curl, one at a time (median, p95);
#   - full load in Chromium (navigation responseStart and loadEventEnd, 20 loads each);
#   - page weight (bytes of HTML; the pages load nothing else but /static/zooci.js on running
#     jobs' pages).
# Goal: under 100 ms to first byte and under 200 KB per page. Appends a section to
# docs/benchmarks.md.
#   bash bench/dashboard_pages.sh          (make bench-dashboard)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"; BUILD="${BUILD_DIR:-build}"
ZOO="$REPO/examples/zoo"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zooci-dashboard-bench.XXXXXX")"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; [[ -n "${ZOOCI_BENCH_KEEP:-}" ]] || rm -rf "$WORK"' EXIT
cd "$WORK"
export GIT_LFS_SKIP_SMUDGE=1
echo secret > secret; echo ghs_bench > token
"$REPO/$BUILD/fake-github" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl >gh.log 2>&1 &
PIDS+=($!)
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
serve() {  # serve WORKERS: starts a coordinator on data/, sets URL
  rm -f serve.port
  "$REPO/$BUILD/zooci" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
    --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-token-file token \
    --data-dir data --workers "$1" >>serve.log 2>&1 &
  SERVE_PID=$!
  PIDS+=($SERVE_PID)
  for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
  URL="http://127.0.0.1:$(cat serve.port)"
}

# One real review.
serve 1
/usr/bin/python3 "$REPO/tests/lib/pr_event.py" pr.json opened 1 submission/good "$ZOO"
sig="sha256=$(openssl dgst -sha256 -hmac secret -r pr.json | cut -d' ' -f1)"
curl -fsS -o /dev/null -X POST "$URL/webhooks/github" -H "X-GitHub-Event: pull_request" \
  -H "X-GitHub-Delivery: bench-1" -H "X-Hub-Signature-256: $sig" --data-binary @pr.json
for i in $(seq 240); do
  curl -fsS "$URL/api/v1/jobs/1" | grep -q '"state":"done"' && break
  sleep 0.5
done
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

# 1,000 jobs: the real row copied, with every 3rd declined, every 50th still running.
sqlite3 data/zooci.db <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO jobs (repo, installation_id, pr_number, head_sha, head_ref, base_ref, base_sha,
  clone_url, trigger_event, delivery_id, state, attempts, max_attempts, lease_expirations,
  lease_owner, lease_expires_ms, result_json, log, error, created_ms, updated_ms, published,
  published_ms, check_run_id, comment_id, superseded_by, enqueue_token, base_clone_url, verdict,
  title)
SELECT repo, installation_id, 1000 + i, head_sha, head_ref || '-' || i, base_ref, base_sha,
  clone_url, trigger_event, 'bench-' || i, CASE WHEN i % 50 = 0 THEN 'running' ELSE 'done' END,
  1, max_attempts, 0, lease_owner, lease_expires_ms, result_json, log, error, created_ms + i,
  updated_ms + i, published, published_ms, check_run_id, comment_id, 0, '', base_clone_url,
  CASE WHEN i % 3 = 0 THEN 'DECLINE' ELSE verdict END, 'Add model number ' || i
FROM jobs, n WHERE jobs.id = 1;
SQL
echo "jobs: $(sqlite3 data/zooci.db 'SELECT COUNT(*) FROM jobs')," \
     "result_json of one: $(sqlite3 data/zooci.db 'SELECT length(result_json) FROM jobs WHERE id = 1') bytes"
serve 0

# TTFB and weight with curl.
measure() {  # measure PATH -> "median_ms p95_ms bytes"
  for i in $(seq 200); do
    curl -s -o /dev/null -w '%{time_starttransfer} %{size_download}\n' "$URL$1"
  done | /usr/bin/python3 -c '
import sys, statistics
rows = [line.split() for line in sys.stdin]
t = sorted(float(r[0]) * 1000 for r in rows)
print(f"{statistics.median(t):.2f} {t[int(len(t) * 0.95)]:.2f} {int(rows[0][1])}")'
}
read -r ov_med ov_p95 ov_bytes <<<"$(measure /)"
read -r job_med job_p95 job_bytes <<<"$(measure /jobs/500)"
read -r model_med model_p95 model_bytes <<<"$(measure /models/example/zoo/validated/vision/classification/digits_v2)"

# Full load in Chromium.
load=$(node "$REPO/bench/dashboard_load.mjs" "$REPO/tests/browser/node_modules/playwright-core/index.mjs" \
  "$URL" / /jobs/500 /models/example/zoo/validated/vision/classification/digits_v2)
echo "$load"

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
{
  echo
  echo "## Dashboard pages with 1,000 stored jobs ($(date -u +%Y-%m-%d), issue 15)"
  echo
  echo "\`make bench-dashboard\` (bench/dashboard_pages.sh): one real review of the example zoo's good"
  echo "submission copied to 1,000 jobs in SQLite (every 3rd declined, every 50th running); a"
  echo "coordinator without workers; $(nproc) cores ($cpu). curl: 200 sequential requests per page;"
  echo "Chromium ($(chromium --version 2>/dev/null | head -1)): 20 loads per page, headless."
  echo
  echo "| page | TTFB median (curl) | TTFB p95 (curl) | Chromium responseStart median | Chromium load median | weight |"
  echo "|---|---|---|---|---|---|"
  echo "$load" | /usr/bin/python3 -c '
import json, sys
load = json.loads(sys.stdin.read())
rows = {"/": sys.argv[1:4], "/jobs/500": sys.argv[4:7], "/models/example/zoo/validated/vision/classification/digits_v2": sys.argv[7:10]}
names = {"/": "overview `/` (50 jobs a page)", "/jobs/500": "job page `/jobs/500`", "/models/example/zoo/validated/vision/classification/digits_v2": "model page (100 newest reviews)"}
for path, (med, p95, size) in rows.items():
    start, full = load[path]["response_start_ms"], load[path]["load_ms"]
    print(f"| {names[path]} | {med} ms | {p95} ms | {start:.1f} ms | {full:.1f} ms | {int(size) / 1024:.1f} KB |")
' "$ov_med" "$ov_p95" "$ov_bytes" "$job_med" "$job_p95" "$job_bytes" "$model_med" "$model_p95" "$model_bytes"
  echo
  echo "Goal: under 100 ms to first byte and under 200 KB per page."
} | tee -a "$REPO/docs/benchmarks.md"
