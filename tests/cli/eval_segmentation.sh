# zooci eval on the segmentation example (tools/segmentation_fixture.py): ONNX Runtime and zooci's
# per-pixel comparison reproduce exactly the mIoU, pixel accuracy, per-class IoU and confusion
# matrix that the fixture computed in numpy from PyTorch's outputs (and so does OpenCV DNN; the
# figures are also asserted by value, as documented); both comparison modes and
# both samplings give the same figures on this model (its output is at the input's resolution);
# an overstated claim fails (zooci eval) and declines (zooci validate); wrong outputs, class
# counts and masks are errors naming what is wrong.
#
# The fixture is examples/models/shapes_seg, made by `make examples` (or, alone,
# `/usr/bin/python3 tools/make_example_models.py --only shapes_seg`: a few minutes of one core).
SEG="$ZOOCI_SOURCE_DIR/examples/models/shapes_seg"
[[ -f "$SEG/zooci.yaml" && -f "$SEG/expected_miou.json" ]] ||
  skip "no segmentation fixture $SEG: run make examples (or tools/make_example_models.py --only shapes_seg)"

run_zooci 0 eval --format json -o result.json "$SEG"
/usr/bin/python3 - "$SEG/expected_miou.json" result.json <<'PY' || fail "the figures differ from the reference's"
import json, sys
expected, result = (json.load(open(p)) for p in sys.argv[1:3])
assert result["task"] == "semantic-segmentation", result["task"]
assert result["confusion"] == expected["confusion"], (result["confusion"], expected["confusion"])
for key in ("miou_percent", "pixel_accuracy_percent", "mean_accuracy_percent", "miou_classes",
            "evaluated_pixels"):
    assert result[key] == expected[key], (key, result[key], expected[key])
for got, want in zip(result["per_class"], expected["per_class"], strict=True):
    assert got["class"] == want["class"], (got, want)
    for key in ("iou", "accuracy", "ground_truth_pixels", "predicted_pixels", "true_positives"):
        assert got[key] == want[key], (got["class"], key, got[key], want[key])
assert result["images"] == 100 and result["ignored_pixels"] > 0, result
assert result["verdict"] == "pass" and result["claims"][0]["metric"] == "mIoU", result["claims"]
print("zooci eval: mIoU %.6f%%, as the reference computed" % result["miou_percent"])
PY
# The figures the fixture published, by value: a regenerated fixture that drifts (other package
# versions) must be looked at, not silently followed. The same numbers are in docs/segmentation.md.
/usr/bin/python3 - result.json <<'PY' || fail "the fixture's figures are not the documented ones"
import json, sys
result = json.load(open(sys.argv[1]))
assert result["confusion"] == [[263777, 143, 487, 73], [484, 6274, 6674, 1367],
                               [163, 5381, 13132, 1463], [320, 4435, 3606, 1171]], result["confusion"]
assert result["miou_percent"] == 44.154818987527996, result["miou_percent"]
assert result["pixel_accuracy_percent"] == 92.03884123644602, result["pixel_accuracy_percent"]
assert result["mean_accuracy_percent"] == 54.90517485319112, result["mean_accuracy_percent"]
assert (result["evaluated_pixels"], result["ignored_pixels"]) == (308950, 23338), result
PY
# OpenCV DNN, the other runtime, lands on the same decisions: the same matrix and figures.
run_zooci 0 eval --runtime opencv --format json -o opencv.json "$SEG"
/usr/bin/python3 - result.json opencv.json <<'PY' || fail "OpenCV DNN's figures differ"
import json, sys
ort, opencv = (json.load(open(p)) for p in sys.argv[1:3])
assert opencv["confusion"] == ort["confusion"], (opencv["confusion"], ort["confusion"])
assert opencv["miou_percent"] == ort["miou_percent"] and opencv["runtime"] != ort["runtime"]
PY
run_zooci 0 eval "$SEG"
expect_in "$OUT" "semantic-segmentation on onnxruntime"
expect_in "$OUT" "mIoU:"
expect_in "$OUT" "pixel accuracy:"
expect_in "$OUT" "claim:          mIoU claimed"
expect_in "$OUT" "verdict:        PASS"

