# The whole ONNX backend corpus Debian ships (1,072 cases) passes on ONNX Runtime, apart from the
# committed expect-fail list, each entry of which is a checked gap of ORT 1.30 or of the data.
run_zooci 0 test -j 2 --expect-fail "$ZOOCI_SOURCE_DIR/data/expect-fail/onnx-backend-ort-1.30.txt" \
  "$CORPUS/node" "$CORPUS/pytorch-converted" "$CORPUS/pytorch-operator" "$CORPUS/simple"
echo "$OUT" | tail -3
expect_in "$OUT" "1072 cases"
expect_in "$OUT" "82 expected failures"
[[ "$(echo "$OUT" | tail -1)" == "990 passed, 0 failed" ]] || fail "closing line: $(echo "$OUT" | tail -1)"
[[ "$OUT" != *"matched no case"* ]] || fail "stale expect-fail entries"
