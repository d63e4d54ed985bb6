# `--runtime reference`: ZooCI's reference interpreter in the sandboxed workers. The four example
# models pass against their PyTorch reference data; an operator it lacks is refused in one line;
# a wrong expected output is a failure; the ONNX backend corpus passes apart from the committed
# expect-fail list, which is exact in both directions.
models="$ZOOCI_SOURCE_DIR/examples/models"
[[ -d "$models/resnet18" ]] || fail "$models missing: run 'make examples' (make test does)"

run_zooci 0 test --runtime reference -j 2 -v \
  "$models/digits_cnn" "$models/resnet18" "$models/mobilenet_v2" "$models/squeezenet1_1"
echo "$OUT" | grep -E '^PASS|cases in'
expect_in "$OUT" "4 cases"
expect_in "$OUT" "on reference 0.1.0"
expect_in "$OUT" "4 passed, 0 failed"

# An operator the interpreter does not implement: refused when the session is created.
mkdir -p unknown/test_data_set_0 wrong/test_data_set_0
/usr/bin/python3 - <<'PY' || fail "cannot build the test models (python3-onnx)"
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
def save(directory, op_type, opset, x, y):
    graph = helper.make_graph([helper.make_node(op_type, ["x"], ["y"])], directory,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
              directory + "/model.onnx")
    for file_name, name, value in (("input_0", "x", x), ("output_0", "y", y)):
        tensor = numpy_helper.from_array(np.array(value, np.float32), name)
        open("%s/test_data_set_0/%s.pb" % (directory, file_name), "wb").write(tensor.SerializeToString())
# Gelu is an ai.onnx operator only from opset 20; at 13 no runtime knows it.
save("unknown", "Gelu", 13, [0, 1, 2], [0, 1, 2])
# Relu of [-1, 0, 2] is [0, 0, 2]: data claiming [-1, 0, 2] is wrong.
save("wrong", "Relu", 13, [-1, 0, 2], [-1, 0, 2])
PY
run_zooci 1 test --runtime reference unknown
expect_in "$OUT" "ERROR unknown: reference: operator Gelu (opset 13) not implemented"
run_zooci 1 test --runtime reference wrong
expect_in "$OUT" "FAIL wrong"
expect_in "$OUT" "1 of 3 elements differ"

# The corpus: exactly the cases outside the list pass, and every listed case still fails.
list="$ZOOCI_SOURCE_DIR/data/expect-fail/onnx-backend-reference.txt"
run_zooci 0 test --runtime reference -j 2 --expect-fail "$list" \
  "$CORPUS/node" "$CORPUS/pytorch-converted" "$CORPUS/pytorch-operator" "$CORPUS/simple"
echo "$OUT" | tail -2
expect_in "$OUT" "1072 cases"
expect_in "$OUT" "on reference 0.1.0"
[[ "$OUT" != *"matched no case"* ]] || fail "stale expect-fail entries"
[[ "$OUT" != *"UNEXPECTED-PASS"* ]] || fail "listed cases pass now, update the list"
closing="$(echo "$OUT" | tail -1)"
[[ "$closing" == "1051 passed, 0 failed" ]] || fail "closing line: $closing"
expect_in "$OUT" "21 expected failures"
