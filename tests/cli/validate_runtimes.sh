# zooci validate --runtimes ort,opencv on the example zoo, with the real ONNX Runtime and OpenCV DNN:
# the compatibility matrix shows digits and resnet18 agreeing on both runtimes within tolerance of
# the reference and of each other, and mobilenet_v2 (a Clip with min/max inputs) and
# squeezenet1_1 (an Identity node) refused by OpenCV in OpenCV's own words. A reported runtime
# never moves the verdict; a zoo whose zooci-zoo.yaml requires opencv declines those two for it.
# The cache keys on the runtimes and their roles: a cached run reads like a fresh one.
ZOO_SRC="$ZOOCI_SOURCE_DIR/examples/zoo"
[[ -d "$ZOO_SRC/.git" ]] || fail "missing example zoo: run make examples"
export GIT_LFS_SKIP_SMUDGE=1
git clone -q "$ZOO_SRC" zoo
FAST=(--no-bench --fetch-lfs --cache-dir "$SCRATCH/cache" -j 2)
CLASSIFICATION=validated/vision/classification

# Without --runtimes or a zoo list: ONNX Runtime alone, no matrix (the review as it was).
run_zooci 0 validate "${FAST[@]}" --format json -o plain.json zoo

# Both runtimes; opencv is reported (the default for a runtime other than ort): still ACCEPT.
run_zooci 0 validate "${FAST[@]}" --runtimes ort,opencv --format json -o matrix.json zoo
/usr/bin/python3 - "$CLASSIFICATION" <<'PY' || fail "the matrix on the example zoo"
import json, sys
base = sys.argv[1]
plain, report = json.load(open("plain.json")), json.load(open("matrix.json"))
assert plain["runtimes"] == [], plain["runtimes"]
assert all(s["name"] != "matrix" for m in plain["models"] for s in m["steps"])
runtimes = {r["name"]: r for r in report["runtimes"]}
assert [r["name"] for r in report["runtimes"]] == ["ort", "opencv"], report["runtimes"]
assert runtimes["ort"]["required"] and runtimes["ort"]["primary"], runtimes["ort"]
assert runtimes["ort"]["backend"].startswith("onnxruntime "), runtimes["ort"]
assert not runtimes["opencv"]["required"] and runtimes["opencv"]["role_source"] == "default"
assert runtimes["opencv"]["backend"].startswith("opencv-dnn 4."), runtimes["opencv"]
assert "eval and bench do not run on it" in runtimes["opencv"]["scope"], runtimes["opencv"]
assert report["verdict"] == "ACCEPT", report["verdict"]
models = {m["folder"]: m for m in report["models"]}
plain_models = {m["folder"]: m for m in plain["models"]}

def matrix_of(folder):
    steps = models[folder]["steps"]
    assert steps[-1]["name"] == "matrix", [s["name"] for s in steps]
    # Every other step reads as it did without the matrix.
    assert [(s["name"], s["status"], s["reasons"]) for s in steps[:-1]] == \
           [(s["name"], s["status"], s["reasons"]) for s in plain_models[folder]["steps"]], folder
    return steps[-1]

for name in ("digits", "resnet"):
    step = matrix_of(base + "/" + name)
    matrix = step["details"]["matrix"]
    assert step["status"] == "pass" and step["reasons"] == [], (name, step)
    assert matrix["reference"] and matrix["inputs"].startswith("test data: 1 data set"), matrix
    assert matrix["tolerance"] == {"rtol": 0.001, "atol": 1e-05}, matrix["tolerance"]
    assert matrix["latency"] == {"warmup_runs": 3, "runs": 20}, matrix["latency"]
    assert [row["runtime"] for row in matrix["runtimes"]] == ["ort", "opencv"]
    for row in matrix["runtimes"]:
        assert row["status"] == "ok" and row["loads"] and row["runs"], (name, row)
        assert row["within_tolerance"] is True, (name, row)
        assert row["p50_ms"] > 0 and row["latency_runs"] == 20, (name, row)
        for output in row["outputs"]:
            assert output["within_tolerance"] and output["mismatches"] == 0, (name, output)
            assert output["elements"] in (40, 1000), (name, output)
            assert 0 < output["max_abs_error"] < 1e-4, (name, row["runtime"], output)
    [agreement] = matrix["agreement"]
    assert agreement["runtime"] == "opencv" and agreement["against"] == "ort", agreement
    assert agreement["agrees"] is True, (name, agreement)
    assert agreement["outputs"][0]["max_abs_error"] < 1e-4, (name, agreement)
    print(name, "agrees:", [(r["runtime"], r["outputs"][0]["max_abs_error"]) for r in matrix["runtimes"]])