copy_seg() {  # copy_seg DIR: the example's model and data with the given zooci.yaml on stdin
  mkdir -p "$1"
  cp -r "$SEG/model.onnx" "$SEG/README.md" "$SEG/classes.txt" "$SEG/images" "$SEG/masks" "$1/"
  cat > "$1/zooci.yaml"
}
without_claims() { grep -v -e '^claims:' -e '^  readme:' "$SEG/zooci.yaml"; }

# The other comparison mode and the other sampling land on the same pixels and decisions here
# (a letterbox without resampling, scores at the input's resolution); the padding is counted
# as not evaluated at the input's resolution.
without_claims | sed 's/compare_at: original/compare_at: input/' | copy_seg at_input
without_claims | sed 's/upsample: bilinear/upsample: nearest/' | copy_seg nearest
run_zooci 0 eval --format json -o at_input.json at_input
run_zooci 0 eval --format json -o nearest.json nearest
/usr/bin/python3 - result.json at_input.json nearest.json <<'PY' || fail "compare_at/upsample change the figures"
import json, sys
base, at_input, nearest = (json.load(open(p)) for p in sys.argv[1:4])
assert at_input["confusion"] == base["confusion"] and nearest["confusion"] == base["confusion"]
assert at_input["miou_percent"] == base["miou_percent"]
assert at_input["ignored_pixels"] > base["ignored_pixels"], (at_input["ignored_pixels"], base["ignored_pixels"])
assert nearest["ignored_pixels"] == base["ignored_pixels"]
PY

# Claims: an overstated mIoU in zooci.yaml fails with both numbers; a met pixel accuracy passes.
{ without_claims; printf 'claims:\n  miou: 99.5\n'; } | copy_seg overclaim
run_zooci 1 eval overclaim
expect_in "$OUT" "mIoU claimed 99.5%"
expect_in "$OUT" "NOT MET"
expect_in "$OUT" "verdict:        FAIL"
pixel=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pixel_accuracy_percent"])' result.json)
{ without_claims; printf 'claims:\n  pixel_accuracy: %s\n' "$pixel"; } | copy_seg pixel_claim
run_zooci 0 eval pixel_claim
expect_in "$OUT" "pixel accuracy claimed"

# Errors: another task's key, a wrong output name, a labels file that does not match the
# model's channels, a missing mask, a mask value that is no class.
{ without_claims; printf 'claims:\n  map: 50\n'; } | copy_seg task_keys
run_zooci 2 eval task_keys
expect_in "$ERR" "valid: miou, pixel_accuracy, readme"
without_claims | sed 's/  name: scores/  name: logits/' | copy_seg misnamed
run_zooci 2 eval misnamed
expect_in "$ERR" "the model has no output 'logits'"
without_claims | copy_seg three_classes
printf 'background\ncircle\nsquare\n' > three_classes/classes.txt
run_zooci 2 eval three_classes
expect_in "$ERR" "expected float scores ["
expect_in "$ERR" ", 3, H, W]"
without_claims | copy_seg no_mask
rm no_mask/masks/0007.png
run_zooci 2 eval no_mask
expect_in "$ERR" "no mask for 0007.png"
without_claims | copy_seg bad_mask
/usr/bin/python3 - bad_mask/masks/0003.png <<'PY'
import sys
import numpy as np
from PIL import Image
mask = np.array(Image.open(sys.argv[1]))
mask[2, 5] = 7
Image.fromarray(mask, "L").save(sys.argv[1])
PY
run_zooci 2 eval bad_mask
expect_in "$ERR" "0003.png: mask value 7 at (x 5, y 2)"

# A model that outputs class indices (`kind: labels`; DeepLab exports often end in an ArgMax):
# the example with ArgMax(axis=1) appended scores the same pixels the same way (nearest is the
# only sampling of indices; bilinear is refused); an index outside the classes is an error.
without_claims | sed -e 's/kind: logits/kind: labels/' -e 's/name: scores/name: labels/' \
  -e '/upsample:/d' | copy_seg labels
