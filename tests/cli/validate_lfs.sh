# zooci validate on a real Git LFS repository with a local LFS remote (a bare repository: git-lfs
# 3 transfers objects to and from it with its standalone file agent). The three cases of a
# pointer in a checkout: content not fetched (INCOMPLETE, one zoo-wide notice; --fetch-lfs
# fetches it and the model is reviewed), an object never pushed (DECLINE), a pointer committed
# outside the .gitattributes LFS rules (DECLINE, with or without --fetch-lfs).
SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$SRC/.git" ]] || fail "missing example zoo: run make examples"
command -v git-lfs >/dev/null || fail "git-lfs is not installed"
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
git config --global user.name zooci-test
git config --global user.email test@zooci.example
git config --global init.defaultBranch main
DIGITS=validated/vision/classification/digits
FAST=(--no-bench --no-cache)
pointer() {  # pointer FILE: the Git LFS pointer text of FILE's content
  printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' \
    "$(sha256sum "$1" | cut -d' ' -f1)" "$(stat -c %s "$1")"
}

# The remote, and a zoo with one model folder pushed to it through Git LFS.
git init -q --bare remote.git
mkdir work && cd work
git init -q && git lfs install --local >/dev/null
cp "$SRC/README.md" "$SRC/LICENSE" "$SRC/ONNX_HUB_MANIFEST.json" "$SRC/.gitattributes" .
mkdir -p "$(dirname "$DIGITS")" && cp -r "$SRC/$DIGITS" "$DIGITS"
git add -A && git commit -q -m "digits" && git remote add origin ../remote.git
git push -q origin main 2>/dev/null
[[ -n "$(ls ../remote.git/lfs/objects 2>/dev/null)" ]] || fail "no LFS objects were pushed"

# Branch never-pushed: the model is replaced by a pointer to an object that is not on the remote.
git checkout -q -b never-pushed
cp "$DIGITS/model/digits-cnn-13.onnx" ../other.onnx && printf 'x' >> ../other.onnx
pointer ../other.onnx > "$DIGITS/model/digits-cnn-13.onnx.pointer"
rm "$DIGITS/model/digits-cnn-13.onnx"
mv "$DIGITS/model/digits-cnn-13.onnx.pointer" "$DIGITS/model/digits-cnn-13.onnx"
git add -A && git commit -q -m "unpushed object"
git config lfs.allowincompletepush true  # the pre-push hook reads the repository's config
git push -q origin never-pushed >/dev/null 2>&1

# Branch outside-rules: .gitattributes no longer routes archives through LFS, and the archive is
# committed as pointer text (a file copied from another LFS checkout).
git checkout -q main && git checkout -q -b outside-rules
grep -v 'tar.gz' .gitattributes > attributes && mv attributes .gitattributes
pointer "$DIGITS/model/digits-cnn-13.tar.gz" > pointer.txt
git rm -q --cached "$DIGITS/model/digits-cnn-13.tar.gz"
mv pointer.txt "$DIGITS/model/digits-cnn-13.tar.gz"
git add -A && git commit -q -m "archive outside the LFS rules"
git push -q origin outside-rules 2>/dev/null
cd ..

# A CI checkout: no LFS content; the filter is configured (as git lfs install does).
GIT_LFS_SKIP_SMUDGE=1 git clone -q remote.git zoo
git -C zoo lfs install --local >/dev/null
head -c 40 zoo/$DIGITS/model/digits-cnn-13.onnx | grep -q '^version https://git-lfs' ||
  fail "the clone holds content, not pointers"

# 1. Content not fetched: INCOMPLETE (exit 3), a zoo-wide notice, no decline.
run_zooci 3 validate "${FAST[@]}" zoo
expect_in "$OUT" "INCOMPLETE (1 of 1 model not fully reviewed)"
expect_in "$OUT" "2 model files of the reviewed folders are Git LFS pointers whose content is not in this checkout"
[[ "$OUT" != *"- "*"Git LFS"* ]] || fail "a pointer whose content was not fetched declined the model"
# --fetch-lfs fetches exactly the reviewed files, and the model is reviewed: ACCEPT.
run_zooci 0 validate "${FAST[@]}" --fetch-lfs zoo
expect_in "$OUT" "ACCEPT (1 model accepted)"
cmp -s zoo/$DIGITS/model/digits-cnn-13.onnx "$SRC/$DIGITS/model/digits-cnn-13.onnx" ||
  fail "the model was not fetched"

# 2. An object never pushed: DECLINE with --fetch-lfs, naming the object.
GIT_LFS_SKIP_SMUDGE=1 git -C zoo checkout -q never-pushed
run_zooci 1 validate "${FAST[@]}" --fetch-lfs --format json -o v.json zoo
/usr/bin/python3 - <<'PY' || fail "never-pushed"
import json
report = json.load(open("v.json"))
declining = [r for m in report["models"] for s in m["steps"] for r in s["reasons"] if r["declines"]]
lfs = [r for r in declining if "whose object the LFS server does not have" in r["message"]]
assert lfs and lfs[0]["file"].endswith("model/digits-cnn-13.onnx"), declining
assert "remote missing object" in lfs[0]["message"], lfs[0]["message"]
PY

# 3. A pointer outside the LFS rules: DECLINE, fetched or not.
GIT_LFS_SKIP_SMUDGE=1 git clone -q -b outside-rules remote.git outside
git -C outside lfs install --local >/dev/null
for fetch in "" --fetch-lfs; do
  run_zooci 1 validate "${FAST[@]}" $fetch outside
  expect_in "$OUT" "digits-cnn-13.tar.gz is a Git LFS pointer committed outside the .gitattributes LFS rules"
done
