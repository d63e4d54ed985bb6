# zooci bench: a VALID measurement with every figure, validity rules, baselines, bad input.
IDENTITY="$CORPUS/node/test_identity"
QUICK=(--min-duration-ms 200 --min-queries 50 --warmup 3)

run_zooci 0 bench "${QUICK[@]}" --histogram hist.svg "$IDENTITY"
for needle in "onnxruntime 1.30" "CPUExecutionProvider" "single-stream, batch 1" \
    "settings:   intra-op runtime default, inter-op runtime default; graph optimization all" \
    "inputs:     test data (1 set): x: float[1,1,2,2]" "warm-up:    3 runs" \
    "p50" "p99.9" "median 95% CI" "samples/s" "peak RSS" "result:     VALID"; do
  expect_in "$OUT" "$needle"
done
grep -q '^<svg' hist.svg || fail "histogram is not an SVG"
grep -q 'class="bar"' hist.svg || fail "histogram has no bars"

# JSON, then that result as the baseline of the next run: no significant change expected, or a
# slowdown within noise; either way not a regression against itself with a wide tolerance.
run_zooci 0 bench "${QUICK[@]}" --format json -o first.json "$IDENTITY"
/usr/bin/python3 -c '
import json
r = json.load(open("first.json"))
assert r["result"] == "VALID" and r["queries"] >= 50, r
assert r["latency_ms"]["p50"] > 0 and r["latency_ms"]["median_ci"]["low"] <= r["latency_ms"]["p50"]
assert r["memory"]["rss_after_load_bytes"] > 0 and r["session_create_ms"] > 0
assert len(r["warmup_ms"]) == 3
' || fail "bench JSON"
run_zooci 0 bench "${QUICK[@]}" --baseline first.json --tolerance 5 "$IDENTITY"
expect_in "$OUT" "baseline:"

# Thresholds no model can meet: a regression, exit 1.
echo '{"max_p50_ms": 0.000001}' > impossible.json
run_zooci 1 bench "${QUICK[@]}" --baseline impossible.json "$IDENTITY"
expect_in "$OUT" "(REGRESSION)"
expect_in "$OUT" "misses max"

# Stopped before the minimums: INVALID, exit 1.
run_zooci 1 bench --min-queries 1000000 --max-duration-ms 100 --min-duration-ms 0 "$IDENTITY"
expect_in "$OUT" "INVALID: stopped after"

# Offline: concurrent queries and a batch of generated inputs.
/usr/bin/python3 - <<'PY'
import onnx
from onnx import helper, TensorProto
g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "C"])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "C"])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8
onnx.save(m, "free.onnx")
PY
run_zooci 2 bench "${QUICK[@]}" free.onnx
expect_in "$ERR" "input 'x' dimension 1 ('C') is free; set it with --dim C=VALUE"
run_zooci 0 bench "${QUICK[@]}" --scenario offline --concurrency 2 --batch 8 --dim C=16 free.onnx
expect_in "$OUT" "offline, batch 8, concurrency 2"
expect_in "$OUT" "free dims:  N=8 (batch), C=16 (--dim)"
expect_in "$OUT" "x: float[8,16]"

# A model that exceeds the worker's memory limit: a clear error, exit 1, zooci unharmed.
mkdir -p bomb/test_data_set_0
/usr/bin/python3 - <<'PY'
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
node = helper.make_node("ConstantOfShape", ["shape"], ["y"])
graph = helper.make_graph([node], "bomb", [helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]); model.ir_version = 8
onnx.save(model, "bomb/model.onnx")
open("bomb/test_data_set_0/input_0.pb", "wb").write(
    numpy_helper.from_array(np.array([60000, 60000], dtype=np.int64), "shape").SerializeToString())
open("bomb/test_data_set_0/output_0.pb", "wb").write(
    numpy_helper.from_array(np.zeros((1, 1), dtype=np.float32), "y").SerializeToString())
PY
run_zooci 1 bench "${QUICK[@]}" --memory-limit-mb 1024 bomb
expect_in "$ERR" "out-of-memory"

# Usage errors.
run_zooci 2 bench /nonexistent.onnx
expect_in "$ERR" "/nonexistent.onnx: no such file or directory"
run_zooci 2 bench --dim C "$IDENTITY"
expect_in "$ERR" "expected NAME=VALUE"
run_zooci 2 bench --concurrency 2 "$IDENTITY"
expect_in "$ERR" "--concurrency applies to the offline scenario"
run_zooci 2 bench --baseline /nonexistent.json "$IDENTITY"
run_zooci 2 bench --min-duration-ms 5000 --max-duration-ms 10 "$IDENTITY"
: > empty.onnx
run_zooci 2 bench empty.onnx
