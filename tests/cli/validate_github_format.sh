# zooci validate --format github (the route without a server): workflow commands on the
# repository's files, the Markdown report appended to $GITHUB_STEP_SUMMARY, the verdict's exit code.
ZOO_SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$ZOO_SRC/.git" ]] || fail "missing example zoo: run make examples"
export GIT_LFS_SKIP_SMUDGE=1
mkdir ws
git clone -q "$ZOO_SRC" ws/zoo
git -C ws/zoo fetch -q origin '+refs/heads/*:refs/heads/*' 2>/dev/null || true
git -C ws/zoo checkout -q submission/missing-readme-sections

# The zoo is a folder of the workspace: annotation paths carry "zoo/".
export GITHUB_WORKSPACE="$SCRATCH/ws" GITHUB_STEP_SUMMARY="$SCRATCH/summary.md"
echo "earlier step's summary" > summary.md
run_zooci 1 validate --no-bench --fetch-lfs --cache-dir "$SCRATCH/cache" --changed-since main \
  --format github ws/zoo
expect_in "$OUT" "::error file=zoo/validated/vision/classification/digits_v2/README.md"
expect_in "$OUT" "title=validated/vision/classification/digits_v2 (artifacts%2C declines)::"
[[ "$(tail -1 <<<"$OUT")" == "::error title=zooci validate::DECLINE: 1 of 1 model declined" ]] ||
  fail "last line: $(tail -1 <<<"$OUT")"
while IFS= read -r line; do
  [[ "$line" =~ ^::(error|warning|notice)\  ]] || fail "not a workflow command: $line"
done <<<"$OUT"
# Appended, not overwritten: the earlier step's summary stays.
expect_in "$(cat summary.md)" "earlier step's summary"
expect_in "$(cat summary.md)" "## ZooCI: ❌ DECLINE"

# Accepted: a notice, exit 0; without $GITHUB_STEP_SUMMARY nothing is written anywhere else.
git -C ws/zoo checkout -q submission/good
unset GITHUB_STEP_SUMMARY
run_zooci 0 validate --no-bench --fetch-lfs --cache-dir "$SCRATCH/cache" --changed-since main \
  --format github ws/zoo
[[ "$(tail -1 <<<"$OUT")" == "::notice title=zooci validate::ACCEPT: 1 model accepted" ]] ||
  fail "last line: $(tail -1 <<<"$OUT")"
