# zooci eval on the digits example: ONNX Runtime reproduces PyTorch's accuracy exactly (same number
# of correct samples); an overstated claim fails with both numbers; bad input is a clear error.
DIGITS="$ZOOCI_SOURCE_DIR/examples/models/digits_cnn"
[[ -f "$DIGITS/zooci.yaml" ]] || fail "missing example: run make examples"

run_zooci 0 eval --format json -o result.json --confusion-svg confusion.svg "$DIGITS"
/usr/bin/python3 - "$DIGITS/expected_accuracy.json" <<'PY' || fail "accuracy differs from PyTorch's"
import json, sys
expected = json.load(open(sys.argv[1]))
result = json.load(open("result.json"))
assert result["top1_correct"] == expected["correct"], (result["top1_correct"], expected)
assert result["total"] == expected["total"], (result["total"], expected)
assert result["topk_correct"] == expected["top5_correct"], (result["topk_correct"], expected)
assert result["verdict"] == "pass", result["verdict"]
assert len(result["confusion"]) == 10 and sum(map(sum, result["confusion"])) == expected["total"]
print("zooci eval: %d of %d correct, as PyTorch measured" % (result["top1_correct"], result["total"]))
PY
grep -q '^<svg' confusion.svg || fail "confusion matrix is not an SVG"
run_zooci 0 eval "$DIGITS"
expect_in "$OUT" "verdict:        PASS"

# A copy of the folder whose scenario claims more than the model achieves.
make_copy() {  # make_copy DIR: the digits folder with its own zooci.yaml
  mkdir -p "$1"
  cp "$DIGITS/model.onnx" "$DIGITS/README.md" "$1/"
  cp -r "$DIGITS/dataset" "$1/dataset"
}
make_copy overclaim
sed -e 's/^claims:.*$/claims:/' -e 's/^  readme: .*$/  top1: 99.5/' "$DIGITS/zooci.yaml" > overclaim/zooci.yaml
run_zooci 1 eval overclaim
expect_in "$OUT" "top-1 claimed 99.5%"
expect_in "$OUT" "measured 98%"
expect_in "$OUT" "NOT MET"
expect_in "$OUT" "verdict:        FAIL"
run_zooci 0 eval --tolerance 2 overclaim

# Undecodable image: the error names the file.
make_copy broken
cp "$DIGITS/zooci.yaml" broken/
printf 'not a png' > broken/dataset/3/0000-broken.png
run_zooci 2 eval broken
expect_in "$ERR" "0000-broken.png"
expect_in "$ERR" "decode"

# Labels beyond the model's outputs.
make_copy offset
sed 's/label_offset: 0/label_offset: 5/' "$DIGITS/zooci.yaml" > offset/zooci.yaml
run_zooci 2 eval offset
expect_in "$ERR" "need 15 model classes, but the model's output has 10"

# A preprocessing result the model input cannot take: names the file and the shapes.
make_copy resized
sed 's/  - scale: /  - resize: {size: [10, 10], interpolation: nearest}\n  - scale: /' "$DIGITS/zooci.yaml" > resized/zooci.yaml
run_zooci 2 eval resized
expect_in "$ERR" "preprocessing gives [1,10,10] per image"
expect_in "$ERR" "expects [?,1,8,8]"

# An empty dataset, a CSV naming a missing file, and an unknown key.
make_copy empty
rm -rf empty/dataset/* && mkdir -p empty/dataset/0
cp "$DIGITS/zooci.yaml" empty/
run_zooci 2 eval empty
expect_in "$ERR" "no samples"
make_copy csv
printf '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n' > csv/labels.txt
printf 'dataset/0/%s,0\nmissing.png,1\n' "$(ls "$DIGITS/dataset/0" | head -1)" > csv/list.csv
sed -e 's/  format: imagefolder/  format: csv/' -e 's/  path: dataset/  path: list.csv\n  labels: labels.txt/' \
  "$DIGITS/zooci.yaml" > csv/zooci.yaml
run_zooci 2 eval csv
expect_in "$ERR" "list.csv:2"
expect_in "$ERR" "missing.png"
make_copy typo
sed 's/^tolerance:/tolerence:/' "$DIGITS/zooci.yaml" > typo/zooci.yaml
run_zooci 2 eval typo
expect_in "$ERR" "unknown key 'tolerence'"
run_zooci 2 eval /nonexistent