/usr/bin/python3 - labels/model.onnx labels_bad.onnx <<'PY'
import sys
import onnx
from onnx import helper, TensorProto
def with_labels(offset):
    model = onnx.load(sys.argv[1])
    graph = model.graph
    scores = graph.output[0].name
    graph.node.append(helper.make_node("ArgMax", [scores], ["argmax"], axis=1, keepdims=0))
    graph.node.append(helper.make_node("Constant", [], ["offset"],
                                       value=helper.make_tensor("offset", TensorProto.INT64, [], [offset])))
    graph.node.append(helper.make_node("Add", ["argmax", "offset"], ["labels"]))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("labels", TensorProto.INT64, None))
    return model
bad = with_labels(4)  # every index beyond the 4 classes
onnx.save(with_labels(0), sys.argv[1])
onnx.save(bad, sys.argv[2])
PY
run_zooci 0 eval --format json -o labels.json labels
/usr/bin/python3 - result.json labels.json <<'PY' || fail "a labels output changes the figures"
import json, sys
scores, labels = (json.load(open(path)) for path in sys.argv[1:])
for key in ("confusion", "miou_percent", "pixel_accuracy_percent", "evaluated_pixels"):
    assert scores[key] == labels[key], key
PY
without_claims | sed -e 's/kind: logits/kind: labels/' | copy_seg labels_bilinear
run_zooci 2 eval labels_bilinear
expect_in "$ERR" "output.kind labels is read with upsample: nearest"
cp labels_bad.onnx labels/model.onnx
run_zooci 2 eval labels
expect_in "$ERR" "has class index 4 at (x 0, y 0) of image 0 of the batch; the labels file has 4 classes"

# PASCAL VOC's masks are palette PNGs (indices 0..20 and 255 "void", each with a colour): the
# same masks saved so give the same figures, although OpenCV decodes them to colours. A palette
# whose two entries share a colour leaves those pixels' class ambiguous: an error naming one.
without_claims | copy_seg palette
/usr/bin/python3 - palette/masks <<'PY'
import glob, sys
import numpy as np
from PIL import Image
def voc_colour(index):  # VOC's colour map: the index's bits spread over R, G and B
    r = g = b = 0
    for shift in range(8):
        r |= ((index >> 0) & 1) << (7 - shift)
        g |= ((index >> 1) & 1) << (7 - shift)
        b |= ((index >> 2) & 1) << (7 - shift)
        index >>= 3
    return [r, g, b]
palette = [c for index in range(256) for c in voc_colour(index)]
for path in sorted(glob.glob(sys.argv[1] + "/*.png")):
    image = Image.fromarray(np.array(Image.open(path)), "P")
    image.putpalette(palette)
    image.save(path)
assert Image.open(path).mode == "P"
PY
run_zooci 0 eval --format json -o palette.json palette
/usr/bin/python3 - result.json palette.json <<'PY' || fail "palette masks change the figures"
import json, sys
indices, palette = (json.load(open(path)) for path in sys.argv[1:])
for key in ("confusion", "miou_percent", "pixel_accuracy_percent", "evaluated_pixels", "ignored_pixels"):
    assert indices[key] == palette[key], key
