#!/usr/bin/env bash
# Benchmark: how much does `zooci bench` (sandboxed worker, protocol, statistics) add to what it
# measures? Side by side in one run with bench/minimal_bench_loop.cpp, a minimal loop timing
# ONNX Runtime's Session::Run directly on the same model, inputs (test_data_set_0) and session
# options. Targets: zooci's p50 within 3 % of the loop's on the example models, and per-iteration
# overhead under 5 us on a single-Identity model. Appends a dated section to docs/benchmarks.md.
#   bash bench/bench_harness.sh [BUILD_DIR]
# Environment: ROUNDS (5), THREADS ("1 <nproc>"), MIN_MS (3000), MIN_QUERIES (200), WARMUP (20),
# NO_APPEND=1 to print the report without appending it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=$(cd "${1:-build}" && pwd)
ROUNDS="${ROUNDS:-5}"
THREADS="${THREADS:-1 $(nproc)}"
THREADS=$(printf '%s\n' $THREADS | awk '!seen[$0]++' | paste -sd' ')  # "1 1" on one core
MIN_MS="${MIN_MS:-3000}"
MIN_QUERIES="${MIN_QUERIES:-200}"
WARMUP="${WARMUP:-20}"
PY=/usr/bin/python3
ZOOCI="$BUILD/zooci"
LOOP="$BUILD/bench_minimal_bench_loop"
for exe in "$ZOOCI" "$BUILD/zooci-worker" "$LOOP"; do
  [[ -x "$exe" ]] || { echo "bench_harness: $exe missing; build zooci zooci-worker bench_minimal_bench_loop" >&2; exit 2; }
done

# The trivial model: y = Identity(x), x float[1,1000], with a test_data_set_0.
WORK="$BUILD/bench-harness"
IDENTITY="$WORK/identity"
mkdir -p "$IDENTITY/test_data_set_0"
"$PY" - "$IDENTITY" <<'EOF'
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
out = sys.argv[1]
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1000])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1000])
graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity", [x], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="bench_harness")
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, f"{out}/model.onnx")
a = np.random.default_rng(0).random((1, 1000), dtype=np.float32)
for name, tensor_name in (("input_0", "x"), ("output_0", "y")):
    with open(f"{out}/test_data_set_0/{name}.pb", "wb") as f:
        f.write(numpy_helper.from_array(a, tensor_name).SerializeToString())
EOF

MODELS=(identity squeezenet1_1 mobilenet_v2 resnet18)
model_dir() { [[ "$1" == identity ]] && echo "$IDENTITY" || echo "$ROOT/examples/models/$1"; }

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_s=$(date +%s)

run_zooci() {  # model threads round
  local dir json
  dir=$(model_dir "$1")
  json=$("$ZOOCI" bench "$dir" --format json --threads "$2" --min-duration-ms "$MIN_MS" \
           --min-queries "$MIN_QUERIES" --warmup "$WARMUP") || true
  "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["result"] == "VALID" and r["inputs"]["source"].startswith("test data"), r["inputs"]
print("\t".join(map(str, [sys.argv[1], sys.argv[2], sys.argv[3], "zooci", r["latency_ms"]["p50"],
      r["latency_ms"]["mean"], r["queries"], r["measured_s"]])))' "$1" "$2" "$3" <<<"$json" >> "$RESULTS"
}
run_loop() {  # model threads round
  local dir json
  dir=$(model_dir "$1")
  json=$("$LOOP" "$dir/model.onnx" "$dir/test_data_set_0" "$2" "$WARMUP" "$MIN_MS" "$MIN_QUERIES")
  "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
print("\t".join(map(str, [sys.argv[1], sys.argv[2], sys.argv[3], "loop", r["p50_ms"], r["mean_ms"],
      r["queries"], r["wall_s"]])))' "$1" "$2" "$3" <<<"$json" >> "$RESULTS"
}

# Rounds outermost, so slow drift (frequency, other load) spreads over every cell; within a round
# the runner that goes first alternates per round and per model, cancelling order effects.
pair=0
for ((round = 1; round <= ROUNDS; round++)); do
  for threads in $THREADS; do
    for model in "${MODELS[@]}"; do
      echo "round $round/$ROUNDS threads $threads $model" >&2
      if (( (round + pair) % 2 )); then
        run_zooci "$model" "$threads" "$round"; run_loop "$model" "$threads" "$round"
      else
        run_loop "$model" "$threads" "$round"; run_zooci "$model" "$threads" "$round"
      fi
      pair=$((pair + 1))
    done
  done
