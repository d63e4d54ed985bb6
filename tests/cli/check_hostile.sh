# zooci check: the defects it used to let through, hostile paths, bounded output (issue 13).
# Every model is built here with python3-onnx; nothing is copied in from an external corpus.
/usr/bin/python3 - "$SCRATCH" <<'PY'
import hashlib, os, sys
import onnx
from onnx import helper, TensorProto, numpy_helper
import numpy as np
out = sys.argv[1]
def vi(name, shape=(2,)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))
def save(model, name, ir=8):
    model.ir_version = ir
    with open(os.path.join(out, name), "wb") as f:
        f.write(model.SerializeToString())
def relu(ir=8, name="ir.onnx"):
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "main", [vi("x")], [vi("y")])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), name, ir)
relu(99, "ir99.onnx")
relu(13, "ir13.onnx")
# Upsample under opset 10: deprecated there.
g = helper.make_graph([helper.make_node("Upsample", ["x", "s"], ["y"], name="up")], "main",
                      [vi("x", (1, 1, 2, 2)), vi("s", (4,))], [vi("y", (1, 1, 4, 4))])
save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 10)]), "upsample10.onnx")
# Two nodes named the same.
g = helper.make_graph([helper.make_node("Relu", ["x"], ["t"], name="same"),
                       helper.make_node("Relu", ["t"], ["y"], name="same")], "main", [vi("x")], [vi("y")])
save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "dupnames.onnx")
# External data with a checksum: right, and wrong.
os.makedirs(os.path.join(out, "ext"), exist_ok=True)
data = np.arange(4, dtype=np.float32).tobytes()
open(os.path.join(out, "ext", "w.bin"), "wb").write(data)
for name, digest in (("good.onnx", hashlib.sha1(data).hexdigest()), ("bad.onnx", "0" * 40)):
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4], data_location=TensorProto.EXTERNAL)
    for key, value in (("location", "w.bin"), ("offset", "0"), ("length", "16"), ("checksum", digest)):
        entry = w.external_data.add(); entry.key = key; entry.value = value
    g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "main",
                          [vi("x", (4,))], [vi("y", (4,))], [w])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join("ext", name))
# A call to a model-local function with more inputs than it declares.
f = helper.make_function("local", "f", ["a"], ["b"], [helper.make_node("Relu", ["a"], ["b"])],
                         [helper.make_opsetid("", 13)])
g = helper.make_graph([helper.make_node("f", ["x", "x"], ["y"], domain="local", name="call")], "main",
                      [vi("x")], [vi("y")])
save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("local", 1)],
                       functions=[f]), "fcall.onnx")
# 3,000 unused nodes: one warning each without a cap.
nodes = [helper.make_node("Relu", ["x"], ["y"], name="r")]
nodes += [helper.make_node("Relu", ["x"], [f"dead{i}"], name=f"d{i}") for i in range(3000)]
g = helper.make_graph(nodes, "main", [vi("x")], [vi("y")])
save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "dead.onnx")
# If nested 40 deep (the checker follows 32).
def nested(depth):
    if depth == 0:
        return helper.make_graph([helper.make_node("Identity", ["x"], [f"o{depth}"])], f"g{depth}", [], [vi(f"o{depth}")])
    inner = nested(depth - 1)
    leaf = helper.make_graph([helper.make_node("Identity", ["x"], [f"e{depth}"])], f"e{depth}", [], [vi(f"e{depth}")])
    node = helper.make_node("If", ["c"], [f"o{depth}"], then_branch=inner, else_branch=leaf, name=f"if{depth}")
    return helper.make_graph([node], f"g{depth}", [], [vi(f"o{depth}")])
top = nested(40)
main = helper.make_graph(list(top.node), "main",
                         [helper.make_tensor_value_info("c", TensorProto.BOOL, []), vi("x")], [vi("o40")])
save(helper.make_model(main, opset_imports=[helper.make_opsetid("", 13)]), "deep.onnx")
PY

# ir_version 99 is an error (no runtime loads it); 13 (newest known + 2) is a warning only.
run_zooci 1 check ir99.onnx
expect_in "$OUT" "error[ZC0102 unsupported-ir-version] ir_version: IR version 99 is beyond any ONNX release"
run_zooci 0 check ir13.onnx
expect_in "$OUT" "warning[ZC0103 ir-version-newer-than-checker]"

