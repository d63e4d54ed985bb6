# A pull request is judged by the zoo's rules as its base commit has them: a change that adds a
# model and relaxes zooci-zoo.yaml in the same commit (here: the licence policy) is still judged
# by the base's policy, and the edit is reported as unverified (the verdict is INCOMPLETE at best
# until a maintainer has read it). Deleting the file or replacing
# it with a symlink is no way around it either.
SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$SRC/.git" ]] || fail "missing example zoo: run make examples"
DIGITS=validated/vision/classification/digits
FAST=(--no-bench --no-cache)
GIT=(git -C zoo -c user.name=t -c user.email=t@example.org)

rm -rf zoo && mkdir -p zoo
cp "$SRC/README.md" "$SRC/LICENSE" "$SRC/ONNX_HUB_MANIFEST.json" "$SRC/.gitattributes" zoo/
printf 'licenses: [MIT]\n' > zoo/zooci-zoo.yaml
git init -q -b main zoo
"${GIT[@]}" add -A && "${GIT[@]}" commit -q -m base
base=$(git -C zoo rev-parse --short=12 HEAD)

# 1. The model alone: the base's policy declines it, and nothing is said about the configuration.
"${GIT[@]}" checkout -q -b add-model
mkdir -p "zoo/$(dirname "$DIGITS")" && cp -r "$SRC/$DIGITS" "zoo/$DIGITS"
"${GIT[@]}" add -A && "${GIT[@]}" commit -q -m "add digits"
run_zooci 1 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "which is not one the zoo accepts: the zoo accepts MIT (zooci-zoo.yaml:1)"
[[ "$OUT" != *"this change edits zooci-zoo.yaml"* ]] || fail "an unchanged configuration was reported"

# 2. The same change also accepts Apache-2.0 in zooci-zoo.yaml: still declined by the base's
#    policy, with the edit reported as not verified.
"${GIT[@]}" checkout -q -b relax
printf 'licenses: [Apache-2.0, MIT]\n' > zoo/zooci-zoo.yaml
"${GIT[@]}" commit -q -am "accept Apache-2.0"
run_zooci 1 validate "${FAST[@]}" --changed-since main --format json -o relax.json zoo
/usr/bin/python3 - relax.json "$base" <<'PY' || fail "the relaxed policy governed the review"
import json, sys
report, base = json.load(open(sys.argv[1])), sys.argv[2]
assert report["verdict"] == "DECLINE", report["verdict"]
declines = [x["message"] for m in report["models"] for s in m["steps"] for x in s["reasons"]
            if x["declines"]]
assert any("the zoo accepts MIT (zooci-zoo.yaml:1)" in d for d in declines), declines
zoo = [x for x in report["zoo_reasons"] if x["file"] == "zooci-zoo.yaml"]
assert len(zoo) == 1 and not zoo[0]["declines"] and zoo[0]["level"] == "unverified", zoo
expected = ("this change edits zooci-zoo.yaml; the review applied the base commit's (" + base +
            ") configuration, not the edited one: a maintainer must review the change")
assert zoo[0]["message"] == expected, zoo[0]["message"]
PY
# Reviewing the working tree (no --changed-since), the file there governs: a maintainer's run.
run_zooci 0 validate "${FAST[@]}" zoo

# 3. Deleting the file does not fall back to the defaults.
"${GIT[@]}" checkout -q add-model && "${GIT[@]}" checkout -q -b delete
"${GIT[@]}" rm -q zooci-zoo.yaml && "${GIT[@]}" commit -q -m "no policy"
run_zooci 1 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "the zoo accepts MIT (zooci-zoo.yaml:1)"
expect_in "$OUT" "this change edits zooci-zoo.yaml; the review applied the base commit's ($base) configuration"

# 4. A symlink in its place (to a file outside the repository) is neither followed nor quoted;
#    the edit is reported with why the edited file cannot be read.
"${GIT[@]}" checkout -q add-model && "${GIT[@]}" checkout -q -b symlink
printf 'licenses: [Apache-2.0]\n' > outside.yaml
rm zoo/zooci-zoo.yaml && ln -s "$PWD/outside.yaml" zoo/zooci-zoo.yaml
"${GIT[@]}" add -A && "${GIT[@]}" commit -q -m "policy elsewhere"
run_zooci 1 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "the zoo accepts MIT (zooci-zoo.yaml:1)"
expect_in "$OUT" "(the edited file does not parse: zooci-zoo.yaml: not a regular file)"
[[ "$OUT" != *"Apache-2.0]"* ]] || fail "the symlink's target was quoted"

# 5. A base without the file: its defaults govern. A change to the file alone is no error
#    ("nothing to review"): it is INCOMPLETE until a maintainer has read it.
rm -rf zoo2 && git clone -q zoo zoo2 && git -C zoo2 checkout -q add-model
git -C zoo2 -c user.name=t -c user.email=t@example.org rm -q zooci-zoo.yaml
git -C zoo2 -c user.name=t -c user.email=t@example.org commit -q -m "no policy"
git -C zoo2 branch -q nopolicy
printf 'licenses: [MIT]\n' > zoo2/zooci-zoo.yaml
git -C zoo2 add -A && git -C zoo2 -c user.name=t -c user.email=t@example.org commit -q -m strict
run_zooci 3 validate "${FAST[@]}" --changed-since nopolicy zoo2
expect_in "$OUT" "the review applied the base commit's ($(git -C zoo2 rev-parse --short=12 nopolicy)) defaults (it had no such file)"
