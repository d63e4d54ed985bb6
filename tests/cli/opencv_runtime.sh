# `--runtime opencv`: the example models on the real OpenCV DNN 4.6 in the sandboxed workers.
# digits and resnet18 pass against their PyTorch reference data (so OpenCV and ONNX Runtime agree
# on them); mobilenet_v2 and squeezenet1_1 are refused with OpenCV's own reason in one line; a
# wrong result is a failure with the differing element; OpenCV crashing inside a worker is a
# reported result and the next model still runs; eval gives ONNX Runtime's top-1; bench runs.
models="$ZOOCI_SOURCE_DIR/examples/models"
[[ -d "$models/resnet18" ]] || fail "$models missing: run 'make examples' (make test does)"

# Agreement: both runtimes pass the same reference outputs.
run_zooci 0 test --runtime opencv -j 2 "$models/digits_cnn" "$models/resnet18"
expect_in "$OUT" "2 cases"
expect_in "$OUT" "on opencv-dnn 4.6"
expect_in "$OUT" "2 passed, 0 failed"

# Refusals at import, in OpenCV's words (file paths, line numbers and error codes removed).
run_zooci 1 test --runtime opencv "$models/mobilenet_v2"
expect_in "$OUT" "ERROR mobilenet_v2: opencv-dnn: import: Node [Clip@ai.onnx]:(onnx_node!/features/features.0/features.0.2/Clip) parse error: expected 'node_proto.input_size() == 1', but 'node_proto.input_size()' is 3 (in parseClip)"
run_zooci 1 test --runtime opencv "$models/squeezenet1_1"
expect_in "$OUT" "ERROR squeezenet1_1: opencv-dnn: import: Node [Identity@ai.onnx]:(onnx_node!Identity_0) parse error: Assertion failed: inputs.size() (in getMemoryShapes)"
[[ "$OUT" != *"OpenCV("* && "$OUT" != *".cpp:"* ]] || fail "OpenCV's boilerplate leaked into the report"

# A wrong result: OpenCV 4.6 takes Softmax-13's default axis (-1) as axis 1. ONNX Runtime passes.
run_zooci 1 test --runtime opencv "$CORPUS/node/test_softmax_default_axis"
expect_in "$OUT" "FAIL test_softmax_default_axis"
expect_in "$OUT" "60 of 60 elements differ"
run_zooci 0 test "$CORPUS/node/test_softmax_default_axis"

# A crash: an 87-byte model whose initializer declares 2^26 floats but holds 4 bytes makes
# OpenCV's importer read past the buffer (SIGSEGV). The worker dies, the case says so, and the
# next case runs on a replacement worker. ONNX Runtime refuses the same file cleanly.
mkdir -p crash/test_data_set_0
/usr/bin/python3 - <<'PY' || fail "cannot build the crash model (python3-onnx)"
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
b = TensorProto(name="b", data_type=TensorProto.FLOAT, dims=[1 << 26], raw_data=b"\0\0\x80\x3f")
graph = helper.make_graph([helper.make_node("Add", ["x", "b"], ["y"])], "short_raw_data",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1 << 26])], initializer=[b])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), "crash/model.onnx")
for file_name, name, value in (("input_0", "x", 1.0), ("output_0", "y", 2.0)):
    tensor = numpy_helper.from_array(np.full(1, value, np.float32), name)
    open("crash/test_data_set_0/%s.pb" % file_name, "wb").write(tensor.SerializeToString())
PY
run_zooci 1 test --runtime opencv -j 1 crash "$models/digits_cnn"
expect_in "$OUT" "CRASH crash: worker died: signal 11"
expect_in "$OUT" "1 passed, 1 failed"
run_zooci 1 test crash
expect_in "$OUT" "ERROR crash: create session"
expect_in "$OUT" "raw_data size (4 bytes) does not match"

# eval: the same top-1 (and the same confusion matrix) on both runtimes.
digits="$models/digits_cnn"
if [[ -f "$digits/zooci.yaml" ]]; then
  run_zooci 0 eval --runtime opencv --format json -o opencv.json "$digits"
  run_zooci 0 eval --runtime ort --format json -o ort.json "$digits"
  /usr/bin/python3 - <<'PY' || fail "OpenCV's eval differs from ONNX Runtime's"
import json
opencv, ort = json.load(open("opencv.json")), json.load(open("ort.json"))
assert opencv["runtime"].startswith("opencv-dnn 4."), opencv["runtime"]
assert ort["runtime"].startswith("onnxruntime "), ort["runtime"]
assert opencv["top1_correct"] == ort["top1_correct"], (opencv["top1_correct"], ort["top1_correct"])
assert opencv["confusion"] == ort["confusion"]
print("top-1: %d of %d on both runtimes" % (opencv["top1_correct"], opencv["total"]))
PY
fi

# bench names the runtime it measured, in OpenCV's terms, not ONNX Runtime's.
run_zooci 0 bench --runtime opencv --warmup 1 --min-duration-ms 50 --min-queries 5 "$digits"
expect_in "$OUT" "opencv-dnn 4.6"
expect_in "$OUT" "DNN_BACKEND_OPENCV on DNN_TARGET_CPU"
expect_in "$OUT" "inter-op threads and graph optimization do not apply"
expect_in "$OUT" "VALID"
[[ "$OUT" != *CPUExecutionProvider* && "$OUT" != *"graph optimization all"* ]] \
  || fail "OpenCV's benchmark is described in ONNX Runtime's terms: $OUT"
run_zooci 0 bench --runtime reference --warmup 1 --min-duration-ms 50 --min-queries 3 "$digits"
expect_in "$OUT" "interpreter"
expect_in "$OUT" "thread and optimization settings do not apply"

run_zooci 2 test --runtime tensorflow "$digits"
expect_in "$ERR" "--runtime"
