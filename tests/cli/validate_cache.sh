# The step cache is invisible: after each change to one input a step reads (or one option it
# takes), a run with a warm cache reports exactly what a run with --no-cache reports. Inputs: the
# model's bytes (an edit keeping size and modification time), its external data, a dataset image,
# the scenario, the README's claim, the sandbox's timeout; the same model in two folders and in
# two checkouts; a damaged cache entry.
SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$SRC/.git" ]] || fail "missing example zoo: run make examples"
DIGITS=validated/vision/classification/digits
CACHE="$SCRATCH/cache"
ZOO=zoo
mkdir -p zoo/$(dirname $DIGITS)
cp "$SRC/README.md" "$SRC/LICENSE" "$SRC/ONNX_HUB_MANIFEST.json" "$SRC/.gitattributes" zoo/
cp -r "$SRC/$DIGITS" zoo/$DIGITS
MODEL=zoo/$DIGITS/model/digits-cnn-13.onnx

view() {  # view REPORT.json: what a review says, without timings and cache marks
  /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["verdict"])
for m in r["models"]:
    print("##", m["folder"], m["verdict"])
    for s in m["steps"]:
        print(s["name"], s["status"], s["summary"])
        for x in s["reasons"]:
            print("  ", x["level"], x["file"], x["line"], x["node"], x["message"])
for x in r["zoo_reasons"]:
    print("zoo", x["level"], x["file"], x["message"])' "$1"
}
# same NAME [ZOOCI FLAGS...]: a warm-cache run equals a fresh one, and the cache was used.
same() {
  local name="$1"; shift
  local code=0
  "$ZOOCI" validate --no-bench --cache-dir "$CACHE" --format json -o cached.json "$@" "$ZOO" || code=$?
  local fresh=0
  "$ZOOCI" validate --no-bench --no-cache --format json -o fresh.json "$@" "$ZOO" || fresh=$?
  [[ $code == "$fresh" ]] || fail "$name: exit $code with the cache, $fresh without"
  view cached.json > cached.txt
  view fresh.json > fresh.txt
  diff -u fresh.txt cached.txt > diff.txt || { head -30 diff.txt; fail "$name: the cached run differs"; }
  grep -q '"cached": true' cached.json || true
}

# Fill the cache, and check that it is used at all.
"$ZOOCI" validate --no-bench --cache-dir "$CACHE" zoo > /dev/null
"$ZOOCI" validate --no-bench --cache-dir "$CACHE" --format json -o warm.json zoo
grep -q '"cached": true' warm.json || fail "the second run used no cached step"
same unchanged

# 1. The model's bytes change; size and modification time are put back (touch -d).
stamp="$(stat -c %y "$MODEL")"
/usr/bin/python3 - "$MODEL" <<'PY'
import sys, onnx
from onnx import numpy_helper
path = sys.argv[1]
model = onnx.load(path)
weights = model.graph.initializer[0]
array = numpy_helper.to_array(weights).copy()
array.flat[0] = -array.flat[0] * 4 + 3
weights.CopyFrom(numpy_helper.from_array(array, weights.name))
data = model.SerializeToString()
old = open(path, "rb").read()
assert len(data) == len(old), (len(data), len(old))
open(path, "r+b").write(data)
PY
touch -d "$stamp" "$MODEL"
same "model edited, size and mtime kept"
grep -q 'test fail' fresh.txt || fail "the edited model should fail its test data"

# 2. The model's external data: the weights move to a .data file, then that file changes.
cp "$SRC/$DIGITS/model/digits-cnn-13.onnx" "$MODEL"
/usr/bin/python3 - "$MODEL" <<'PY'
import sys, onnx
path = sys.argv[1]
model = onnx.load(path)
onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                location="digits.data", size_threshold=0)
PY
same "weights moved to external data"
/usr/bin/python3 - zoo/$DIGITS/model/digits.data <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
for i in range(0, 64):
    data[i] ^= 0x55
open(path, "wb").write(bytes(data))
PY
same "external data changed"
rm -f zoo/$DIGITS/model/digits.data
cp "$SRC/$DIGITS/model/digits-cnn-13.onnx" "$MODEL"
same "model restored"

# 3. A dataset image changes class; the scenario's tolerance changes; the README's claim changes.
first_zero="$(ls zoo/$DIGITS/dataset/0 | head -1)"
mv "zoo/$DIGITS/dataset/0/$first_zero" "zoo/$DIGITS/dataset/1/$first_zero"
same "dataset image moved to another class"
sed -i 's/^tolerance: .*/tolerance: 0.01/' zoo/$DIGITS/zooci.yaml
same "scenario tolerance"
sed -i 's/|98.00|100.00|/|97.50|100.00|/' zoo/$DIGITS/README.md
same "README claim"

# 4. The sandbox's limits: a timeout under one setting is never replayed under another.
same "timeout 1 ms" --timeout-ms 1
same "timeout back to the default"
grep -q 'test pass' fresh.txt || fail "the test step should pass again with the default timeout"

# 5. The same model in two folders: each folder's messages name its own files.
cp -r zoo/$DIGITS zoo/${DIGITS}_copy
same "two folders with the same files"
# 6. Another checkout with the same cache: no absolute path of either checkout appears.
cp -r zoo checkout2 && ZOO=checkout2
same "another checkout"
if grep -q "$SCRATCH" cached.json; then fail "an absolute path leaked into the report"; fi

# 7. A damaged cache entry (an unknown status) is a miss, never a pass.
for entry in "$CACHE"/*.json; do
  sed -i 's/"status":"[a-z]*"/"status":"passed-maybe"/' "$entry"
done
same "damaged entries"

# 8. Another build of zooci-worker with the same version number (here a wrapper script, whose
#    identity is its size and time): nothing the other build computed is replayed.
printf '#!/bin/sh\nexec "%s" "$@"\n' "$(dirname "$ZOOCI")/zooci-worker" > other-worker
chmod +x other-worker
"$ZOOCI" validate --no-bench --cache-dir "$CACHE" --format json -o rebuilt.json \
  --worker "$PWD/other-worker" "$ZOO" || true
if grep -q '"cached": true' rebuilt.json; then fail "another build replayed the cache"; fi
"$ZOOCI" validate --no-bench --cache-dir "$CACHE" --format json -o rebuilt2.json \
  --worker "$PWD/other-worker" "$ZOO" || true
grep -q '"cached": true' rebuilt2.json || fail "the same build's second run used no cached step"
