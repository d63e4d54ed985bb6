#!/usr/bin/env bash
# Benchmark (issue 17): generated-and-compared cases per second of `zooci difftest` over ONNX
# Runtime, OpenCV DNN and the reference (the oracle), for BUDGET seconds per run: once as it runs
# by default (disagreements minimised and written) and once with --no-minimise (generation, check,
# three runs and two comparisons per case only). ROUNDS rounds, interleaved so both variants see
# the same machine state; each run's cases/s and the cores other processes kept busy meanwhile.
# Appends its section to docs/benchmarks.md.
#   bash bench/difftest.sh [BUILD_DIR]   (make bench-difftest; ROUNDS=2 BUDGET=60 SEED=1)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/corpus_timing.sh
BUILD="${1:-build}"
ROUNDS="${ROUNDS:-2}"
BUDGET="${BUDGET:-60}"
SEED="${SEED:-1}"
work="$(mktemp -d "${TMPDIR:-/tmp}/zooci-bench-difftest.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# One run: prints "CASES SECONDS CASES_PER_S CPU_MS DISAGREEMENTS FOREIGN_CORES".
run_once() {
  local variant="$1" json="$work/report.json" result
  rm -rf "$work/out" "$json"
  local flags=(--seed "$SEED" --time-budget "$BUDGET" --out "$work/out" -o "$json")
  [[ $variant == plain ]] && flags+=(--no-minimise)
  round_begin
  time_run result "$BUILD/zooci" difftest "${flags[@]}"
  read -r _ cpu_ms <<<"$result"
  local foreign
  foreign="$(round_foreign "$cpu_ms")"
  /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["run"], "%.1f" % r["duration_s"], "%.1f" % r["cases_per_second"], sys.argv[2],
      r["disagreements"], sys.argv[3])' "$json" "$cpu_ms" "$foreign"
}

load_before="$(load_average)"
declare -A rate=() rows=()
for ((round = 0; round < ROUNDS; round++)); do
  order=(minimise plain)
  ((round % 2)) && order=(plain minimise)
  for variant in "${order[@]}"; do
    read -r cases seconds per_s cpu_ms disagreements foreign <<<"$(run_once "$variant")"
    rate[$variant]+="$per_s "
    rows[$variant]+="| $((round + 1)) | $cases | $seconds | **$per_s** | $(awk -v c="$cpu_ms" -v s="$seconds" 'BEGIN {printf "%.2f", c / 1000 / s}') | $disagreements | $foreign |
"
  done
done
load_after="$(load_average)"
versions="$("$BUILD/zooci" --version | grep -E '^(onnxruntime|opencv-dnn)' | cut -d' ' -f1-2 | paste -sd, | sed 's/,/, /')"

report=$(cat <<MD

### zooci difftest: generated-and-compared cases per second ($(date -u +%Y-%m-%d), $(nproc) cores)
Command: \`make bench-difftest\` (= \`bash bench/difftest.sh\`): $ROUNDS rounds of
\`zooci difftest --seed $SEED --time-budget $BUDGET\` (runtimes ort, opencv, reference: each case
generated, checked, run on the three in sandboxed workers and compared twice with the oracle),
as it runs by default and with \`--no-minimise\`, interleaved. CPU is user + system time of zooci
and its workers, in cores; "others" the cores other processes kept busy during the run.
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $versions;
load average $load_before before, $load_after after.

| variant | round | cases | s | **cases/s** | CPU (cores) | disagreements | others (cores) |
|---|---|---|---|---|---|---|---|
$(echo -n "${rows[minimise]}" | sed 's/^| /| default (minimise, write) | /')
$(echo -n "${rows[plain]}" | sed 's/^| /| `--no-minimise` | /')

Cases/s per run: default ${rate[minimise]% }; \`--no-minimise\` ${rate[plain]% }.
MD
)
echo "$report"
echo "$report" >> docs/benchmarks.md
