# zooci validate end to end on the example zoo (tools/make_example_zoo.py): main is accepted,
# the good submission is accepted, and each bad submission is declined with exactly its reason.
ZOO_SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
SUBMISSIONS="$ZOOCI_SOURCE_DIR/examples/zoo-submissions.json"
[[ -d "$ZOO_SRC/.git" && -f "$SUBMISSIONS" ]] || fail "missing example zoo: run make examples"
# As a CI checkout does: no Git LFS content at clone time; zooci fetches what it reviews.
export GIT_LFS_SKIP_SMUDGE=1
git clone -q "$ZOO_SRC" zoo
git -C zoo fetch -q origin '+refs/heads/*:refs/heads/*' 2>/dev/null || true

# Without the content, nothing is accepted: the models could not be checked (INCOMPLETE, exit 3).
run_zooci 3 validate --no-bench --no-cache zoo
expect_in "$OUT" "INCOMPLETE (4 of 4 models not fully reviewed)"
expect_in "$OUT" "8 model files of the reviewed folders are Git LFS pointers whose content is not in this checkout"
FAST=(--no-bench --fetch-lfs --cache-dir "$SCRATCH/cache")

# main: every model accepted; the reports in every format.
run_zooci 0 validate "${FAST[@]}" --html report.html -j 2 zoo
expect_in "$OUT" "ACCEPT (4 models accepted)"
run_zooci 0 validate "${FAST[@]}" --format json -o report.json zoo
run_zooci 0 validate "${FAST[@]}" --format junit -o report.xml zoo
run_zooci 0 validate "${FAST[@]}" --format markdown zoo
expect_in "$OUT" "## ZooCI: ✅ ACCEPT"
grep -q "<html" report.html || fail "no HTML report"
/usr/bin/python3 - <<'PY' || fail "JSON/JUnit reports"
import json, xml.dom.minidom
report = json.load(open("report.json"))
assert report["verdict"] == "ACCEPT" and len(report["models"]) == 4, report["verdict"]
steps = [s["name"] for s in report["models"][0]["steps"]]
assert steps == ["artifacts", "integrity", "check", "test", "eval", "bench"], steps
# The second run hit the cache for the model steps.
assert any(s.get("cached") for m in report["models"] for s in m["steps"]), "no cached step"
xml.dom.minidom.parse("report.xml")
PY

# Each submission branch: the verdict and the reason it must give.
/usr/bin/python3 - "$SUBMISSIONS" > cases.tsv <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["submissions"]:
    print("\t".join([s["branch"], s["model"], s["verdict"], s["reason"]]))
PY
declare -A REASON=(
  [submission/missing-readme-sections]=" section: looked for headings or bold labels "
  [submission/wrong-opset]="the model table says opset 12 but"
  [submission/broken-test-data]="40 of 40 elements differ"
  [submission/lfs-pointer]="is a Git LFS pointer whose object the LFS server does not have"
  [submission/overclaim]="top-1 accuracy is claimed 99.9%"
  [submission/unsafe-external-data]="ZC0502 external-location-unsafe"
  [submission/no-main-readme-link]="the main README does not link to"
  [submission/detection-overclaim]="mAP is claimed"
  [submission/segmentation-overclaim]="mIoU is claimed"
)
count=0
while IFS=$'\t' read -r branch model verdict reason; do
  git -C zoo checkout -q "$branch"
  expected_exit=0; [[ "$verdict" == "DECLINE" ]] && expected_exit=1
  # --fetch-lfs: a pointer's object is fetched, or found missing (submission/lfs-pointer).
  [[ "$verdict" == "ACCEPT" || -n "${REASON[$branch]:-}" ]] ||
    fail "$branch: a declined submission without the reason this test expects"
  run_zooci "$expected_exit" validate "${FAST[@]}" --changed-since main --format json -o "v.json" zoo
  /usr/bin/python3 - "$model" "$verdict" "${REASON[$branch]:-}" <<'PY' || fail "$branch"
import json, sys
model, verdict, needle = sys.argv[1:]
report = json.load(open("v.json"))
assert report["verdict"] == verdict, (report["verdict"], verdict)
reviews = {m["folder"]: m for m in report["models"]}
assert model in reviews, (model, list(reviews))
declining = [r for m in report["models"] for s in m["steps"] for r in s["reasons"] if r["declines"]]
declining += [r for r in report["zoo_reasons"] if r["declines"]]
if verdict == "ACCEPT":
    assert not declining, declining
    # Every added model states a claim (top-1, mAP or mIoU) that the eval step measured and met.
    claims = [c for s in reviews[model]["steps"] if s["name"] == "eval"
              for c in s.get("details", {}).get("claims", [])]
    assert claims and all(c["passed"] for c in claims), claims
else:
    # Exactly its reason: every declining reason is the expected defect.
    assert needle and declining and all(needle in r["message"] for r in declining), (
        needle, [r["message"] for r in declining])
print("%s: %s as expected" % (sys.argv[1], verdict))
PY
  count=$((count + 1))
done < cases.tsv
git -C zoo checkout -q submission/rename
run_zooci 0 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "renamed from validated/vision/classification/digits"
[[ $count -ge 13 ]] || fail "only $count submissions"
git -C zoo checkout -q submission/missing-readme-sections
run_zooci 1 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "found no Contributors section"
expect_in "$OUT" "found no Use cases section"

# A deletion must leave no dangling link in the main README and no manifest entry.
git -C zoo checkout -q main
git -C zoo checkout -q -b delete-squeezenet
git -C zoo rm -q -r validated/vision/classification/squeezenet
git -C zoo -c user.name=t -c user.email=t@example.org commit -q -m "remove squeezenet"
run_zooci 1 validate "${FAST[@]}" --changed-since main zoo
expect_in "$OUT" "the main README still links"
expect_in "$OUT" "ONNX_HUB_MANIFEST.json still lists validated/vision/classification/squeezenet/"

# A zoo whose zooci-zoo.yaml holds detectors to a minimum mAP: the detection submission, accepted
# above, is declined on a base that sets the minimum above what it measures (the base's
# configuration governs a pull request's review).
git -C zoo checkout -q -b baseline-base main
printf 'baselines:\n  object-detection:\n    min_map_percent: 70\n    min_map50_percent: 50\n' \
  > zoo/zooci-zoo.yaml
git -C zoo add zooci-zoo.yaml
git -C zoo -c user.name=t -c user.email=t@example.org commit -q -m "detection baseline"
git -C zoo checkout -q -b detection-on-baseline submission/detection
git -C zoo -c user.name=t -c user.email=t@example.org merge -q --no-edit baseline-base
run_zooci 1 validate "${FAST[@]}" --changed-since baseline-base zoo
expect_in "$OUT" "mAP@[.5:.95] 58.98% is below the zoo's object-detection baseline (zooci-zoo.yaml:2), at least 70%"
! echo "$OUT" | grep -q "mAP@0.5 [0-9.]*% is below" || fail "mAP@0.5 is above its minimum of 50%"