done
elapsed_s=$(( $(date +%s) - start_s ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ort_version=$("$ZOOCI" bench "$IDENTITY" --format json --min-duration-ms 1 --min-queries 1 \
                --warmup 0 | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["runtime"])')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="$(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"

report=$("$PY" - "$RESULTS" <<EOF
import collections, statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
cell = collections.defaultdict(lambda: collections.defaultdict(dict))  # (model, T) -> round -> runner
for model, threads, rnd, runner, p50, mean, queries, wall in rows:
    cell[(model, int(threads))][int(rnd)][runner] = dict(p50=float(p50), mean=float(mean),
                                                         q=int(queries), wall=float(wall))
med = statistics.median
lines = ["| model | intra-op threads | zooci p50 (ms) | loop p50 (ms) | p50 ratio zooci/loop | "
         "per-round ratios | Δp50 (µs) | zooci wall/query (µs) | loop wall/query (µs) | "
         "Δ wall/query (µs) |", "|---|---|---|---|---|---|---|---|---|---|"]
worst_ratio, overhead = 0.0, {}
for (model, threads), rounds in sorted(cell.items(), key=lambda kv: (kv[0][1], "${MODELS[*]}".split().index(kv[0][0]))):
    pairs = [r for r in rounds.values() if "zooci" in r and "loop" in r]
    ratios = [r["zooci"]["p50"] / r["loop"]["p50"] for r in pairs]
    dp50 = [(r["zooci"]["p50"] - r["loop"]["p50"]) * 1e3 for r in pairs]
    zw = [r["zooci"]["wall"] / r["zooci"]["q"] * 1e6 for r in pairs]
    lw = [r["loop"]["wall"] / r["loop"]["q"] * 1e6 for r in pairs]
    dw = [z - l for z, l in zip(zw, lw)]
    ratio = med(ratios)
    if model == "identity":
        overhead[threads] = (med(dw), med(dp50))
    else:
        worst_ratio = max(worst_ratio, abs(ratio - 1))
    fmt = lambda v: f"{v:.4g}"
    lines.append(f"| {model} | {threads} | {fmt(med(r['zooci']['p50'] for r in pairs))} | "
                 f"{fmt(med(r['loop']['p50'] for r in pairs))} | **{ratio:.4f}** | "
                 f"{' '.join(f'{x:.3f}' for x in ratios)} | {med(dp50):+.2f} | {med(zw):.2f} | "
                 f"{med(lw):.2f} | {med(dw):+.2f} |")
ok_ratio = worst_ratio <= 0.03
worst_overhead = max(v[0] for v in overhead.values())
ok_overhead = worst_overhead < 5
print("\n".join(lines))
print()
print(f"- p50 within 3 % on the example models: **{'met' if ok_ratio else 'MISSED'}** "
      f"(largest |ratio − 1| = {worst_ratio * 100:.2f} %).")
print(f"- Per-iteration overhead on Identity < 5 µs: **{'met' if ok_overhead else 'MISSED'}** "
      f"(Δ wall/query " + ", ".join(f"{v[0]:+.2f} µs at {t} thread{'s' if t > 1 else ''}"
                                    for t, v in sorted(overhead.items())) +
      "; Δp50 " + ", ".join(f"{v[1]:+.3f} µs" for t, v in sorted(overhead.items())) + ").")
EOF
)

section=$(cat <<MD

## zooci bench harness vs a minimal ONNX Runtime loop ($(date -u +%Y-%m-%d))
Command: \`bash bench/bench_harness.sh BUILD_DIR\` (ROUNDS=$ROUNDS, THREADS="$THREADS", each run
\`zooci bench MODEL --format json --threads T --min-duration-ms $MIN_MS --min-queries $MIN_QUERIES --warmup $WARMUP\`
and \`bench_minimal_bench_loop MODEL DATA T $WARMUP $MIN_MS $MIN_QUERIES\`).
Machine: $machine; $ort_version; load average $load_before before, $load_after after; $elapsed_s s.

\`bench_minimal_bench_loop\` (bench/minimal_bench_loop.cpp) is the least code that benchmarks a
model: one process, a session with zooci's options (intra-op T, inter-op default, ORT_ENABLE_ALL),
test_data_set_0 converted to Ort::Values once, $WARMUP warm-up runs, then \`Session::Run\` timed
with steady_clock until both minimums are met; p50 interpolated as zooci does. The two runners
are interleaved over $ROUNDS rounds (who goes first alternates); each figure is the median over
rounds, the ratio the median of per-round ratios. "wall/query" is measured time / queries
(zooci: \`measured_s / queries\`), so its difference is the harness's per-iteration overhead;
identity is y = Identity(x), x float[1,1000].

$report
MD
)
echo "$section"
if [[ "${NO_APPEND:-0}" != 1 ]]; then echo "$section" >> docs/benchmarks.md; fi
