# zooci check survives every input that once broke it (tests/fuzz-regressions/*.onnx, found by
# bench/fuzz_check.sh) and a few built-in garbage inputs: exit 0 or 1, never 2 or a signal, and the
# JSON report is valid.
check_survives() {  # check_survives FILE
  local code=0
  "$ZOOCI" check --format json "$1" >"$SCRATCH/out" 2>"$SCRATCH/err" || code=$?
  if [[ "$code" != 0 && "$code" != 1 ]]; then
    echo "--- stderr"; tail -20 "$SCRATCH/err"
    fail "zooci check --format json $1 exited $code (expected 0 or 1; > 128 is a signal)"
  fi
  /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$SCRATCH/out" \
    || { head -c 2000 "$SCRATCH/out"; fail "zooci check --format json $1: output is not valid JSON"; }
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
echo "checked $count fuzz regression input(s) and 4 built-in garbage inputs"
