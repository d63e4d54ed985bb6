#!/usr/bin/env bash
# Benchmark (issue 3): time to check the example models and the whole ONNX backend corpus with
# `zooci check`, side by side in the same run with Debian's python3-onnx
# (onnx.checker.check_model(model, full_check=True)) on the same files, and with the time only to
# read + parse the protobuf. Targets: zooci's full check ≤ 0.5× onnx's time (onnx.load +
# check_model, both sides reading and parsing) and ≤ 1.5× the parse-only time.
# Appends a dated section to docs/benchmarks.md.
#
#   bash bench/check_bench.sh            (make bench-check)
# Environment: BUILD_DIR (default build), REPEATS (default 5).
#
# Three measurements, one run:
#   in-process  bench/check_timing.cpp (parse-only and CheckModelFile) and bench/check_peer.py
#               (onnx.load and check_model): min/median of REPEATS passes over each set after a
#               warm-up pass, schema-registry initialisation and interpreter start excluded;
#   end to end  one `zooci check --format json FILES...` process vs one python3 process that
#               imports onnx and loads + checks every file (hyperfine when installed).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD_DIR:-build}"
REPEATS="${REPEATS:-5}"
CORPUS=/usr/share/libonnx-testdata/data
PY=/usr/bin/python3

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$BUILD" --target bench_check_timing zooci
compgen -G "examples/models/*/model.onnx" >/dev/null || make examples

WORK="$(mktemp -d "${TMPDIR:-/tmp}/zooci-check-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ls examples/models/*/model.onnx > "$WORK/examples.txt"
ls "$CORPUS"/*/*/model.onnx > "$WORK/corpus.txt"
SETS=(examples="$WORK/examples.txt" corpus="$WORK/corpus.txt")

echo "check_bench: in-process, zooci (parse-only and full check), $REPEATS passes per set"
"$BUILD/bench_check_timing" -r "$REPEATS" "${SETS[@]}" | tee "$WORK/zooci.jsonl"
echo "check_bench: in-process, python3-onnx (load and check_model full_check=True)"
"$PY" bench/check_peer.py -r "$REPEATS" "${SETS[@]}" | tee "$WORK/onnx.jsonl"

# End to end: one process over the whole set, startup and (for python) `import onnx` included.
# `zooci check` exits 1 when a model has an error: that is a result here, not a failure.
PEER_E2E='import onnx, sys
def check(path):
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception:
        pass
for path in open(sys.argv[1]).read().split():
    check(path)'
for set in examples corpus; do
  list="$WORK/$set.txt"
  zooci_cmd="$BUILD/zooci check --format json \$(cat $list) >/dev/null"
  peer_cmd="$PY -c '$PEER_E2E' $list"
  parse_cmd="$BUILD/bench_check_timing --parse-only \$(cat $list) >/dev/null"
  if command -v hyperfine >/dev/null; then
    echo "check_bench: end to end ($set), hyperfine"
    hyperfine -i --warmup 1 --runs "$REPEATS" --export-json "$WORK/e2e-$set.json" \
      -n "zooci check ($set)" "$zooci_cmd" -n "python3 onnx ($set)" "$peer_cmd" \
      -n "parse only ($set)" "$parse_cmd"
  else
    echo "check_bench: end to end ($set), timing loop (hyperfine not installed)"
    for name in zooci peer parse; do
      cmd="$zooci_cmd"; [[ "$name" == peer ]] && cmd="$peer_cmd"; [[ "$name" == parse ]] && cmd="$parse_cmd"
      bash -c "$cmd" >/dev/null 2>&1 || true  # warm-up
      for ((i = 0; i < REPEATS; i++)); do
        start=$(date +%s%N); bash -c "$cmd" >/dev/null 2>&1 || true; end=$(date +%s%N)
        echo $(( (end - start) / 1000 ))
      done > "$WORK/e2e-$set-$name.us"
    done
  fi
done

