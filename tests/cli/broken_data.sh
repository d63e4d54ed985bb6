# Broken reference data gets a precise failure and exit 1, never a crash.
cp -r "$CORPUS/node/test_abs" abs
head -c 10 "$CORPUS/node/test_abs/test_data_set_0/input_0.pb" > abs/test_data_set_0/input_0.pb
run_zooci 1 test abs
expect_in "$OUT" "ERROR abs: test_data_set_0/input_0.pb: not a valid TensorProto"

rm -rf abs && cp -r "$CORPUS/node/test_abs" abs
head -c 50 "$CORPUS/node/test_abs/model.onnx" > abs/model.onnx
run_zooci 1 test abs
expect_in "$OUT" "not a valid ModelProto"

rm -rf abs && cp -r "$CORPUS/node/test_abs" abs
cp "$CORPUS/node/test_neg/test_data_set_0/output_0.pb" abs/test_data_set_0/output_0.pb
run_zooci 1 test --format json abs
/usr/bin/python3 - "$SCRATCH/out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
case = report["cases"][0]
assert case["status"] == "fail", case
output = case["data_sets"][0]["outputs"][0]
assert output["mismatches"] > 0 and output["first_mismatch"]["index"], output
assert report["summary"]["failed"] == 1, report["summary"]
PY
