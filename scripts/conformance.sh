#!/usr/bin/env bash
# The per-operator conformance table of docs/conformance.md: the ONNX backend corpus through
# `zooci test -o REPORT.json` on each runtime (ort, opencv, reference; with its expect-fail list, which marks the
# nondeterministic cases), then `zooci conformance` over the reports.
#   scripts/conformance.sh ZOOCI --update docs/conformance.md   (make conformance)
#   scripts/conformance.sh ZOOCI --check docs/conformance.md    (tests/cli/conformance_table.sh)
# A runtime whose expect-fail list is out of date is noted on stderr; the table is still made
# from what ran.
set -euo pipefail
if [[ $# -ne 3 || ( "$2" != --update && "$2" != --check ) ]]; then
  echo "usage: $0 ZOOCI --update|--check DOC" >&2
  exit 2
fi
zooci="$1" mode="$2" doc="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${CORPUS:-/usr/share/libonnx-testdata/data}"
dirs=("$corpus/node" "$corpus/pytorch-converted" "$corpus/pytorch-operator" "$corpus/simple")
out="$(mktemp -d "${TMPDIR:-/tmp}/zooci-conformance.XXXXXX")"
trap 'rm -rf "$out"' EXIT
reports=()
shopt -s nullglob
for runtime in ort opencv reference; do
  lists=()
  for list in "$root"/data/expect-fail/onnx-backend-"$runtime"{,-*}.txt; do
    [[ -f "$list" ]] && lists+=("$list")
  done
  [[ ${#lists[@]} -eq 1 && -f "${lists[0]}" ]] || { echo "$0: expected one expect-fail list for $runtime" >&2; exit 2; }
  code=0
  "$zooci" test --runtime "$runtime" -j 2 --expect-fail "${lists[0]}" -o "$out/$runtime.json" \
    "${dirs[@]}" >"$out/$runtime.txt" || code=$?
  if [[ $code -gt 1 ]]; then cat "$out/$runtime.txt" >&2; exit "$code"; fi
  if [[ $code -eq 1 ]]; then
    echo "note: $runtime: $(tail -1 "$out/$runtime.txt") against ${lists[0]#"$root"/}, which is out of date" >&2
  fi
  reports+=("$runtime=$out/$runtime.json")
done
"$zooci" conformance "$mode" "$doc" "${reports[@]}"
