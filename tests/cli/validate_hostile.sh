# Pull-request content is hostile: nothing outside the repository is read and no reason quotes
# it; git never takes a ref as an option; a zoo inside a larger repository is reviewed, never
# silently accepted; oversized pages are refused with a clear reason; a report file that cannot
# be written does not lose the review.
SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$SRC/.git" ]] || fail "missing example zoo: run make examples"
DIGITS=validated/vision/classification/digits
FAST=(--no-bench --no-cache)
fresh() {  # fresh DIR: a zoo with the digits folder only (not a git repository)
  rm -rf "$1" && mkdir -p "$1/$(dirname "$DIGITS")"
  cp "$SRC/README.md" "$SRC/LICENSE" "$SRC/ONNX_HUB_MANIFEST.json" "$SRC/.gitattributes" "$1/"
  cp -r "$SRC/$DIGITS" "$1/$DIGITS"
}
# A file outside every repository, whose content must never appear anywhere.
printf 'SECRET-OUTSIDE-CONTENT {"nbformat": 4}\n' > "$SCRATCH/outside.txt"
no_secret() {  # no_secret: neither stdout nor stderr nor any report quotes the outside file
  if grep -rq "SECRET-OUTSIDE" "$SCRATCH"/*.json "$SCRATCH"/out "$SCRATCH"/err 2>/dev/null; then
    fail "$1: the content of a file outside the repository appears in the output"
  fi
}

# 1. A notebook symlinked outside the repository: declined, never read.
fresh nb
ln -sf "$SCRATCH/outside.txt" nb/$DIGITS/dependencies/validation.ipynb
run_zooci 1 validate "${FAST[@]}" --format json -o nb.json nb
no_secret "symlinked notebook"
grep -q "dependencies/validation.ipynb is a symbolic link to '$SCRATCH/outside.txt', which leaves the repository; it was not read" nb.json ||
  fail "the symlinked notebook is not declined as such"

# 2. A README symlinked outside: the folder is reviewed and declined; nothing is read.
fresh readme
ln -sf "$SCRATCH/outside.txt" readme/$DIGITS/README.md
run_zooci 1 validate "${FAST[@]}" --format json -o readme.json readme
no_secret "symlinked README"
grep -q "the README was not read: $DIGITS/README.md is a symbolic link" readme.json ||
  fail "the symlinked README is not declined"

# 3. A dataset listing absolute and climbing paths: refused, the files are never opened.
fresh data
mkdir -p "$SCRATCH/elsewhere" && cp "$(ls data/$DIGITS/dataset/0/*.png | head -1)" "$SCRATCH/elsewhere/x.png"
printf '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n' > data/$DIGITS/labels.txt
for row in "$SCRATCH/elsewhere/x.png,0" "../../../../../elsewhere/x.png,0"; do
  printf '%s\n' "$row" > data/$DIGITS/rows.csv
  sed -i '/^dataset:/,/^preprocessing:/c\dataset:\n  format: csv\n  path: rows.csv\n  labels: labels.txt\npreprocessing:' data/$DIGITS/zooci.yaml
  run_zooci 1 validate "${FAST[@]}" data
  expect_in "$OUT" "is not a path inside the model folder; it was not read"
done
ln -sf "$SCRATCH/elsewhere" data/$DIGITS/linked
printf 'linked/x.png,0\n' > data/$DIGITS/rows.csv
run_zooci 1 validate "${FAST[@]}" data
expect_in "$OUT" "which leaves the repository; it was not read"

# 4. Git options in a ref never reach git as options; nothing is written.
rm -rf repo && git clone -q "$SRC" repo 2>/dev/null
run_zooci 2 validate "${FAST[@]}" "--changed-since=--output=$SCRATCH/written" repo
[[ ! -e "$SCRATCH/written" ]] || fail "git wrote a file named by --changed-since"
expect_in "$ERR" "not a revision"
run_zooci 2 validate "${FAST[@]}" --changed-since 'no-such-ref' repo
expect_in "$ERR" "no such commit"

# 5. A zoo that is a folder of a larger repository: the changed folder is reviewed.
rm -rf mono && mkdir -p mono && git -C mono init -q -b main
git -C mono -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m root
mkdir -p mono/zoos && fresh mono/zoos/onnx
git -C mono add -A >/dev/null 2>&1 && git -C mono -c user.name=t -c user.email=t@example.org commit -q -m zoo
git -C mono checkout -q -b change
printf '\nAnother line.\n' >> mono/zoos/onnx/$DIGITS/README.md
git -C mono -c user.name=t -c user.email=t@example.org commit -q -am "edit the digits README"
run_zooci 0 validate "${FAST[@]}" --changed-since main mono/zoos/onnx
expect_in "$OUT" "ACCEPT  $DIGITS (modified)"
# A change under the zoo that no folder holds or links is an error, never "no models to review".
git -C mono checkout -q -b stray main
mkdir -p mono/zoos/onnx/notes && printf 'x\n' > mono/zoos/onnx/notes/todo.txt
git -C mono add -A && git -C mono -c user.name=t -c user.email=t@example.org commit -q -m notes
run_zooci 2 validate "${FAST[@]}" --changed-since main mono/zoos/onnx
expect_in "$ERR" "touches 1 file under the zoo (notes/todo.txt) but no model folder"
# A change outside the zoo only: nothing to review, and that is true.
git -C mono checkout -q -b outside main
printf 'x\n' > mono/other.txt && git -C mono add -A &&
  git -C mono -c user.name=t -c user.email=t@example.org commit -q -m other
run_zooci 0 validate "${FAST[@]}" --changed-since main mono/zoos/onnx
expect_in "$OUT" "no models to review"

# 6. A 50 MB README: refused at once with the reason, not parsed.
fresh big
/usr/bin/python3 -c '
import sys
page = open(sys.argv[1]).read()
open(sys.argv[1], "w").write(page * (50 * 1024 * 1024 // len(page) + 1))' big/$DIGITS/README.md
start=$(date +%s)
run_zooci 1 validate "${FAST[@]}" big
[[ $(( $(date +%s) - start )) -lt 20 ]] || fail "a 50 MB README took $(( $(date +%s) - start )) s"
expect_in "$OUT" "MiB; zooci reads READMEs of up to 1 MiB"

# 7. A model file that is a symbolic link: never followed, reported as not reviewed.
fresh linked
ln -sf "$SCRATCH/outside.txt" linked/$DIGITS/model/extra-13.onnx
run_zooci 1 validate "${FAST[@]}" linked
expect_in "$OUT" "(extra-13.onnx): a symbolic link, not followed"
expect_in "$OUT" "extra-13.onnx is a symbolic link to '$SCRATCH/outside.txt', which leaves the repository"

# 8. An --html file that cannot be written: the review is still printed, then the error.
fresh html
run_zooci 2 validate "${FAST[@]}" --html /nonexistent/dir/report.html html
expect_in "$OUT" "ACCEPT (1 model accepted)"
expect_in "$ERR" "--html"
