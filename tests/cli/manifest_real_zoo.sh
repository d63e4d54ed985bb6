# `zooci manifest` on a copy of the real ONNX Model Zoo as a clone without Git LFS gives it: every
# model and archive is a Git LFS pointer, and eight model folders are withheld, so the manifest
# lists 28 models that are truly gone. Regression: `--check` called all 184 entries dangling and
# `--write` replaced the 321 KB manifest with "[]" and exited 0.
ref="$(reference_dir)"
[[ -n "$ref" && -d "$ref/onnx-model-zoo" ]] || skip "no shared/reference/onnx-model-zoo"
PY=/usr/bin/python3
zoo="$SCRATCH/zoo"
cp -r "$ref/onnx-model-zoo" "$zoo"
mv "$zoo/dot-gitattributes" "$zoo/.gitattributes"
manifest="$zoo/ONNX_HUB_MANIFEST.json"
cp "$manifest" "$SCRATCH/original.json"

# The kind ("stale", "missing", "dangling") and path of every difference --check printed, sorted.
differences() { echo "$OUT" | awk '$1 ~ /^(stale|missing|dangling)$/ { sub(/:$/, "", $2); print $1, $2 }' | sort; }

# ---- --check: exactly the true differences -------------------------------------------------------
# The withheld folders' 28 entries are dangling (file and README row gone); five age_gender models
# and gpt2-lm-head-bs-12 have README rows and files but no entry, and cannot be added while they
# are pointers. Every present pointer's oid/size equals its entry's sha/bytes, and every README
# opset equals its entry's: nothing is stale.
expected_gone=""
for folder in text/machine_comprehension/gpt-2 text/machine_comprehension/roberta \
              vision/body_analysis/ultraface vision/classification/efficientnet-lite4 \
              vision/classification/mnist vision/object_detection_segmentation/faster-rcnn \
              vision/object_detection_segmentation/fcn \
              vision/object_detection_segmentation/ssd-mobilenetv1; do
  [[ ! -e "$zoo/validated/$folder" ]] || fail "validated/$folder is not withheld any more"
  expected_gone+="$("$PY" -c 'import json, sys
for e in json.load(open(sys.argv[1])):
    if e["model_path"].startswith(sys.argv[2] + "/"): print("dangling", e["model_path"])' \
    "$manifest" "validated/$folder")"$'\n'
done
expected_missing="missing validated/text/machine_comprehension/gpt2-bs/model/gpt2-lm-head-bs-12.onnx"
for model in age_googlenet gender_googlenet vgg_ilsvrc_16_age_chalearn_iccv2015 \
             vgg_ilsvrc_16_age_imdb_wiki vgg_ilsvrc_16_gender_imdb_wiki; do
  expected_missing+=$'\n'"missing validated/vision/body_analysis/age_gender/models/$model.onnx"
done
expected="$(printf '%s\n%s\n' "$expected_gone" "$expected_missing" | sed '/^$/d' | sort)"
[[ "$(echo "$expected" | grep -c '^dangling')" == 28 ]] || fail "expected 28 dangling entries"

run_zooci 1 manifest --check "$zoo"
actual="$(differences)"
[[ "$actual" == "$expected" ]] || { diff <(echo "$expected") <(echo "$actual"); fail "--check differences"; }
expect_in "$OUT" "ONNX_HUB_MANIFEST.json: 34 difference(s) in 184 entries: 0 stale, 6 missing, 28 dangling"
expect_in "$OUT" "dangling validated/vision/classification/mnist/model/mnist-8.onnx: its model file and README model-table row are gone"
expect_in "$OUT" "missing validated/vision/body_analysis/age_gender/models/age_googlenet.onnx (validated/vision/body_analysis/age_gender/README.md:11): not in the manifest"
expect_in "$OUT" "--write cannot apply this: the model is a Git LFS pointer"
[[ -z "$ERR" ]] || fail "--check warned: $ERR"

# ---- --write refuses to remove entries: exit 2, file untouched ------------------------------------
run_zooci 2 manifest --write "$zoo"
expect_in "$ERR" "not written: it would remove published entries or archives"
expect_in "$ERR" "validated/vision/classification/mnist/model/mnist-8.onnx"
expect_in "$ERR" "pass --allow-remove"
cmp "$manifest" "$SCRATCH/original.json" || fail "a refused --write changed the manifest"

# ---- --write --allow-remove removes exactly the 28, every other byte as the generator wrote it ---
run_zooci 0 manifest --write --allow-remove "$zoo"
expect_in "$OUT" "wrote $manifest: 156 entries (28 change(s) applied, 6 not applied)"
"$PY" - "$SCRATCH/original.json" "$manifest" <<'EOF' || fail "--allow-remove removed more or less"
import json, os, sys
original = json.load(open(sys.argv[1]))
root = os.path.dirname(sys.argv[2])
kept = [e for e in original if os.path.exists(os.path.join(root, e["model_path"]))]
assert len(kept) == 156, len(kept)
assert open(sys.argv[2]).read() == json.dumps(kept, indent=4), "not byte-identical"
EOF
cp "$manifest" "$SCRATCH/consistent.json"
run_zooci 0 manifest --write "$zoo"  # nothing changed now: byte-identical
cmp "$manifest" "$SCRATCH/consistent.json" || fail "--write on an unchanged zoo changed the manifest"
run_zooci 1 manifest --check "$zoo"  # only the six pointer-only rows remain
[[ "$(differences)" == "$(echo "$expected_missing" | sort)" ]] || fail "after removal: $OUT"

