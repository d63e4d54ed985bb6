# `zooci difftest` catches a planted runtime fault within its time budget and minimises it to one
# node. The fault lives in a test-only worker (zooci-planted-fault-worker, src/testing/): its
# ONNX Runtime normalises every Softmax over axis 0. The real worker shows no disagreement on the
# same operators and seed; the written cases replay with `zooci test`: failing on the faulty
# runtime, passing on the real one and on the reference.
planted="$ZOOCI_BINARY_DIR/zooci-planted-fault-worker"
[[ -x "$planted" ]] || fail "$planted missing: build the tests (cmake --build)"

# The real runtimes agree on these operators: exit 0.
run_zooci 0 difftest --seed 3 --ops Softmax,Relu,Add --cases-per-op 3 --runtimes ort,reference \
  --time-budget 60
expect_in "$OUT" "Softmax: 3 generated; ort: 3 agree"
expect_in "$OUT" ", 0 disagreements"

# The planted fault: found and minimised within a 60-second budget, exit 1.
start=$SECONDS
run_zooci 1 difftest --seed 3 --ops Softmax,Relu,Add --runtimes ort,reference --time-budget 60 \
  --cases-per-op 8 --worker "$planted" --out found --markdown report.md -o report.json
elapsed=$((SECONDS - start))
# 2 s with the day's load, 2-4 s with three busy loops added on the 2 cores (the whole case
# 12-18 s; 2026-12-07): the budget leaves a 15x margin, and running out of it is said as such.
echo "planted fault found and minimised in $elapsed s (budget 60 s)"
[[ "$OUT" != *"time budget spent"* ]] || fail "the 60 s budget ran out before 8 rounds ($elapsed s)"
(( elapsed < 90 )) || fail "difftest took $elapsed s for a 60 s budget"
echo "$OUT" | grep -E '^(DISAGREE|  minimised)' | head -6
expect_in "$OUT" "planted fault: Softmax axis 0"
expect_in "$OUT" "DISAGREE ort Softmax_"
# Relu and Add are untouched by the fault (some type variants are refused by ONNX Runtime).
for op in Relu Add; do
  line=$(echo "$OUT" | grep "^$op: 8 generated; ort: ") || fail "no $op row"
  [[ "$line" != *DISAGREE* ]] || fail "$line"
done
# Every minimised case is one Softmax node; graphs holding a Softmax reduce to it too.
minimised=$(echo "$OUT" | grep -c '^  minimised to' || true)
(( minimised >= 2 )) || fail "expected at least 2 minimised cases, got $minimised"
single=$(echo "$OUT" | grep -c '^  minimised to Softmax.* (1 node)' || true)
[[ "$single" == "$minimised" ]] || fail "$single of $minimised minimised cases are one Softmax node"
expect_in "$OUT" "    replay: zooci test --runtime ort found/cases/graph_ort_0"
/usr/bin/python3 - <<'PY' || fail "report.json / case models"
import glob, json, onnx
report = json.load(open("report.json"))
assert report["disagreements"] > 0 and report["generator_bugs"] == 0, report["disagreements"]
cases = sorted(glob.glob("found/cases/*/model.onnx"))
assert cases, "no case written"
for path in cases:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert [node.op_type for node in model.graph.node] == ["Softmax"], (path, model.graph.node)
print(len(cases), "cases, each a single Softmax node")
PY
expect_in "$(cat report.md)" "| Softmax | 8 | 1 agree, 7 **disagree** |"

# Each minimised case's replay command (report.json), run as printed: it passes on the real ONNX
# Runtime, and reproduces the disagreement with the faulty worker.
replays=$(/usr/bin/python3 -c '
import json
for entry in json.load(open("report.json"))["disagreement_list"]:
    if "minimised" in entry: print(entry["minimised"]["replay"])')
[[ -n "$replays" ]] || fail "no replay command in report.json"
while read -r replay; do
  pattern='^zooci test --runtime ort (--rtol [^ ]+ --atol [^ ]+ )?found/cases/[A-Za-z]+_ort_[0-9]+$'
  [[ "$replay" =~ $pattern ]] || fail "replay: $replay"
  read -ra words <<<"${replay#zooci }"
  run_zooci 0 "${words[@]}"
  run_zooci 1 "${words[@]}" --worker "$planted"
  expect_in "$OUT" "0 passed"
done <<<"$replays"

# Replays: the faulty runtime fails every case, the real ONNX Runtime and the reference pass.
run_zooci 1 test --runtime ort --worker "$planted" found/cases
expect_in "$OUT" "0 passed"
run_zooci 0 test --runtime ort found/cases
run_zooci 0 test --runtime reference found/cases

# The planted crash (a Floor node kills the worker): crashes are findings too, minimised to one
# Floor node of the smallest shape, replayable, and the exit status says so; Relu still agrees.
run_zooci 1 difftest --seed 3 --ops Floor,Relu --runtimes ort,reference --cases-per-op 4 \
  --graphs-per-round 0 --time-budget 60 --worker "$planted" --out crashed -o crash.json
expect_in "$OUT" "Floor: 4 generated; ort: 4 crash"
expect_in "$OUT" "Relu: 4 generated; ort: 4 agree"
expect_in "$OUT" "CRASH ort Floor_0 "
expect_in "$OUT" "  minimised to Floor float[1] (1 node): crash: worker died: signal 11"  # from float[3]
expect_in "$OUT" "8 cases, 0 disagreements, 4 crashes"
/usr/bin/python3 - <<'PY' || fail "crash.json / crash cases"
import json, onnx
report = json.load(open("crash.json"))
assert report["crashes"] == 4 and report["disagreements"] == 0, (report["crashes"], report["disagreements"])
assert report["disagreement_list"] == [], report["disagreement_list"]
minimised = [c["minimised"] for c in report["crash_list"] if "minimised" in c]
assert len(minimised) == 2, minimised  # --max-cases-per-class 2
for case in minimised:
    model = onnx.load(case["dir"] + "/model.onnx")
    assert [node.op_type for node in model.graph.node] == ["Floor"], case
    assert case["dir"].startswith("crashed/cases/Floor_ort_crash_"), case["dir"]
print(len(minimised), "crash cases, each a single Floor node")
PY
run_zooci 1 test --runtime ort --worker "$planted" crashed/cases/Floor_ort_crash_0
expect_in "$OUT" "CRASH"
run_zooci 0 test --runtime ort crashed/cases
run_zooci 0 test --runtime reference crashed/cases