run_zooci 1 check upsample10.onnx
expect_in "$OUT" "error[ZC0309 deprecated-op] node 'up' (#0) op 'Upsample' is deprecated at ai.onnx opset 10"

run_zooci 1 check dupnames.onnx
expect_in "$OUT" "error[ZC0214 duplicate-node-name]"

# External data checksum: verified against the bytes; a bare file name finds the data too.
run_zooci 0 check ext/good.onnx
run_zooci 1 check ext/bad.onnx
expect_in "$OUT" "error[ZC0509 external-checksum-mismatch]"
expect_in "$OUT" "but the data's SHA-1 is $(sha1sum ext/w.bin | cut -c1-40)"
(cd ext && run_zooci 1 check bad.onnx && expect_in "$OUT" "error[ZC0509 external-checksum-mismatch]") || exit 1
rm ext/w.bin
(cd ext && run_zooci 1 check good.onnx && expect_in "$OUT" "error[ZC0503 external-file-missing]") || exit 1

run_zooci 1 check fcall.onnx
expect_in "$OUT" "error[ZC0304 input-count] node 'call' (#0) calls function 'local:f' with 2 inputs; it declares 1"

# 3,000 dead nodes: 100 warnings and one note with the rest, in every format; --max-per-rule 0 all.
run_zooci 0 check dead.onnx
[[ "$(grep -c 'warning\[ZC0212' <<<"$OUT")" == 101 ]] || fail "expected 100 ZC0212 warnings + 1 note: $(grep -c 'ZC0212' <<<"$OUT")"
expect_in "$OUT" "2900 more ZC0212 dead-node diagnostics in this model not shown (3000 in all; at most 100 per rule"
run_zooci 0 check --format json dead.onnx
(( ${#OUT} < 200000 )) || fail "JSON for 3,000 dead nodes is ${#OUT} bytes"
expect_in "$OUT" "2900 more ZC0212"
run_zooci 0 check --format sarif dead.onnx
expect_in "$OUT" "2900 more ZC0212"
run_zooci 0 check --max-per-rule 0 dead.onnx
[[ "$(grep -c 'warning\[ZC0212' <<<"$OUT")" == 3000 ]] || fail "--max-per-rule 0 should show all 3,000"

# Nesting beyond the checker's bound: reported once, as a limit of the checker; configurable.
run_zooci 0 check deep.onnx
[[ "$(grep -c 'ZC0218' <<<"$OUT")" == 1 ]] || fail "ZC0218 reported $(grep -c 'ZC0218' <<<"$OUT") times"
expect_in "$OUT" "A limit of the checker, not a defect of the model"
run_zooci 0 check --max-subgraph-depth 64 deep.onnx
[[ "$(grep -c 'ZC0218' <<<"$OUT")" == 0 ]] || fail "--max-subgraph-depth 64 still reports ZC0218"

# Hostile paths: a FIFO is refused at once, a symlink loop is named, a sparse 1 GiB file is
# refused after its first bytes, an LFS pointer is called one.
mkfifo pipe.onnx
rc=0; timeout 20 "$ZOOCI" check pipe.onnx >out.txt 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "FIFO: exit $rc (124 = hung): $(cat out.txt)"
expect_in "$(cat out.txt)" "pipe.onnx is a FIFO, not a model file"
ln -s loop1.onnx loop2.onnx; ln -s loop2.onnx loop1.onnx
run_zooci 2 check loop1.onnx
expect_in "$ERR" "loop1.onnx: a symbolic link loop (ELOOP)"
truncate -s 1G sparse.onnx
/usr/bin/python3 - "$ZOOCI" <<'PY' > rss.txt
import resource, subprocess, sys
done = subprocess.run([sys.argv[1], "check", "sparse.onnx"], capture_output=True, text=True)
open("out.txt", "w").write(done.stdout + done.stderr + f"\nexit {done.returncode}\n")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KiB
PY
expect_in "$(cat out.txt)" "exit 1"
expect_in "$(cat out.txt)" "not a valid ModelProto"
(( $(cat rss.txt) < 200000 )) || fail "sparse 1 GiB file: peak RSS $(cat rss.txt) KiB (read in full?)"
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 123\n' 0 > pointer.onnx
run_zooci 1 check pointer.onnx
expect_in "$OUT" "a Git LFS pointer, not the model"
