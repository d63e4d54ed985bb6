#!/usr/bin/env bash
# Benchmark of zooci validate's result cache on the example zoo: a full validate (cold cache),
# then a re-validate after one model changed. Target: the unchanged models cost under 2 % of
# their first run. Appends the figures and the command to docs/benchmarks.md.
#   BUILD_DIR=build bash bench/validate_cache.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"
ZOOCI="$BUILD_DIR/zooci"
[[ -x "$ZOOCI" ]] || { echo "build zooci first (make build)" >&2; exit 2; }
[[ -d "$REPO/examples/zoo/.git" ]] || /usr/bin/python3 "$REPO/tools/make_example_zoo.py"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
git clone -q "$REPO/examples/zoo" "$WORK/zoo"

echo "full validate, cold cache..."
"$ZOOCI" validate --cache-dir "$WORK/cache" --format json -o "$WORK/first.json" "$WORK/zoo" || true
# Change one model: a new doc_string in the squeezenet model file.
CHANGED=validated/vision/classification/squeezenet
/usr/bin/python3 - "$WORK/zoo/$CHANGED/model/squeezenet1.1-13.onnx" <<'PY'
import onnx, sys
model = onnx.load(sys.argv[1])
model.doc_string = "SqueezeNet 1.1 (changed for the cache benchmark)"
onnx.save(model, sys.argv[1])
PY
echo "re-validate with $CHANGED changed..."
"$ZOOCI" validate --cache-dir "$WORK/cache" --format json -o "$WORK/second.json" "$WORK/zoo" || true

/usr/bin/python3 - "$WORK/first.json" "$WORK/second.json" "$CHANGED" "$REPO/docs/benchmarks.md" \
    "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" <<'PY'
import datetime, json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
changed, doc, cores, cpu = sys.argv[3:7]
def seconds(report):
    return {m["folder"]: sum(s["seconds"] for s in m["steps"]) for m in report["models"]}
a, b = seconds(first), seconds(second)
rows, unchanged_first, unchanged_second = [], 0.0, 0.0
for folder in sorted(a):
    cached = sum(1 for m in second["models"] if m["folder"] == folder for s in m["steps"] if s["cached"])
    rows.append("| %s | %.3f | %.3f | %.2f %% | %d |" % (
        folder + (" (changed)" if folder == changed else ""), a[folder], b[folder],
        100 * b[folder] / a[folder], cached))
    if folder != changed:
        unchanged_first += a[folder]; unchanged_second += b[folder]
share = 100 * unchanged_second / unchanged_first
verdict = "met" if share < 2 else "missed"
text = ["", "## zooci validate: result cache (%s)" % datetime.date.today(), "",
        "`BUILD_DIR=build bash bench/validate_cache.sh` (`make bench-validate`): a full "
        "`zooci validate` of the example zoo with an empty cache (all steps, bench included), "
        "then a re-validate after `%s`'s model file changed. Machine: %s cores, %s." % (changed, cores, cpu),
        "", "| model | first run (s) | re-validate (s) | share | cached steps |", "|---|---|---|---|---|"]
text += rows
text += ["", "Unchanged models: %.3f s first, %.3f s again = **%.2f %%** of their first run "
         "(target < 2 %%: **%s**). Total: %.2f s, then %.2f s." % (
             unchanged_first, unchanged_second, share, verdict, first["seconds"], second["seconds"])]
print("\n".join(text))
with open(doc, "a") as out:
    out.write("\n".join(text) + "\n")
PY
