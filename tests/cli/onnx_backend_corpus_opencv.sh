# The ONNX backend corpus (1,072 cases) on OpenCV DNN 4.6: exactly the cases outside the committed
# expect-fail list pass, and the list is exact in both directions: a case that starts failing, or
# a listed case that starts passing (UNEXPECTED-PASS), fails this test, and so does an entry that
# no longer matches a case. 465 models import; 406 cases pass, and the list's three
# nondeterministic Dropout-mask cases (OpenCV leaves the mask unwritten) may pass or fail.
list="$ZOOCI_SOURCE_DIR/data/expect-fail/onnx-backend-opencv-4.6.txt"
run_zooci 0 test --runtime opencv -j 2 --expect-fail "$list" \
  "$CORPUS/node" "$CORPUS/pytorch-converted" "$CORPUS/pytorch-operator" "$CORPUS/simple"
echo "$OUT" | tail -3
expect_in "$OUT" "1072 cases"
expect_in "$OUT" "on opencv-dnn 4.6"
[[ "$OUT" != *"matched no case"* ]] || fail "stale expect-fail entries"
nondeterministic='^UNEXPECTED-PASS node/(test_dropout_default_mask|test_dropout_default_mask_ratio|test_training_dropout_zero_ratio_mask): '
unexpected="$(echo "$OUT" | grep '^UNEXPECTED-PASS' || true)"
if [[ -n "$unexpected" ]]; then
  other="$(echo "$unexpected" | grep -Ev "$nondeterministic" || true)"
  [[ -z "$other" ]] || fail "listed cases pass now, update the list: $other"
fi
lucky="$(echo "$unexpected" | grep -c . || true)"
closing="$(echo "$OUT" | tail -1)"
[[ "$closing" == "$((406 + lucky)) passed, 0 failed" ]] || fail "closing line: $closing"
expect_in "$OUT" "$((666 - lucky)) expected failures"
# 607 entries are refusals at import: 1,072 - 607 = 465 models import.
refused="$(grep -c '^[^#].* import: ' "$list")"
[[ "$refused" == 607 ]] || fail "expected 607 import refusals in the list, found $refused"
