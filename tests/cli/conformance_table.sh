# The per-operator conformance table committed in docs/conformance.md is what this build
# produces: the ONNX backend corpus on ONNX Runtime, OpenCV DNN and the reference interpreter (zooci test -o JSON), rendered
# by `zooci conformance --check`. It fails when any count moves (a runtime, ZooCI's comparison or
# the grouping changed): run `make conformance` and review the diff.
out="$(bash "$ZOOCI_SOURCE_DIR/scripts/conformance.sh" "$ZOOCI" --check "$ZOOCI_SOURCE_DIR/docs/conformance.md" 2>&1)" \
  || { echo "$out"; fail "docs/conformance.md's table is not what this build produces"; }
echo "$out" | tail -3
expect_in "$out" "the conformance table is up to date"
[[ "$out" != *"out of date"* ]] || fail "an expect-fail list is out of date: $out"

# --check fails on a table that differs by one count, and names the line.
cp "$ZOOCI_SOURCE_DIR/docs/conformance.md" "$SCRATCH/conformance.md"
sed -i 's/^| Abs | 1 | 1 |/| Abs | 1 | 0 |/' "$SCRATCH/conformance.md"
! cmp -s "$SCRATCH/conformance.md" "$ZOOCI_SOURCE_DIR/docs/conformance.md" || fail "the edit did not apply"
code=0
out="$(bash "$ZOOCI_SOURCE_DIR/scripts/conformance.sh" "$ZOOCI" --check "$SCRATCH/conformance.md" 2>&1)" || code=$?
[[ $code == 1 ]] || { echo "$out"; fail "--check on an edited table exited $code, expected 1"; }
expect_in "$out" "committed: | Abs | 1 | 0 |"
