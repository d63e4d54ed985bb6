# The ONNX backend corpus (1,072 cases) on OpenCV DNN 4.6: exactly the cases outside the committed
# expect-fail list pass, and the list is exact in both directions: a case that starts passing
# (UNEXPECTED-PASS, the closing count changes) or failing (a failure) fails this test, and so does
# an entry that no longer matches a case. 465 models import; 409 cases pass.
list="$ZOOCI_SOURCE_DIR/data/expect-fail/onnx-backend-opencv-4.6.txt"
run_zooci 0 test --runtime opencv -j 2 --expect-fail "$list" \
  "$CORPUS/node" "$CORPUS/pytorch-converted" "$CORPUS/pytorch-operator" "$CORPUS/simple"
echo "$OUT" | tail -3
expect_in "$OUT" "1072 cases"
expect_in "$OUT" "on opencv-dnn 4.6"
expect_in "$OUT" "663 expected failures"
[[ "$OUT" != *"UNEXPECTED-PASS"* ]] || fail "a listed case passes: update the list"
[[ "$OUT" != *"matched no case"* ]] || fail "stale expect-fail entries"
closing="$(echo "$OUT" | tail -1)"
[[ "$closing" == "409 passed, 0 failed" ]] || fail "closing line: $closing"
# Of the 663, 607 are refusals at import: 1,072 - 607 = 465 models import.
refused="$(grep -c '^[^#].* import: ' "$list")"
[[ "$refused" == 607 ]] || fail "expected 607 import refusals in the list, found $refused"