refusals = {"mobilenet": ("mobilenetv2-13", "Node [Clip@ai.onnx]"),
            "squeezenet": ("squeezenet1.1-13", "Node [Identity@ai.onnx]")}
for name, (stem, words) in refusals.items():
    folder = base + "/" + name
    assert models[folder]["verdict"] == "ACCEPT", (name, models[folder]["verdict"])
    step = matrix_of(folder)
    matrix = step["details"]["matrix"]
    ort, opencv = matrix["runtimes"]
    assert ort["status"] == "ok" and ort["within_tolerance"] is True, ort
    assert opencv["status"] == "refused" and opencv["loads"] is False, opencv
    assert opencv["reason"].startswith("opencv-dnn: import: " + words), opencv["reason"]
    assert "/tmp" not in opencv["reason"] and "zooci-" not in opencv["reason"], opencv["reason"]
    assert matrix["agreement"][0]["agrees"] is None, matrix["agreement"]
    # A warning of the matrix step, never a declining reason.
    assert step["status"] == "pass", step
    [reason] = step["reasons"]
    assert reason["level"] == "warning" and not reason["declines"], reason
    assert reason["file"] == "%s/model/%s.tar.gz" % (folder, stem), reason
    expected = ("reported runtime opencv (%s) cannot load the model in %s/model/%s.tar.gz: "
                "opencv-dnn: import: %s" % (opencv["backend"], folder, stem, words))
    assert reason["message"].startswith(expected), (reason["message"], expected)
    print(name, "refused by opencv:", opencv["reason"])
PY

# The text, Markdown and HTML views of the same review (from the cache: it must read the same).
run_zooci 0 validate "${FAST[@]}" --runtimes ort,opencv --html matrix.html zoo
echo "$OUT" > matrix.txt
expect_in "$OUT" "  runtimes: ort = onnxruntime "
expect_in "$OUT" "opencv = opencv-dnn 4."
expect_in "$OUT" "(reported, never declines, default): the matrix only"
expect_in "$OUT" "latency: p50 of 20 runs after 3 warm-ups on one intra-op thread (a short fixed run, not a benchmark)"
expect_in "$OUT" "opencv against ort: agree within tolerance"
expect_in "$OUT" "refused to load; loads no, runs no: opencv-dnn: import: Node [Clip@ai.onnx]"
expect_in "$OUT" "refused to load; loads no, runs no: opencv-dnn: import: Node [Identity@ai.onnx]"
expect_in "$OUT" "opencv against ort: not compared: opencv did not run the model (refused)"
[[ $(grep -c "^  matrix .* (cached)$" matrix.txt) == 4 ]] || { cat matrix.txt; fail "the matrix was not cached"; }
grep -q '<table class="matrix">' matrix.html || fail "no matrix in the HTML report"
grep -q "Node \[Clip@ai.onnx\]" matrix.html || fail "no refusal in the HTML report"
run_zooci 0 validate "${FAST[@]}" --runtimes ort,opencv --format markdown zoo
echo "$OUT" > matrix.md
expect_in "$OUT" "| Model | ort (required) | opencv (reported) |"
grep -Eq "^\| $CLASSIFICATION/digits \| ✅ ok · [0-9.]+ ms \| ✅ ok · [0-9.]+ ms \|$" matrix.md ||
  { cat matrix.md; fail "digits' row"; }
grep -Eq "^\| $CLASSIFICATION/mobilenet \| ✅ ok · [0-9.]+ ms \| ⚠️ refused to load \|$" matrix.md ||
  { cat matrix.md; fail "mobilenet's row"; }
