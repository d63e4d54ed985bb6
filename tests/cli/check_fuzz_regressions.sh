# zooci check survives every input that once broke it (tests/fuzz-regressions/*.onnx, found by
# bench/fuzz_check.sh) and a few built-in garbage inputs: exit 0 or 1, never 2 or a signal, and the
# JSON report is valid. Every input is tried; the failures are listed together.
failures=()
check_survives() {  # check_survives FILE
  local code=0 name="${1#"$ZOOCI_SOURCE_DIR"/}"
  "$ZOOCI" check --format json "$1" >"$SCRATCH/out" 2>"$SCRATCH/err" || code=$?
  if [[ "$code" != 0 && "$code" != 1 ]]; then
    echo "--- $name: stderr"; tail -5 "$SCRATCH/err"
    failures+=("$name: exit $code (expected 0 or 1; > 128 is signal $((code > 128 ? code - 128 : 0)))")
  elif ! /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$SCRATCH/out" 2>/dev/null; then
    echo "--- $name: stdout"; head -c 2000 "$SCRATCH/out"
    failures+=("$name: output is not valid JSON")
  fi
}

# Built-in garbage, always checked (the directory may hold only its README).
mkdir garbage
: > garbage/empty.onnx
/usr/bin/python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(20261130).randbytes(1 << 20))' \
  > garbage/random-1mib.onnx
model="$ZOOCI_SOURCE_DIR/examples/models/squeezenet1_1/model.onnx"
[[ -f "$model" ]] || model="$CORPUS/node/test_conv_with_strides_padding/model.onnx"
size=$(stat -c %s "$model")
head -c $(( size / 2 )) "$model" > garbage/truncated-half.onnx
head -c 3 "$model" > garbage/truncated-3-bytes.onnx
for f in garbage/*.onnx; do check_survives "$f"; done

count=0
for f in "$ZOOCI_SOURCE_DIR"/tests/fuzz-regressions/*.onnx; do
  [[ -f "$f" ]] || continue
  check_survives "$f"
  count=$((count + 1))
done
if (( ${#failures[@]} > 0 )); then
  printf '  %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} of $((count + 4)) inputs broke zooci check"
fi
echo "checked $count fuzz regression input(s) and 4 built-in garbage inputs"