PY
without_claims | copy_seg palette_dup
cp palette/masks/*.png palette_dup/masks/
/usr/bin/python3 - palette_dup/masks/0002.png <<'PY'
import sys
from PIL import Image
image = Image.open(sys.argv[1])
palette = image.getpalette()
palette[3 * 3:3 * 3 + 3] = palette[0:3]  # this mask's triangle drawn like its background
image.putpalette(palette)
image.save(sys.argv[1])
PY
run_zooci 2 eval palette_dup
expect_in "$ERR" "0002.png: palette colour #000000 at (x 0, y 0)"
expect_in "$ERR" "is more than one palette entry: its class is ambiguous"
# A palette PNG whose palette chunk was cut out (hostile or broken): an error, never a guess.
without_claims | copy_seg palette_cut
cp palette/masks/*.png palette_cut/masks/
/usr/bin/python3 - palette_cut/masks/0004.png <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
at, out = 8, data[:8]
while at < len(data):
    (length,) = struct.unpack(">I", data[at:at + 4])
    if data[at + 4:at + 8] != b"PLTE":
        out += data[at:at + 12 + length]
    at += 12 + length
open(sys.argv[1], "wb").write(out)
PY
run_zooci 2 eval palette_cut
expect_in "$ERR" "0004.png: the mask is a palette PNG without a palette (PLTE chunk)"

# zooci validate: the model in a zoo folder whose README table claims 10 points more mIoU than
# measured is declined by the eval step, naming the README's line and both figures.
ZOO=zoo
FOLDER="$ZOO/validated/vision/object_detection_segmentation/shapes_seg"
mkdir -p "$FOLDER"
cp -r "$SEG/model.onnx" "$SEG/test_data_set_0" "$SEG/classes.txt" "$SEG/images" "$SEG/masks" "$SEG/zooci.yaml" \
  "$FOLDER/"
/usr/bin/python3 - "$SEG/README.md" "$FOLDER/README.md" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
for k, line in enumerate(lines):
    if line.startswith("|shapes_seg|"):
        cells = line.split("|")
        cells[-3] = "%.2f" % (float(cells[-3]) + 10)  # the mIoU (%) column
        lines[k] = "|".join(cells)
open(sys.argv[2], "w").write("\n".join(lines))
PY
run_zooci 1 validate "$ZOO"
expect_in "$OUT" "DECLINE"
expect_in "$OUT" "mIoU is claimed"
expect_in "$OUT" "README.md:"

# The zoo's own evaluation data (zooci-zoo.yaml `datasets: {semantic-segmentation: FOLDER}`, a
# zooci-dataset.yaml with a masks dataset): the claims are measured on it, and the summary says so.
ZOO2=zoo_data
FOLDER2="$ZOO2/validated/vision/object_detection_segmentation/shapes_seg"
mkdir -p "$FOLDER2" "$ZOO2/datasets/seg"
cp -r "$SEG/model.onnx" "$SEG/test_data_set_0" "$SEG/classes.txt" "$SEG/images" "$SEG/masks" \
  "$SEG/zooci.yaml" "$SEG/README.md" "$FOLDER2/"
cp -r "$SEG/images" "$SEG/masks" "$SEG/classes.txt" "$ZOO2/datasets/seg/"
rm "$ZOO2"/datasets/seg/images/000[1-9].png "$ZOO2"/datasets/seg/masks/000[1-9].png
printf 'dataset: {format: masks, path: images, annotations: masks, labels: classes.txt}\n' \
  > "$ZOO2/datasets/seg/zooci-dataset.yaml"
printf 'datasets:\n  semantic-segmentation: datasets/seg\n' > "$ZOO2/zooci-zoo.yaml"
run_zooci 1 validate --no-bench --cache-dir cache "$ZOO2"  # declined for its artifacts, not the eval
expect_in "$OUT" "(91 images), 2 claims checked, on the zoo's dataset datasets/seg"

# The zoo's semantic-segmentation baseline (zooci-zoo.yaml `baselines`): an mIoU below its minimum
# declines with both figures; a pixel accuracy above its minimum says nothing.
printf 'datasets:\n  semantic-segmentation: datasets/seg\nbaselines:\n  semantic-segmentation:\n    min_miou_percent: 50\n    min_pixel_accuracy_percent: 80\n' \
  > "$ZOO2/zooci-zoo.yaml"
run_zooci 1 validate --no-bench --cache-dir cache "$ZOO2"
expect_in "$OUT" "% is below the zoo's semantic-segmentation baseline (zooci-zoo.yaml:4), at least 50%"
! echo "$OUT" | grep -q "pixel accuracy [0-9.]*% is below" ||
  fail "a pixel accuracy above its minimum was reported"
