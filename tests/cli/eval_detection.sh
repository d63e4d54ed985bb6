# zooci eval on the detection example (tools/detection_fixture.py): ONNX Runtime and zooci's COCO
# evaluation reproduce, to the last bit, the mAP that tools/coco_reference.py computed from
# PyTorch's outputs (and so does OpenCV DNN); the same data in the boxes format gives the same
# figures; a label map by names is applied; an overstated claim fails; a wrong output name is a
# clear error. A second,
# generated model with boxes/scores/labels outputs (no batch axis, yxyx, normalized, COCO-style
# category ids) is checked against the reference on the same detections.
SHAPES="$ZOOCI_SOURCE_DIR/examples/models/shapes_yolo"
[[ -f "$SHAPES/zooci.yaml" && -f "$SHAPES/expected_map.json" ]] || fail "missing example: run make examples"

run_zooci 0 eval --format json -o result.json "$SHAPES"
/usr/bin/python3 - "$SHAPES/expected_map.json" result.json <<'PY' || fail "mAP differs from the reference's"
import json, sys
expected, result = (json.load(open(p)) for p in sys.argv[1:3])
for name, value in expected["coco"].items():
    assert result["coco"][name] == value, (name, result["coco"][name], value)
assert result["map_percent"] == expected["map_percent"], (result["map_percent"], expected["map_percent"])
for row in result["per_class"]:
    ref = expected["per_class"][str(row["category_id"])]
    for key in ("ap", "ap50", "ap75", "recall"):
        assert row[key] == ref[key], (row["class"], key, row[key], ref[key])
assert result["detections"] == expected["detections"], (result["detections"], expected["detections"])
assert result["crowd_regions"] > 0 and result["images"] == 300, result
assert result["verdict"] == "pass", result["verdict"]
print("zooci eval: mAP %.6f%%, as the reference computed" % result["map_percent"])
PY
# OpenCV DNN, the other runtime, lands on the same decisions: the same figures.
run_zooci 0 eval --runtime opencv --format json -o opencv.json "$SHAPES"
/usr/bin/python3 - result.json opencv.json <<'PY' || fail "OpenCV DNN's figures differ"
import json, sys
ort, cv = (json.load(open(p)) for p in sys.argv[1:3])
assert ort["coco"] == cv["coco"] and ort["detections"] == cv["detections"], (ort["coco"], cv["coco"])
PY
run_zooci 0 eval "$SHAPES"
expect_in "$OUT" "mAP@[.5:.95]:"
expect_in "$OUT" "crowd regions"
expect_in "$OUT" "claim:          mAP claimed"
expect_in "$OUT" "verdict:        PASS"

copy_shapes() {  # copy_shapes DIR: the example's model and data with the given zooci.yaml on stdin
  mkdir -p "$1"
  cp -r "$SHAPES/model.onnx" "$SHAPES/README.md" "$SHAPES/images" "$SHAPES/annotations" "$1/"
  cat > "$1/zooci.yaml"
}
without_claims() { grep -v -e '^claims:' -e '^  readme:' "$SHAPES/zooci.yaml"; }

# The boxes format: one .txt per image, "<class> x_min y_min x_max y_max [crowd]".
without_claims | sed -e 's/  format: coco/  format: boxes/' \
  -e 's|  annotations: annotations/instances_val.json|  annotations: boxes\n  labels: classes.txt|' |
  copy_shapes boxes
/usr/bin/python3 - boxes <<'PY'
import json, os, sys
d = sys.argv[1]
data = json.load(open(os.path.join(d, "annotations/instances_val.json")))
names = {c["id"]: c["name"] for c in data["categories"]}
open(os.path.join(d, "classes.txt"), "w").write("".join(names[k] + "\n" for k in sorted(names)))
os.makedirs(os.path.join(d, "boxes"))
lines = {im["id"]: [] for im in data["images"]}
for a in data["annotations"]:
    x, y, w, h = a["bbox"]
    lines[a["image_id"]].append(f"{names[a['category_id']]} {x} {y} {x + w} {y + h}" + (" crowd" if a["iscrowd"] else ""))
for im in data["images"]:
    stem = os.path.splitext(im["file_name"])[0]
    open(os.path.join(d, "boxes", stem + ".txt"), "w").write("".join(l + "\n" for l in lines[im["id"]]))
PY
run_zooci 0 eval --format json -o boxes.json boxes
/usr/bin/python3 - result.json boxes.json <<'PY' || fail "the boxes format gives other figures"
import json, sys
coco, boxes = (json.load(open(p))["coco"] for p in sys.argv[1:3])
# Area "all": the same boxes, the same figures (size ranges differ: COCO's area is the shape's).
for name in ("ap", "ap50", "ap75", "ar1", "ar10", "ar100"):
    assert coco[name] == boxes[name], (name, coco[name], boxes[name])
PY

