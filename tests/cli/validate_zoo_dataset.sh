# The zoo's own evaluation data (datasets: in zooci-zoo.yaml): a submission that brings a
# cherry-picked dataset (only the classes its model gets right) meets an over-stated claim on its
# own data, and is declined once the zoo measures claims on the zoo's data. The zoo's dataset is
# held inside the zoo, a broken one leaves the claims unverified (never a pass), and a pull
# request that edits it is reported for a maintainer.
SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$SRC/.git" ]] || fail "missing example zoo: run make examples"
DIGITS=validated/vision/classification/digits
FAST=(--no-bench --no-cache)

rm -rf zoo && mkdir -p "zoo/$(dirname "$DIGITS")" zoo/datasets/digits
cp "$SRC/README.md" "$SRC/LICENSE" "$SRC/ONNX_HUB_MANIFEST.json" "$SRC/.gitattributes" zoo/
cp -r "$SRC/$DIGITS" "zoo/$DIGITS"
# The zoo's data: the example's 450 images (the model gets 441 right: 98%).
cp -r "zoo/$DIGITS/dataset" zoo/datasets/digits/images
printf 'dataset:\n  format: imagefolder\n  path: images\n' > zoo/datasets/digits/zooci-dataset.yaml

# The submitter keeps only the classes the model never gets wrong, and claims 99.9%.
"$ZOOCI" eval --format json "zoo/$DIGITS" > eval.json || fail "zooci eval failed"
/usr/bin/python3 - eval.json "zoo/$DIGITS" <<'PY' || fail "cannot cherry-pick the dataset"
import json, shutil, sys
report, folder = json.load(open(sys.argv[1])), sys.argv[2]
names = [row["class"] for row in report["per_class"]]
open(folder + "/labels.txt", "w").write("\n".join(names) + "\n")
dropped = [row["class"] for row in report["per_class"] if row["correct"] != row["total"]]
assert dropped and len(dropped) < len(names), dropped
for name in dropped:
    shutil.rmtree(folder + "/dataset/" + name)
PY
sed -i 's/^  path: dataset$/  path: dataset\n  labels: labels.txt/' "zoo/$DIGITS/zooci.yaml"
sed -i 's/|1.8.0|13|98.00|100.00|/|1.8.0|13|99.90|100.00|/' "zoo/$DIGITS/README.md"

# 1. On its own data the claim holds, and the report says whose data it was.
run_zooci 0 validate "${FAST[@]}" zoo
expect_in "$OUT" "top-1 100% (90 of 90)"
expect_in "$OUT" "2 claims checked, on the submission's own dataset"

# 2. The zoo measures claims on its data: 98% against the claimed 99.9%.
printf 'datasets:\n  image-classification: datasets/digits\n' > zoo/zooci-zoo.yaml
run_zooci 1 validate "${FAST[@]}" zoo
expect_in "$OUT" "top-1 accuracy is claimed 99.9% (README.md:"
expect_in "$OUT" "but measures 98%"
expect_in "$OUT" "top-1 98% (441 of 450), 2 claims checked, on the zoo's dataset datasets/digits"
# With the cache: the same result, and not the one measured on the submission's data.
run_zooci 1 validate --no-bench zoo
run_zooci 1 validate --no-bench zoo
expect_in "$OUT" "on the zoo's dataset datasets/digits"
printf '' > zoo/zooci-zoo.yaml
run_zooci 0 validate --no-bench zoo
expect_in "$OUT" "on the submission's own dataset"

# 3. A zoo dataset that cannot be read leaves the claims unverified: INCOMPLETE, never a pass.
printf 'datasets:\n  image-classification: datasets/missing\n' > zoo/zooci-zoo.yaml
run_zooci 3 validate "${FAST[@]}" zoo
expect_in "$OUT" "the zoo's dataset for image-classification (datasets/missing, zooci-zoo.yaml:2) cannot be read"
expect_in "$OUT" "the claims were not checked"

# 4. Nor can it leave the zoo: a symlinked folder is not followed, a path with .. is an error.
mkdir -p outside && cp -r zoo/datasets/digits outside/digits
ln -s "$PWD/outside/digits" zoo/datasets/linked
printf 'datasets:\n  image-classification: datasets/linked\n' > zoo/zooci-zoo.yaml
run_zooci 3 validate "${FAST[@]}" zoo
expect_in "$OUT" "(datasets/linked, zooci-zoo.yaml:2) cannot be read"
[[ "$OUT" != *"$PWD/outside"* ]] || fail "a path outside the zoo was quoted"
rm zoo/datasets/linked
printf 'datasets:\n  image-classification: ../outside/digits\n' > zoo/zooci-zoo.yaml
run_zooci 2 validate "${FAST[@]}" zoo
expect_in "$ERR" "zooci-zoo.yaml:2: datasets.image-classification: expected a folder inside the zoo"

# 5. In a pull request, an edit of the zoo's dataset is reported for a maintainer (INCOMPLETE at
#    best), also when it is the only change (not "nothing to review").
printf 'datasets:\n  image-classification: datasets/digits\n' > zoo/zooci-zoo.yaml
rm -rf "zoo/$DIGITS"
GIT=(git -C zoo -c user.name=t -c user.email=t@example.org)
git init -q -b main zoo && "${GIT[@]}" add -A && "${GIT[@]}" commit -q -m base
"${GIT[@]}" checkout -q -b easier
"${GIT[@]}" rm -q -r datasets/digits/images/8 && "${GIT[@]}" commit -q -m "fewer eights"
run_zooci 3 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "this change edits the zoo's dataset for image-classification (datasets/digits, "
expect_in "$OUT" "a maintainer must review the change"
