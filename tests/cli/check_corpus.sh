# All 1,072 models of Debian's ONNX backend test corpus get no error from zooci check, and only
# the warning classes justified in docs/conformance.md ("zooci check on the corpus").
run_zooci 0 check --format json --output corpus.json "$CORPUS"
/usr/bin/python3 - <<'PY' || fail "corpus check"
import collections, json
report = json.load(open("corpus.json"))
models = report["models"]
assert len(models) == 1072, len(models)
counts = collections.Counter(
    (d["rule"], d["severity"]) for m in models for d in m["diagnostics"])
errors = [(m["path"], d["rule"], d["message"]) for m in models for d in m["diagnostics"]
          if d["severity"] == "error"]
assert not errors, errors[:10]
# Justified in docs/conformance.md; a new class must be justified there before it lands here.
justified = {("ZC0104", "warning"), ("ZC0212", "warning"), ("ZC0213", "warning"),
             ("ZC0607", "warning")}
unexpected = set(counts) - justified
assert not unexpected, unexpected
print("corpus: %d models, no errors; warnings: %s" % (len(models), dict(sorted(counts.items()))))
PY