# ---- Report.
machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
report=$("$PY" - "$WORK" "$REPEATS" "$machine" "$(date -u +%Y-%m-%d)" <<'PY'
import json, os, statistics, sys
work, repeats, machine, date = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def lines(name):
    return [json.loads(l) for l in open(os.path.join(work, name)) if l.strip()]
z = lines("zooci.jsonl"); o = lines("onnx.jsonl")
zinit, oinit = z[0], o[0]
zs = {r["set"]: r for r in z[1:]}; os_ = {r["set"]: r for r in o[1:]}
def e2e(set_name):
    path = os.path.join(work, f"e2e-{set_name}.json")
    if os.path.exists(path):
        results = json.load(open(path))["results"]
        return [r["median"] * 1000 for r in results], "hyperfine median"
    out = []
    for name in ("zooci", "peer", "parse"):
        runs = [int(x) / 1000 for x in open(os.path.join(work, f"e2e-{set_name}-{name}.us")).read().split()]
        out.append(statistics.median(runs))
    return out, "timing-loop median"
def f(ms):
    return f"{ms:,.1f}" if ms >= 10 else f"{ms:.2f}"
def verdict(ratio, target):
    return f"**{ratio:.2f}×** ({'met' if ratio <= target else f'MISSED by {ratio / target:.2f}×'}, target ≤ {target}×)"
out = []
out.append(f"\n### zooci check vs python3-onnx's checker vs parse-only ({date}, {machine})")
out.append(f"Command: `make bench-check` (= `bash bench/check_bench.sh`), REPEATS={repeats}. In-process figures are "
           f"the median (min) of {repeats} passes over each set after a warm-up pass; libonnx's one-off "
           f"schema-registry build is excluded (zooci's first check: {zinit['first_check_ms']:.1f} ms; "
           f"onnx {oinit['onnx_version']}'s first check_model: {oinit['first_check_ms']:.1f} ms), and so are "
           f"interpreter start and `import onnx`.\n")
out.append("| set | files | parse only (C++ read + ModelProto parse) | zooci full check (CheckModelFile) | "
           "onnx.load | onnx check_model(full_check=True) | onnx load + check | zooci / onnx | zooci / parse |")
out.append("|---|---|---|---|---|---|---|---|---|")
summary = []
for name in zs:
    a, b = zs[name], os_[name]
    r_onnx = a["check_ms_median"] / b["load_check_ms_median"]
    r_parse = a["check_ms_median"] / a["parse_ms_median"]
    out.append(f"| {name} | {a['files']:,} ({a['bytes'] / 1048576:,.1f} MiB) | {f(a['parse_ms_median'])} ({f(a['parse_ms_min'])}) ms | "
               f"{f(a['check_ms_median'])} ({f(a['check_ms_min'])}) ms | {f(b['load_ms_median'])} ms | "
               f"{f(b['check_ms_median'])} ms | {f(b['load_check_ms_median'])} ({f(b['load_check_ms_min'])}) ms | "
               f"{r_onnx:.2f}× | {r_parse:.2f}× |")
    summary.append(f"- **{name}**: zooci / onnx {verdict(r_onnx, 0.5)}; zooci / parse-only {verdict(r_parse, 1.5)}. "
                   f"zooci / onnx's check_model alone (without its load): {a['check_ms_median'] / b['check_ms_median']:.2f}×. "
                   f"zooci found {a['errors']} error(s) in {a['models_with_errors']} model(s), {a['warnings']} warning(s); "
                   f"onnx's checker rejected {b['rejected']} model(s)"
                   + (": " + ", ".join(os.path.basename(os.path.dirname(x['path'])) for x in b['rejected_examples']) if b['rejected'] else "")
                   + ".")
out.append("")
out += summary
out.append("\nEnd to end (one process over the whole set; process start, library load and, for python, "
           "`import onnx` included):\n")
out.append("| set | `zooci check --format json FILES...` | `python3 -c 'import onnx; ... check_model(onnx.load(p), full_check=True)'` | parse only (`bench_check_timing --parse-only FILES...`) | zooci / onnx (target ≤ 0.25×) | zooci / parse (target ≤ 1.5×) |")
out.append("|---|---|---|---|---|---|")
for name in zs:
    (zt, pt, qt), how = e2e(name)
    out.append(f"| {name} | {f(zt)} ms | {f(pt)} ms | {f(qt)} ms | {verdict(zt / pt, 0.25)} | {verdict(zt / qt, 1.5)} |")
out.append(f"\n({how}.) Where zooci's check costs most beyond parsing (median per file, corpus): "
           + ", ".join(f"{os.path.basename(os.path.dirname(x['path']))} {x['check_ms'] - x['parse_ms']:.2f} ms"
                       for x in zs.get("corpus", {}).get("most_check_over_parse", [])) + ".")
print("\n".join(out))
PY
)
echo "$report"
echo "$report" >> docs/benchmarks.md
