# A model whose run needs more memory than the worker's limit is reported as out-of-memory, and
# zooci itself keeps going (the next case passes).
mkdir -p cases/bomb/test_data_set_0
/usr/bin/python3 - <<'PY'
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
node = helper.make_node("ConstantOfShape", ["shape"], ["y"])
graph = helper.make_graph([node], "bomb", [helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, "cases/bomb/model.onnx")
open("cases/bomb/test_data_set_0/input_0.pb", "wb").write(
    numpy_helper.from_array(np.array([60000, 60000], dtype=np.int64), "shape").SerializeToString())
open("cases/bomb/test_data_set_0/output_0.pb", "wb").write(
    numpy_helper.from_array(np.zeros((1, 1), dtype=np.float32), "y").SerializeToString())
PY
cp -r "$CORPUS/node/test_abs" cases/abs
run_zooci 1 test -j 1 --memory-limit-mb 1024 cases
expect_in "$OUT" "OUT-OF-MEMORY cases/bomb"
expect_in "$OUT" "1 passed, 1 failed"
