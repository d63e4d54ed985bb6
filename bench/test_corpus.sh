#!/usr/bin/env bash
# Benchmark (issues 2 and 16): wall time of `zooci test -j 2` over the ONNX backend corpus, side
# by side in the same run with bench/minimal_ort_loop (one process, serial: create each session,
# run each data set; no sandbox, no comparison). Goal (issue 16): zooci at most 1.0x the loop.
# BASELINE=DIR adds the zooci (and zooci-worker) in DIR as a third runner, e.g. a build of an
# older commit, to measure a change in the same run. Appends its section to docs/benchmarks.md.
#   bash bench/test_corpus.sh [BUILD_DIR]   (make bench; ROUNDS=7 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/corpus_timing.sh
BUILD="${1:-build}"
ROUNDS="${ROUNDS:-7}"
LIST=data/expect-fail/onnx-backend-ort-1.30.txt
runners=(zooci loop)
declare -A commands=(
  [zooci]="$BUILD/zooci test -j 2 --expect-fail $LIST ${CORPUS_DIRS[*]}"
  [loop]="$BUILD/bench_minimal_ort_loop ${CORPUS_DIRS[*]}"
)
if [[ -n "${BASELINE:-}" ]]; then
  runners+=(baseline)
  commands[baseline]="$BASELINE/zooci test -j 2 --expect-fail $LIST ${CORPUS_DIRS[*]}"
fi

load_before="$(load_average)"
busy_before=$(cpu_busy_jiffies)
start_s=$(date +%s%N)
declare -A wall cpu ratio quiet_ratio
own_cpu_ms=0 foreign_per_round="" quiet_rounds=0
for ((round = 0; round < ROUNDS; round++)); do
  round_begin
  round_cpu=0
  # The order rotates, so no runner always follows the same one.
  order=("${runners[@]:round % ${#runners[@]}}" "${runners[@]:0:round % ${#runners[@]}}")
  declare -A this_wall=()
  for runner in "${order[@]}"; do
    # shellcheck disable=SC2086  # the commands are word lists without quoting needs
    time_run result ${commands[$runner]}
    read -r w c <<<"$result"
    wall[$runner]+="$w " cpu[$runner]+="$c " this_wall[$runner]=$w
    own_cpu_ms=$((own_cpu_ms + c)) round_cpu=$((round_cpu + c))
  done
  foreign="$(round_foreign "$round_cpu")"
  foreign_per_round+="$foreign "
  is_quiet "$foreign" && quiet=1 || quiet=0
  quiet_rounds=$((quiet_rounds + quiet))
  for runner in "${runners[@]}"; do
    [[ $runner == loop ]] && continue
    r="$(awk -v a="${this_wall[$runner]}" -v b="${this_wall[loop]}" 'BEGIN {printf "%.3f", a / b}')"
    ratio[$runner]+="$r "
    ((quiet)) && quiet_ratio[$runner]+="$r "
  done
done
elapsed_ms=$(( ($(date +%s%N) - start_s) / 1000000 ))
busy_ms=$(( ($(cpu_busy_jiffies) - busy_before) * 1000 / $(getconf CLK_TCK) ))
load_after="$(load_average)"
foreign=$(awk -v b="$busy_ms" -v o="$own_cpu_ms" -v e="$elapsed_ms" \
  'BEGIN {f = (b - o) / e; if (f < 0) f = 0; printf "%.2f", f}')

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
med_ratio() { tr ' ' '\n' <<<"$1" | grep . | median_ratio; }
loop_counts="$("$BUILD/bench_minimal_ort_loop" "${CORPUS_DIRS[@]}")"
summary="$("$BUILD/zooci" test -j 2 --expect-fail "$LIST" "${CORPUS_DIRS[@]}" | tail -1)"
zooci_ratio=$(med_ratio "${ratio[zooci]}")
verdict=$(awk -v r="$zooci_ratio" 'BEGIN {print (r <= 1.0) ? "met" : "MISSED"}')
quiet_med() { if ((quiet_rounds > 0)); then med_ratio "${quiet_ratio[$1]}"; else echo "-"; fi; }
zooci_quiet=$(quiet_med zooci)
quiet_verdict=$(awk -v r="$zooci_quiet" 'BEGIN {print (r == "-") ? "no quiet round" : (r <= 1.0) ? "met" : "MISSED"}')
baseline_row="" baseline_line=""
if [[ -n "${BASELINE:-}" ]]; then
  baseline_row="| \`zooci test -j 2\` of \`$BASELINE\` (baseline) | $(med "${wall[baseline]}") | $(med "${cpu[baseline]}") | the same 1,072 cases |
"
  baseline_line="Baseline / loop: **$(med_ratio "${ratio[baseline]}")×**, quiet rounds **$(quiet_med baseline)×** (per round: ${ratio[baseline]% }); runs (wall ms): ${wall[baseline]% }."
fi

report=$(cat <<MD

### zooci test over the ONNX backend corpus ($(date -u +%Y-%m-%d), $(nproc) cores)
Command: \`make bench\` (= \`bash bench/test_corpus.sh\`${BASELINE:+, \`BASELINE=$BASELINE\`}), $ROUNDS interleaved
rounds (the order rotates); medians, and the median of the per-round ratios. CPU is user + system
time of the process and the children it waited for (zooci's workers).
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $load_before
before, $load_after after; other processes kept $foreign cores busy on average during the $((elapsed_ms / 1000)) s run.

| runner | wall (ms) | CPU (ms) | work |
|---|---|---|---|
| \`zooci test -j 2\` (2 sandboxed workers, comparison, expect-fail list) | $(med "${wall[zooci]}") | $(med "${cpu[zooci]}") | 1,072 cases: $summary |
$baseline_row| \`bench_minimal_ort_loop\` (1 process, serial, 1 intra-op thread) | $(med "${wall[loop]}") | $(med "${cpu[loop]}") | $loop_counts |

Ratio zooci / loop (wall), median of all rounds: **${zooci_ratio}×** (goal ≤ 1.0×: $verdict); of the
$quiet_rounds quiet rounds (other processes below $QUIET_CORES cores): **${zooci_quiet}×** ($quiet_verdict).
Per round: ${ratio[zooci]% }; other processes' cores per round: ${foreign_per_round% }.
zooci's two workers only help when the machine has two cores to give: in a round where others keep
a core busy, the ratio tends to the CPU ratio ($(awk -v a="$(med "${cpu[zooci]}")" -v b="$(med "${cpu[loop]}")" 'BEGIN {printf "%.2f", a / b}')× here).
$baseline_line
Runs (wall ms): zooci ${wall[zooci]% }; loop ${wall[loop]% }.
The loop skips the cases it cannot feed (non-tensor or string inputs, models ORT rejects), so it
does slightly less work than zooci.
MD
)
echo "$report"
echo "$report" >> docs/benchmarks.md
