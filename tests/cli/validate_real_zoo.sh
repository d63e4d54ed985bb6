# zooci validate on the real ONNX Model Zoo (../shared/reference/onnx-model-zoo: a clone without
# Git LFS; every folder there was accepted by its maintainers), compared with the hand-reviewed
# expectations in tests/real-zoo/: every folder reviewed, every declining reason a true statement
# (each with its evidence there). Twice: as the clone is (LFS pointers: INCOMPLETE where nothing
# else declines), and with the pointers replaced by stand-in models that carry the manifest's opset,
# IR version and io_ports (tools/make_zoo_standins.py), so that the model table, manifest, check
# and test steps run on every folder. The stand-in run also sets the zoo's own repository (URLs
# into it are resolved offline) and the licences the ONNX Model Zoo accepts.
REFERENCE="$(reference_dir)"
[[ -n "$REFERENCE" && -d "$REFERENCE/onnx-model-zoo" ]] || skip "no ../shared/reference/onnx-model-zoo"
EXPECTED="$ZOOCI_SOURCE_DIR/tests/real-zoo"
LINES="$ZOOCI_SOURCE_DIR/tests/lib/review_lines.py"
copy_zoo() {  # copy_zoo DIR: the reference zoo as a checkout has it
  cp -r "$REFERENCE/onnx-model-zoo" "$1"
  mv "$1/dot-gitattributes" "$1/.gitattributes"
}
compare() {  # compare EXPECTED_FILE ACTUAL_FILE
  grep -v -E -e '^  evidence:' -e '^#( |$)' -e '^$' "$1" > expected.lines
  if ! diff -u expected.lines "$2" > diff.txt; then
    head -60 diff.txt
    fail "the review differs from $(basename "$1") (- expected, + actual)"
  fi
}

# 1. The clone as it is.
copy_zoo pointers
code=0
"$ZOOCI" validate --no-bench --no-cache --format json -o pointers.json pointers || code=$?
[[ $code == 1 ]] || fail "pointer mode exited $code, expected 1 (DECLINE)"
/usr/bin/python3 "$LINES" pointers.json > pointers.lines
compare "$EXPECTED/pointers.expected" pointers.lines

# 2. Stand-in models, the zoo's repository and licence policy.
copy_zoo standins
/usr/bin/python3 "$ZOOCI_SOURCE_DIR/tools/make_zoo_standins.py" standins > /dev/null
printf 'repository: onnx/models\nlicenses: [Apache-2.0, BSD-3-Clause, MIT]\n' > standins/zooci-zoo.yaml
code=0
"$ZOOCI" validate --no-bench --no-cache -j 2 --format json -o standins.json standins || code=$?
[[ $code == 1 ]] || fail "stand-in mode exited $code, expected 1 (DECLINE)"
/usr/bin/python3 "$LINES" --skip-steps artifacts standins.json > standins.lines
compare "$EXPECTED/standins.expected" standins.lines
# The README review does not depend on the model files: the same declining reasons.
/usr/bin/python3 "$LINES" --steps artifacts pointers.json > a1.lines
/usr/bin/python3 "$LINES" --steps artifacts standins.json > a2.lines
diff -u <(grep -v '^## ' a1.lines) <(grep -v '^## ' a2.lines) || fail "artifacts reasons differ"