# A label map by names: the model's classes in the dataset's order give the same figures,
# two of them swapped give less.
printf 'circle\nsquare\ntriangle\n' > names.txt
without_claims | sed 's/  label_map: contiguous/  label_map: names\n  label_names: model_classes.txt/' | copy_shapes named
cp names.txt named/model_classes.txt
run_zooci 0 eval --format json -o named.json named
printf 'square\ncircle\ntriangle\n' > named/model_classes.txt
run_zooci 0 eval --format json -o swapped.json named
/usr/bin/python3 - result.json named.json swapped.json <<'PY' || fail "label_map names"
import json, sys
base, named, swapped = (json.load(open(p))["map_percent"] for p in sys.argv[1:4])
assert named == base, (named, base)
assert swapped < base - 10, (swapped, base)
PY

# An overstated claim in zooci.yaml fails with both numbers; a wrong output name is an error.
{ without_claims; printf 'claims:\n  map: 99.5\n'; } | copy_shapes overclaim
run_zooci 1 eval overclaim
expect_in "$OUT" "mAP claimed 99.5%"
expect_in "$OUT" "NOT MET"
expect_in "$OUT" "verdict:        FAIL"
run_zooci 2 eval --confusion-svg cm.svg "$SHAPES"
expect_in "$ERR" "--confusion-svg applies to image-classification"
without_claims | sed 's/{name: grid,/{name: boxes,/' | copy_shapes misnamed
run_zooci 2 eval misnamed
expect_in "$ERR" "the model has no output 'boxes' (outputs: 'grid')"

# Boxes/scores/labels outputs: a generated model that answers the same four boxes for every
# image, in TF's SSD conventions (yxyx, normalized to the input, labels as COCO category ids,
# no batch axis). zooci's figures must be the reference's for those detections, mapped back
# through the letterbox.
mkdir -p ssd_like
cp -r "$SHAPES/images" "$SHAPES/annotations" ssd_like/
/usr/bin/python3 - ssd_like <<'PY'
import json, os, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
d = sys.argv[1]
# yxyx fractions of the 96x96 input; labels are category ids (1 circle, 2 square, 3 triangle, 7 none)
boxes = np.array([[0.25, 0.25, 0.5, 0.5], [0.1, 0.5, 0.4, 0.9], [0.6, 0.2, 0.95, 0.45], [0.0, 0.0, 1.0, 1.0]], np.float32)
scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
labels = np.array([1, 2, 3, 7], np.int64)
nodes = [helper.make_node("Constant", [], [name], value=numpy_helper.from_array(v, name + "_value"))
         for name, v in (("detection_boxes", boxes), ("detection_scores", scores), ("detection_classes", labels))]
nodes.append(helper.make_node("Shape", ["input"], ["input_shape"]))
graph = helper.make_graph(nodes, "ssd_like", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 96, 96])],
                          [helper.make_tensor_value_info("detection_boxes", TensorProto.FLOAT, [4, 4]),
                           helper.make_tensor_value_info("detection_scores", TensorProto.FLOAT, [4]),
                           helper.make_tensor_value_info("detection_classes", TensorProto.INT64, [4]),
                           helper.make_tensor_value_info("input_shape", TensorProto.INT64, [4])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(d, "model.onnx"))
# The reference's detections: undo the letterbox (the image's longer side is 96: offsets only).
data = json.load(open(os.path.join(d, "annotations/instances_val.json")))
results = []
for im in data["images"]:
    w, h = im["width"], im["height"]
    left, top = (96 - w) // 2, (96 - h) // 2
    for (y1, x1, y2, x2), score, label in zip(boxes.astype(np.float64), scores.astype(np.float64), labels):
        if label not in (1, 2, 3):
            continue
        xa, xb = (min(max(v * 96 - left, 0.0), w) for v in (x1, x2))
        ya, yb = (min(max(v * 96 - top, 0.0), h) for v in (y1, y2))
        results.append({"image_id": im["id"], "category_id": int(label), "bbox": [xa, ya, xb - xa, yb - ya], "score": float(score)})
json.dump(results, open(os.path.join(d, "reference_results.json"), "w"))
PY
cat > ssd_like/zooci.yaml <<'YAML'
task: object-detection
dataset: {format: coco, path: images, annotations: annotations/instances_val.json}
preprocessing:
  - decode: color
  - color: RGB
  - letterbox: {size: [96, 96]}
  - scale: 0.00392156862745098
output:
  format: boxes
  boxes: detection_boxes
  scores: detection_scores
  labels: detection_classes
  batch_axis: false
  coordinates: yxyx
  normalized: true
  label_map: category_id
YAML
run_zooci 0 eval --format json -o ssd_like.json ssd_like
/usr/bin/python3 "$ZOOCI_SOURCE_DIR/tools/coco_reference.py" ssd_like/annotations/instances_val.json \
  ssd_like/reference_results.json > ssd_like_reference.json || fail "coco_reference.py"
/usr/bin/python3 - ssd_like.json ssd_like_reference.json <<'PY' || fail "boxes outputs: figures differ from the reference's"
import json, sys
result, reference = (json.load(open(p)) for p in sys.argv[1:3])
names = ["ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large", "ar1", "ar10", "ar100", "ar_small", "ar_medium", "ar_large"]
for name, value in zip(names, reference["stats"]):
    assert result["coco"][name] == value, (name, result["coco"][name], value)
assert result["unmapped_detections"] == 0 and result["other_detections"] == 300, result
assert result["batch_size"] == 1, result["batch_size"]
assert 0 < result["coco"]["ap50"] < 1, result["coco"]
PY
