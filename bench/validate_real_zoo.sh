#!/usr/bin/env bash
# zooci validate over the real ONNX Model Zoo (../shared/reference/onnx-model-zoo), without bench:
# the clone as it is (Git LFS pointers) and with stand-in models (tools/make_zoo_standins.py), with
# -j 1 and -j 2, no cache. hyperfine reports the mean and spread of 5 runs each.
#   bash bench/validate_real_zoo.sh [BUILD_DIR]
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$REPO/build}"
ZOOCI="$BUILD/zooci"
REFERENCE=""
for dir in "${ZOOCI_REFERENCE_DIR:-}" "$REPO/../shared/reference" /work/shared/reference; do
  if [[ -n "$dir" && -d "$dir/onnx-model-zoo" ]]; then REFERENCE="$dir"; break; fi
done
[[ -n "$REFERENCE" ]] || { echo "no ../shared/reference/onnx-model-zoo" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for mode in pointers standins; do
  cp -r "$REFERENCE/onnx-model-zoo" "$WORK/$mode"
  mv "$WORK/$mode/dot-gitattributes" "$WORK/$mode/.gitattributes"
done
/usr/bin/python3 "$REPO/tools/make_zoo_standins.py" "$WORK/standins" > /dev/null
hyperfine --warmup 1 --runs 5 -i --export-markdown "$WORK/results.md" \
  -n "pointers -j1" "$ZOOCI validate --no-bench --no-cache $WORK/pointers" \
  -n "stand-ins -j1" "$ZOOCI validate --no-bench --no-cache $WORK/standins" \
  -n "stand-ins -j2" "$ZOOCI validate --no-bench --no-cache -j 2 $WORK/standins" > /dev/null
cat "$WORK/results.md"
