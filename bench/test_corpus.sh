#!/usr/bin/env bash
# Benchmark (issue 2): wall time of `zooci test -j 2` over the ONNX backend corpus, side by side in
# the same run with bench/minimal_ort_loop (one process: create each session, run each data set;
# no sandbox, no comparison). Target: zooci within 3x of the loop. Appends to docs/benchmarks.md.
#   bash bench/test_corpus.sh [BUILD_DIR]   (make bench)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
CORPUS=/usr/share/libonnx-testdata/data
DIRS=("$CORPUS/node" "$CORPUS/pytorch-converted" "$CORPUS/pytorch-operator" "$CORPUS/simple")
REPEATS=5

time_once() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

zooci_ms=(); zooci1_ms=(); loop_ms=()
for ((i = 0; i < REPEATS; i++)); do   # interleaved so both see the same machine state
  zooci_ms+=("$(time_once "$BUILD/zooci" test -j 2 --expect-fail data/expect-fail/onnx-backend-ort-1.30.txt "${DIRS[@]}")")
  zooci1_ms+=("$(time_once "$BUILD/zooci" test -j 1 --expect-fail data/expect-fail/onnx-backend-ort-1.30.txt "${DIRS[@]}")")
  loop_ms+=("$(time_once "$BUILD/bench_minimal_ort_loop" "${DIRS[@]}")")
done
z=$(printf '%s\n' "${zooci_ms[@]}" | median)
z1=$(printf '%s\n' "${zooci1_ms[@]}" | median)
l=$(printf '%s\n' "${loop_ms[@]}" | median)
ratio=$(awk -v z="$z" -v l="$l" 'BEGIN {printf "%.2f", z / l}')
ratio1=$(awk -v z="$z1" -v l="$l" 'BEGIN {printf "%.2f", z / l}')
loop_counts=$("$BUILD/bench_minimal_ort_loop" "${DIRS[@]}")
summary=$("$BUILD/zooci" test -j 2 --expect-fail data/expect-fail/onnx-backend-ort-1.30.txt "${DIRS[@]}" | tail -1)

report=$(cat <<MD

### zooci test over the ONNX backend corpus ($(date -u +%Y-%m-%d), $(nproc) cores)
Command: \`make bench\` (= \`bash bench/test_corpus.sh\`), median of $REPEATS interleaved runs.

| runner | wall time (ms) | work |
|---|---|---|
| \`zooci test -j 2\` (2 sandboxed workers, comparison, expect-fail list) | $z | 1,072 cases: $summary |
| \`zooci test -j 1\` (1 sandboxed worker: the per-case overhead alone) | $z1 | the same 1,072 cases |
| \`bench_minimal_ort_loop\` (1 process, sessions + runs only) | $l | $loop_counts |

Ratio zooci / minimal loop: **$ratio×** (target ≤ 3×); with one worker **$ratio1×**.
The loop skips the cases it cannot feed (non-tensor or string inputs, models ORT rejects), so it
does slightly less work than zooci. Runs: zooci -j 2 ${zooci_ms[*]} ms; -j 1 ${zooci1_ms[*]} ms; loop ${loop_ms[*]} ms.
MD
)
echo "$report"
echo "$report" >> docs/benchmarks.md