# ---- one pointer replaced by a real model: only that entry's sha, bytes and io_ports change ------
changed=validated/vision/object_detection_segmentation/tiny-yolov2/model/tinyyolov2-8.onnx
"$PY" - "$zoo/$changed" <<'EOF' || fail "cannot make a model"
import sys
from onnx import TensorProto, helper, save
graph = helper.make_graph(
    [helper.make_node("Identity", ["image"], ["grid"])], "tiny",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 8, 8])],
    [helper.make_tensor_value_info("grid", TensorProto.FLOAT, ["batch", 3, 8, None])])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)], ir_version=3), sys.argv[1])
EOF
run_zooci 1 manifest --check "$zoo"
expect_in "$(differences)" "stale $changed"
expect_in "$OUT" "model_sha/model_bytes: the file has $(sha256sum "$zoo/$changed" | cut -d' ' -f1)"
expect_in "$OUT" "io_ports: recomputed from the changed model"
run_zooci 0 manifest --write "$zoo"
"$PY" - "$SCRATCH/consistent.json" "$manifest" "$zoo/$changed" "$changed" <<'EOF' || fail "the rewrite changed more than $changed"
import hashlib, json, os, sys
before = json.load(open(sys.argv[1]))
after_text = open(sys.argv[2]).read()
after = json.loads(after_text)
data = open(sys.argv[3], "rb").read()
assert len(before) == len(after) == 156
for old, new in zip(before, after):
    if old["model_path"] != sys.argv[4]:
        assert old == new, old["model_path"]
        continue
    differ = {k for k in set(old["metadata"]) | set(new["metadata"])
              if old["metadata"].get(k) != new["metadata"].get(k)}
    assert differ == {"model_sha", "model_bytes", "io_ports"}, differ
    assert {k: v for k, v in old.items() if k != "metadata"} == \
           {k: v for k, v in new.items() if k != "metadata"}
    assert new["metadata"]["model_sha"] == hashlib.sha256(data).hexdigest()
    assert new["metadata"]["model_bytes"] == len(data)
    assert new["metadata"]["io_ports"] == {
        "inputs": [{"name": "image", "shape": ["batch", 3, 8, 8], "type": "tensor(float)"}],
        "outputs": [{"name": "grid", "shape": ["batch", 3, 8, None], "type": "tensor(float)"}]}
    assert list(new["metadata"]) == list(old["metadata"])  # key order kept
# Every other entry keeps its exact text: the file is what json.dumps(indent=4) makes of it.
assert after_text == json.dumps(after, indent=4)
EOF
cp "$manifest" "$SCRATCH/updated.json"

# ---- a README row deleted: the write that would remove its entry is refused, then allowed -------
readme="$zoo/validated/vision/classification/squeezenet/README.md"
gone=validated/vision/classification/squeezenet/model/squeezenet1.0-3.onnx
grep -q '(model/squeezenet1.0-3.onnx)' "$readme" || fail "the squeezenet README changed"
sed -i '/(model\/squeezenet1.0-3.onnx)/d' "$readme"
run_zooci 1 manifest --check "$zoo"
expect_in "$OUT" "dangling $gone: no README model table links it (the file is still there)"
run_zooci 2 manifest --write "$zoo"
expect_in "$ERR" "$gone"
cmp "$manifest" "$SCRATCH/updated.json" || fail "a refused --write changed the manifest"
# ...and a model file deleted while its README row stays.
rm "$zoo/validated/vision/object_detection_segmentation/tiny-yolov3/model/tiny-yolov3-11.onnx"
run_zooci 2 manifest --write "$zoo"
expect_in "$ERR" "tiny-yolov3-11.onnx"
cmp "$manifest" "$SCRATCH/updated.json" || fail "a refused --write changed the manifest"
run_zooci 0 manifest --write --allow-remove "$zoo"
"$PY" - "$SCRATCH/updated.json" "$manifest" "$gone" <<'EOF' || fail "--allow-remove removed the wrong entries"
import json, sys
before = json.load(open(sys.argv[1]))
after_text = open(sys.argv[2]).read()
removed = {sys.argv[3],
           "validated/vision/object_detection_segmentation/tiny-yolov3/model/tiny-yolov3-11.onnx"}
expected = [e for e in before if e["model_path"] not in removed]
assert len(expected) == len(before) - 2
assert after_text == json.dumps(expected, indent=4)
EOF

# ---- bad input: an unreadable manifest is never overwritten --------------------------------------
printf '[{"model": ' > "$manifest"
run_zooci 2 manifest --write --allow-remove "$zoo"
expect_in "$ERR" "invalid JSON"
[[ "$(cat "$manifest")" == '[{"model": ' ]] || fail "an invalid manifest was overwritten"
run_zooci 2 manifest --check "$zoo"