[[ $(grep -c "^| $CLASSIFICATION/" matrix.md) == 4 ]] || { cat matrix.md; fail "not one row per model"; }

# A cached run equals a fresh one (figures aside: latencies are measured again).
run_zooci 0 validate "${FAST[@]}" --runtimes ort,opencv --format json -o cached.json zoo
run_zooci 0 validate --no-bench --fetch-lfs --no-cache -j 2 --runtimes ort,opencv --format json -o fresh.json zoo
/usr/bin/python3 - <<'PY' || fail "a cached matrix differs from a fresh one"
import json
def view(path):
    out = []
    for m in json.load(open(path))["models"]:
        step = m["steps"][-1]
        matrix = step["details"]["matrix"]
        rows = [(r["runtime"], r["status"], r["loads"], r["runs"], r["within_tolerance"], r["reason"])
                for r in matrix["runtimes"]]
        out.append((m["folder"], m["verdict"], step["status"], step["summary"].split(";")[-1],
                    step["reasons"], rows, [a["agrees"] for a in matrix["agreement"]]))
    return out
cached, fresh = view("cached.json"), view("fresh.json")
assert all(s["cached"] for m in json.load(open("cached.json"))["models"] for s in m["steps"][-1:])
assert cached == fresh, (cached, fresh)
PY

# The zoo requires opencv: the two refusals now decline, and nothing else does. The cache, which
# holds the reported run, is not used for it (the roles are part of the key).
printf 'runtimes:\n  ort: required\n  opencv: required\n' > zoo/zooci-zoo.yaml
run_zooci 1 validate "${FAST[@]}" --format json -o required.json zoo
/usr/bin/python3 - "$CLASSIFICATION" <<'PY' || fail "opencv required by the zoo"
import json, sys
base = sys.argv[1]
report = json.load(open("required.json"))
assert report["verdict"] == "DECLINE", report["verdict"]
opencv = report["runtimes"][1]
assert opencv["required"] and opencv["role_source"] == "zooci-zoo.yaml:3", opencv
verdicts = {m["folder"]: m["verdict"] for m in report["models"]}
assert verdicts == {base + "/digits": "ACCEPT", base + "/mobilenet": "DECLINE",
                    base + "/resnet": "ACCEPT", base + "/squeezenet": "DECLINE"}, verdicts
for m in report["models"]:
    step = m["steps"][-1]
    assert step["name"] == "matrix" and not step["cached"], (m["folder"], step["cached"])
    declining = [r for s in m["steps"] for r in s["reasons"] if r["declines"]]
    if m["verdict"] == "DECLINE":
        [reason] = declining
        assert reason["step"] == "matrix", reason
        assert reason["message"].startswith("required runtime opencv (opencv-dnn 4."), reason
        assert "cannot load the model in" in reason["message"], reason
        assert step["status"] == "fail", step
    else:
        assert not declining, declining
PY
# The flag replaces the zoo's list, and its role replaces the zoo's.
run_zooci 0 validate "${FAST[@]}" --runtimes ort zoo
run_zooci 0 validate "${FAST[@]}" --runtimes ort,opencv:reported zoo
run_zooci 1 validate "${FAST[@]}" --runtimes ort,opencv zoo
expect_in "$OUT" "- validated/vision/classification/mobilenet/model/mobilenetv2-13.tar.gz required runtime opencv (opencv-dnn 4."

# Wrong names and roles are usage errors that say what is valid.
run_zooci 2 validate "${FAST[@]}" --runtimes ort,tvm zoo
expect_in "$ERR" "--runtimes: unknown runtime 'tvm' (valid: ort, opencv, reference)"
printf 'runtimes:\n  ort: required\n  opencv: optional\n' > zoo/zooci-zoo.yaml
run_zooci 2 validate "${FAST[@]}" zoo
expect_in "$ERR" "zooci-zoo.yaml:3: runtimes.opencv: expected required or reported, got 'optional'"
printf 'runtimes:\n  ort: reported\n' > zoo/zooci-zoo.yaml
run_zooci 2 validate "${FAST[@]}" zoo
expect_in "$ERR" "zooci-zoo.yaml:2: runtimes.ort: ort runs the test, eval and bench steps"
