#!/usr/bin/env bash
# Benchmark (issue 16): wall time of `zooci test --runtime opencv -j 2` over the ONNX backend
# corpus, against bench/minimal_opencv_loop (one process: readNetFromONNX, setInput, forward per
# case and data set; no sandbox, no comparison) in the same run. Goal: zooci at most 1.5x the
# loop. Appends its section to docs/benchmarks.md.
#   bash bench/opencv_corpus.sh [BUILD_DIR]   (make bench-opencv; ROUNDS=7 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/corpus_timing.sh
BUILD="${1:-build}"
ROUNDS="${ROUNDS:-7}"
LIST=data/expect-fail/onnx-backend-opencv-4.6.txt
zooci=("$BUILD/zooci" test --runtime opencv -j 2 --expect-fail "$LIST" "${CORPUS_DIRS[@]}")
loop=("$BUILD/bench_minimal_opencv_loop" "${CORPUS_DIRS[@]}")

load_before="$(load_average)"
busy_before=$(cpu_busy_jiffies)
start_s=$(date +%s%N)
zooci_wall=() zooci_cpu=() loop_wall=() loop_cpu=() ratios=() quiet_ratios=() foreign_per_round=()
own_cpu_ms=0
for ((round = 0; round < ROUNDS; round++)); do
  round_begin
  # Who goes first alternates, so neither always runs on a machine the other just warmed.
  if ((round % 2 == 0)); then
    time_run z "${zooci[@]}"; time_run l "${loop[@]}"
  else
    time_run l "${loop[@]}"; time_run z "${zooci[@]}"
  fi
  read -r zw zc <<<"$z"; read -r lw lc <<<"$l"
  zooci_wall+=("$zw") zooci_cpu+=("$zc") loop_wall+=("$lw") loop_cpu+=("$lc")
  ratio="$(awk -v a="$zw" -v b="$lw" 'BEGIN {printf "%.3f", a / b}')"
  foreign="$(round_foreign $((zc + lc)))"
  ratios+=("$ratio") foreign_per_round+=("$foreign")
  is_quiet "$foreign" && quiet_ratios+=("$ratio")
  own_cpu_ms=$((own_cpu_ms + zc + lc))
done
elapsed_ms=$(( ($(date +%s%N) - start_s) / 1000000 ))
busy_ms=$(( ($(cpu_busy_jiffies) - busy_before) * 1000 / $(getconf CLK_TCK) ))
load_after="$(load_average)"
foreign=$(awk -v b="$busy_ms" -v o="$own_cpu_ms" -v e="$elapsed_ms" -v n="$(nproc)" \
  'BEGIN {f = (b - o) / e; if (f < 0) f = 0; printf "%.2f", f}')

zw=$(printf '%s\n' "${zooci_wall[@]}" | median)
zc=$(printf '%s\n' "${zooci_cpu[@]}" | median)
lw=$(printf '%s\n' "${loop_wall[@]}" | median)
lc=$(printf '%s\n' "${loop_cpu[@]}" | median)
ratio=$(printf '%s\n' "${ratios[@]}" | median_ratio)
quiet_ratio="-"
((${#quiet_ratios[@]} > 0)) && quiet_ratio=$(printf '%s\n' "${quiet_ratios[@]}" | median_ratio)
quiet_verdict=$(awk -v r="$quiet_ratio" 'BEGIN {print (r == "-") ? "no quiet round" : (r <= 1.5) ? "met" : "MISSED"}')
loop_counts="$("${loop[@]}" 2>/dev/null)"
last_lines="$("${zooci[@]}" | tail -2)"
summary="$(echo "$last_lines" | tail -1)"
backend="$(echo "$last_lines" | head -1 | sed -E 's/.* on (.*) \(-j.*/\1/')"
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? "met" : "MISSED"}')

report=$(cat <<MD

### zooci test --runtime opencv over the ONNX backend corpus ($(date -u +%Y-%m-%d), $(nproc) cores)
Command: \`make bench-opencv\` (= \`bash bench/opencv_corpus.sh\`), $ROUNDS interleaved rounds (who goes
first alternates); medians, and the median of the per-round ratios. CPU is user + system time of
the process and the children it waited for (zooci's workers).
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $backend;
load average $load_before before, $load_after after;
other processes kept $foreign cores busy on average during the $((elapsed_ms / 1000)) s run.

| runner | wall (ms) | CPU (ms) | work |
|---|---|---|---|
| \`zooci test --runtime opencv -j 2\` (2 sandboxed workers, comparison, expect-fail list) | $zw | $zc | 1,072 cases: $summary |
| \`bench_minimal_opencv_loop\` (1 process, 1 OpenCV thread: readNetFromONNX + setInput + forward) | $lw | $lc | $loop_counts |

Ratio zooci / loop (wall), median of all rounds: **${ratio}×** (goal ≤ 1.5×: $verdict); of the
${#quiet_ratios[@]} quiet rounds (other processes below $QUIET_CORES cores): **${quiet_ratio}×** ($quiet_verdict).
Per round: ${ratios[*]}; other processes' cores per round: ${foreign_per_round[*]}.
zooci's two workers only help when the machine has two cores to give: in a round where others keep
a core busy, the ratio tends to the CPU ratio ($(awk -v a="$zc" -v b="$lc" 'BEGIN {printf "%.2f", a / b}')× here).
Runs (wall ms): zooci ${zooci_wall[*]}; loop ${loop_wall[*]}.
The loop skips what it cannot feed or OpenCV refuses (it stops at the first failure, where zooci
reports each one), so it does less work than zooci on the 607 models OpenCV refuses to import.
MD
)
echo "$report"
echo "$report" >> docs/benchmarks.md
