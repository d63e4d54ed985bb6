# The check mutation corpus (tools/make_check_mutations.py): every single-mutation model draws
# its rule with its severity and no other error, and the exit code follows the severity; the
# unmutated base models are clean even under --profile zoo. Cases marked "known_gap" in their
# expect.json (zooci check disagrees with the rule docs) are run but not failed: skipped with a
# note, or pointed out once they match.
expect_tool="$ZOOCI_SOURCE_DIR/tests/lib/check_expect.py"
corpus="$SCRATCH/mutations"
/usr/bin/python3 "$ZOOCI_SOURCE_DIR/tools/make_check_mutations.py" --out "$corpus" \
  >"$SCRATCH/generate.log" 2>&1 || { cat "$SCRATCH/generate.log"; fail "generator failed"; }

for base in "$corpus"/_bases/*/; do
  run_zooci 0 check --format json --profile zoo "$base/model.onnx"
  /usr/bin/python3 "$expect_tool" clean "$SCRATCH/out" ||
    fail "base model $(basename "$base") is not clean under --profile zoo"
done

# check_case DIR PROFILE: runs zooci on the case; 0 when it matches, else sets $verdict.
check_case() {
  local code=0
  verdict=""
  "$ZOOCI" check --format json --profile "$2" "$1/model.onnx" >"$SCRATCH/out" 2>"$SCRATCH/err" ||
    code=$?
  if [[ "$code" != 0 && "$code" != 1 ]]; then
    verdict="zooci exited $code: $(tail -3 "$SCRATCH/err")"
    return 1
  fi
  verdict="$(/usr/bin/python3 "$expect_tool" verify "$1" "$SCRATCH/out" "$code" 2>&1)"
}

cases=0 missed=0 skipped=0 failed=0
for dir in "$corpus"/*/; do
  dir="${dir%/}"
  [[ -f "$dir/expect.json" ]] || continue
  name="$(basename "$dir")"
  cases=$((cases + 1))
  plan="$(/usr/bin/python3 "$expect_tool" plan "$dir")" || fail "$name: unreadable expect.json"
  IFS=$'\t' read -r want_exit profile misses gap <<<"$plan"
  [[ "$misses" == 1 ]] && missed=$((missed + 1))
  if [[ "$gap" != "-" ]]; then
    # Not failed either way; a gap that closed is pointed out so its mark can go.
    if check_case "$dir" "$profile"; then
      echo "NOTE $name matches its expect.json now: remove its known_gap"
    else
      echo "SKIP $name (known gap: $gap)"
    fi
    skipped=$((skipped + 1))
    continue
  fi
  if ! check_case "$dir" "$profile"; then
    echo "MISMATCH $name (expected exit $want_exit): $verdict"
    failed=$((failed + 1))
  fi
done

echo "$cases mutation cases, $missed of them missed by onnx.checker"
(( skipped == 0 )) || echo "$skipped case(s) skipped as known checker gaps"
(( cases >= 40 )) || fail "only $cases mutation cases generated, expected at least 40"
(( failed == 0 )) || fail "$failed of $cases mutation cases do not match their expect.json"
