# zooci check: formats, exit codes, rule documentation and usage errors.
EXAMPLE="$ZOOCI_SOURCE_DIR/examples/models/squeezenet1_1/model.onnx"

# A clean model: exit 0, "ok".
run_zooci 0 check "$EXAMPLE"
expect_in "$OUT" "model.onnx: ok"

# A broken model: a dangling input in compiler style with its hint, and exit 1.
/usr/bin/python3 - "$SCRATCH/broken.onnx" <<'PY'
import sys, onnx
from onnx import helper, TensorProto
g = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["r"], name="relu_0"),
     helper.make_node("Add", ["r", "w"], ["y"], name="Conv_3")],
    "main",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.save(m, sys.argv[1])
PY
run_zooci 1 check broken.onnx
expect_in "$OUT" "broken.onnx: error[ZC0203 dangling-input] node 'Conv_3' (#1) input[1] 'w' is produced by nothing"
expect_in "$OUT" "  hint: "
expect_in "$OUT" "broken.onnx: 1 error"

# JSON: the documented keys.
run_zooci 1 check --format json broken.onnx
echo "$OUT" | /usr/bin/python3 -c '
import json, sys
report = json.load(sys.stdin)
model = report["models"][0]
assert model["path"] == "broken.onnx" and model["ir_version"] == 8, model
assert model["opset_import"] == [{"domain": "", "version": 13}], model["opset_import"]
d = model["diagnostics"][0]
assert {"rule", "name", "category", "severity", "message", "location", "hint"} <= d.keys(), d
assert d["rule"] == "ZC0203" and d["category"] == "graph", d
assert d["location"]["node"] == {"name": "Conv_3", "index": 1, "op_type": "Add"}, d["location"]
assert d["location"]["field"] == "input[1]" and d["location"]["graph"] == "main", d["location"]
assert model["summary"] == {"errors": 1, "warnings": 0, "infos": 0}, model["summary"]
' || fail "JSON report structure"

# SARIF into a file; stdout stays empty.
run_zooci 1 check --format sarif --output report.sarif broken.onnx
[[ -z "$OUT" ]] || fail "--output still printed to stdout"
/usr/bin/python3 -c '
import json, sys
log = json.load(open("report.sarif"))
assert log["version"] == "2.1.0", log["version"]
run = log["runs"][0]
assert run["tool"]["driver"]["name"] == "zooci"
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert ids == ["ZC0203"], ids
assert run["results"][0]["ruleId"] == "ZC0203" and run["results"][0]["level"] == "error"
' || fail "SARIF report"

# --fail-on warning turns a warning into a failing exit; the default does not.
/usr/bin/python3 - "$SCRATCH/warn.onnx" <<'PY'
import sys, onnx
from onnx import helper, TensorProto
g = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y"], name="relu"),
     helper.make_node("Neg", ["x"], ["unused"], name="dead")],
    "main",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.save(m, sys.argv[1])
PY
run_zooci 0 check warn.onnx
expect_in "$OUT" "warning[ZC0212 dead-node] node 'dead' (#1)"
run_zooci 1 check --fail-on warning warn.onnx
run_zooci 1 check --profile strict warn.onnx
expect_in "$OUT" "error[ZC0212 dead-node]"
# The zoo profile asks for producer, doc_string and metadata.
run_zooci 0 check --profile zoo warn.onnx
expect_in "$OUT" "ZC0110 missing-producer"
expect_in "$OUT" "ZC0112 missing-metadata"

# Several models and directories: one summary line for all.
mkdir -p dir/sub && cp broken.onnx dir/sub/ && cp warn.onnx dir/
run_zooci 1 check dir "$EXAMPLE"
expect_in "$OUT" "checked 3 models: 1 error, 1 warning, 0 infos"

# Files that are not models are diagnostics, not crashes.
: > empty.onnx
head -c 4096 /dev/zero | tr '\0' '\377' > garbage.onnx
head -c 300 "$EXAMPLE" > truncated.onnx
for bad in empty garbage truncated; do
  run_zooci 1 check "$bad.onnx"
  expect_in "$OUT" "$bad.onnx: error[ZC0001 unparseable-model]"
done

# Rule documentation.
run_zooci 0 check --list-rules
expect_in "$OUT" "ZC0203  dangling-input"
[[ "$(echo "$OUT" | grep -c '^ZC')" -ge 60 ]] || fail "--list-rules lists fewer than 60 rules"
run_zooci 0 check --explain ZC0203
expect_in "$OUT" "Fails:"
expect_in "$OUT" "Passes:"
run_zooci 0 check --explain dead-node
expect_in "$OUT" "ZC0212 dead-node"

# Usage errors exit 2.
run_zooci 2 check
expect_in "$ERR" "no model given"
run_zooci 2 check /nonexistent.onnx
expect_in "$ERR" "/nonexistent.onnx: no such file or directory"
run_zooci 2 check --explain ZC9999
expect_in "$ERR" "unknown rule 'ZC9999'"
run_zooci 2 check --format xml "$EXAMPLE"
run_zooci 2 check --profile lenient "$EXAMPLE"
mkdir nomodels
run_zooci 2 check nomodels
expect_in "$ERR" "no .onnx files"
run_zooci 2 check --output /nonexistent/dir/report.json "$EXAMPLE"
