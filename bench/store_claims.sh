#!/usr/bin/env bash
# Benchmark of the job store: claims per second with THREADS concurrent workers (each: claim,
# complete) on PostgreSQL (a throwaway server, fsync off and on) and on SQLite (WAL,
# synchronous=FULL). ROUNDS interleaved rounds; the median round is reported. Target: >= 500
# claims/s on PostgreSQL. Appends the figures and the command to docs/benchmarks.md.
#   BUILD_DIR=build bash bench/store_claims.sh      (make bench-store)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"
BENCH="$BUILD_DIR/bench_store_claims"
ROUNDS="${ROUNDS:-3}"
JOB_COUNT="${JOB_COUNT:-4000}"
THREADS="${THREADS:-8}"
[[ -x "$BENCH" ]] || { echo "build bench_store_claims first (make bench-store)" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
CONFIGS=("postgresql off" "postgresql on" "sqlite off")
for round in $(seq 1 "$ROUNDS"); do
  for config in "${CONFIGS[@]}"; do
    read -r engine fsync <<<"$config"
    echo "round $round: $engine (fsync $fsync)..." >&2
    "$BENCH" --engine "$engine" --fsync "$fsync" --jobs "$JOB_COUNT" --threads "$THREADS" \
      >>"$WORK/runs.jsonl"
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$WORK/runs.jsonl" "$REPO/docs/benchmarks.md" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$ROUNDS" "$JOB_COUNT" "$THREADS" \
    "$LOAD_BEFORE" "$LOAD_AFTER" \
    "$(/usr/lib/postgresql/*/bin/postgres --version 2>/dev/null | tail -1 | awk '{print $3}')" <<'PY'
import datetime, json, sys
runs_path, doc, cores, cpu, rounds, jobs, threads, load_before, load_after, pg_v = sys.argv[1:11]
runs = [json.loads(line) for line in open(runs_path)]
sqlite_v = runs[0]["sqlite_version"]
groups = {}
for run in runs:
    groups.setdefault((run["engine"], run["fsync"]), []).append(run)
rows = []
pg_median = None
for (engine, fsync), group in groups.items():
    group.sort(key=lambda r: r["claims_per_s"])
    median = group[len(group) // 2]
    if engine == "postgresql" and fsync == "off":
        pg_median = median["claims_per_s"]
    label = {"postgresql": "PostgreSQL %s, fsync %s" % (pg_v, fsync),
             "sqlite": "SQLite %s, WAL, synchronous=FULL" % sqlite_v}[engine]
    rows.append("| %s | **%.0f** | %s | %.2f | %.2f | %.0f |" % (
        label, median["claims_per_s"], " ".join("%.0f" % r["claims_per_s"] for r in group),
        median["claim_p50_ms"], median["claim_p99_ms"], median["enqueue_per_s"]))
verdict = "met" if pg_median is not None and pg_median >= 500 else "missed"
text = ["", "## Job store: claims per second (%s)" % datetime.date.today(), "",
        "Command: `make bench-store` (= `BUILD_DIR=build bash bench/store_claims.sh`, ROUNDS=%s): "
        "`bench_store_claims --engine E --fsync F --jobs %s --threads %s` enqueues %s jobs, then %s "
        "worker threads sharing one JobStore (PostgreSQL: a pool of %s connections) each loop "
        "Claim -> Complete until the queue is empty; claims/s = jobs / drain time. PostgreSQL is a "
        "throwaway local server (TCP 127.0.0.1, `src/store/testing_postgres.h`), SQLite a "
        "file in $TMPDIR. Machine: %s cores, %s; load %s before, %s after." % (
            rounds, jobs, threads, jobs, threads, threads, cores, cpu, load_before, load_after),
        "", "| store | claims/s (median) | per round | claim p50 (ms) | claim p99 (ms) | enqueue/s |",
        "|---|---|---|---|---|---|"]
text += rows
text += ["", "Target >= 500 claims/s on PostgreSQL (fsync off): **%s** (%.0f)." % (verdict, pg_median or 0)]
print("\n".join(text))
with open(doc, "a") as out:
    out.write("\n".join(text) + "\n")
PY
