#!/usr/bin/env bash
# Runs one black-box CLI case (a tests/cli/*.sh file) in a fresh scratch directory with helpers.
# Environment (set by ctest): ZOOCI (the binary), ZOOCI_SOURCE_DIR, ZOOCI_BINARY_DIR.
set -euo pipefail
case_script="$1"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/zooci-cli.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
export SCRATCH
CORPUS=/usr/share/libonnx-testdata/data
export CORPUS

fail() { echo "FAILED: $*" >&2; exit 1; }
# run_zooci EXPECTED_EXIT ARGS...: runs zooci, captures stdout/stderr in $OUT/$ERR, checks the exit.
run_zooci() {
  local expected="$1"; shift
  local code=0
  "$ZOOCI" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" || code=$?
  OUT="$(cat "$SCRATCH/out")"; ERR="$(cat "$SCRATCH/err")"
  if [[ "$code" != "$expected" ]]; then
    echo "--- stdout"; echo "$OUT" | tail -20; echo "--- stderr"; echo "$ERR" | tail -20
    fail "zooci $* exited $code, expected $expected"
  fi
}
expect_in() {  # expect_in TEXT NEEDLE
  [[ "$1" == *"$2"* ]] || { echo "$1" | tail -20; fail "output lacks: $2"; }
}
# The read-only reference material (../shared/reference): $ZOOCI_REFERENCE_DIR, then beside the
# source tree, then /work/shared/reference. Prints nothing when none exists; cases then skip.
reference_dir() {
  local dir
  for dir in "${ZOOCI_REFERENCE_DIR:-}" "$ZOOCI_SOURCE_DIR/../shared/reference" /work/shared/reference; do
    if [[ -n "$dir" && -d "$dir" ]]; then (cd "$dir" && pwd); return 0; fi
  done
}
# skip REASON: ends the case successfully, saying why it did not run.
skip() { echo "SKIP $(basename "$case_script"): $*"; exit 0; }
export -f fail run_zooci expect_in reference_dir skip

cd "$SCRATCH"
source "$case_script"
echo "PASS $(basename "$case_script")"
