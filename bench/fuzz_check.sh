#!/usr/bin/env bash
# Fuzzes with libFuzzer under ASan and UBSan, then appends a dated section to docs/benchmarks.md.
# FUZZ_TARGET picks the target:
#   check_fuzz   (default) the compliance checker (bench/fuzz/check_fuzz.cpp: CheckModelBytes + the
#                text, JSON and SARIF writers), seeded with the ONNX backend test models;
#   readme_fuzz  the README / model-table parser and the notebook reader (bench/fuzz/readme_fuzz.cpp),
#                seeded with every README.md and .ipynb of the real zoo in ../shared/reference. Crashes, leaks, timeouts (> 10 s per input) and OOMs (> 2 GiB RSS) are saved
# under $FUZZ_BUILD_DIR/crashes/; minimize one with
#   $FUZZ_BUILD_DIR/check_fuzz -minimize_crash=1 -runs=100000 -exact_artifact_path=min.onnx <crash>
# and keep it as tests/fuzz-regressions/<short-name>.onnx (run by tests/cli/check_fuzz_regressions.sh).
#
#   bash bench/fuzz_check.sh [SECONDS]            (make fuzz; default 600 seconds)
# Environment: FUZZ_BUILD_DIR (default build-fuzz; its corpus/ persists between runs),
#              CXX (default clang++),
#              FUZZ_KEEP_GOING=1: run libFuzzer's fork mode (-fork=1 -ignore_crashes=1
#              -ignore_timeouts=1 -ignore_ooms=1) instead of -jobs=1, so that a known, unfixed
#              crash (e.g. one already in tests/fuzz-regressions/) does not end the run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
SECONDS_TO_RUN="${1:-600}"
TARGET="${FUZZ_TARGET:-check_fuzz}"
case "$TARGET" in
  check_fuzz) DICT=bench/fuzz/onnx.dict MAX_LEN=65536 ;;
  readme_fuzz) DICT=bench/fuzz/readme.dict MAX_LEN=262144 ;;
  *) echo "fuzz_check: FUZZ_TARGET must be check_fuzz or readme_fuzz, not '$TARGET'" >&2; exit 2 ;;
esac
ZOO="${ZOO_DIR:-$REPO/../shared/reference/onnx-model-zoo}"
BUILD="${FUZZ_BUILD_DIR:-build-fuzz}"
[[ "$BUILD" = /* ]] || BUILD="$REPO/$BUILD"
CXX_COMPILER="${CXX:-clang++}"
TESTDATA=/usr/share/libonnx-testdata/data
SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link -fno-omit-frame-pointer"

command -v "$CXX_COMPILER" >/dev/null || { echo "fuzz_check: $CXX_COMPILER not found (scripts/install-deps.sh installs clang)" >&2; exit 2; }
[[ "$SECONDS_TO_RUN" =~ ^[0-9]+$ ]] || { echo "usage: bash bench/fuzz_check.sh [SECONDS]" >&2; exit 2; }

# ---- Build: a separate clang tree, every module instrumented, only the target built.
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DCMAKE_CXX_FLAGS="$SANITIZE" \
    -DZOOCI_BUILD_FUZZ=ON -DZOOCI_BUILD_TESTS=OFF -DZOOCI_BUILD_BENCH=OFF
fi
cmake --build "$BUILD" --target "$TARGET"

# ---- Corpus: corpus/ keeps what libFuzzer found across runs; seeds/ is rebuilt every run.
CORPUS_DIR="$BUILD/corpus-$TARGET" SEEDS="$BUILD/seeds-$TARGET" CRASHES="$BUILD/crashes"
[[ "$TARGET" == check_fuzz && -d "$BUILD/corpus" ]] && CORPUS_DIR="$BUILD/corpus"  # older runs
mkdir -p "$CORPUS_DIR" "$CRASHES"
rm -rf "$SEEDS" && mkdir -p "$SEEDS"
if [[ "$TARGET" == readme_fuzz ]]; then
  [[ -d "$ZOO" ]] || { echo "fuzz_check: the real zoo is not at $ZOO (set ZOO_DIR)" >&2; exit 2; }
  n=0
  while IFS= read -r -d '' f; do
    n=$((n + 1)); cp "$f" "$SEEDS/zoo_${n}_$(basename "$f")"
  done < <(find "$ZOO" -type f \( -name '*.md' -o -name '*.ipynb' \) -size -256k -print0 | sort -z)
elif [[ -d "$TESTDATA" ]]; then  # the ONNX backend test models (1,072 files, all under 8 KiB)
  while IFS= read -r model; do
    rel="${model#"$TESTDATA"/}"; rel="${rel%/model.onnx}"
    cp "$model" "$SEEDS/corpus_${rel//\//_}.onnx"
  done < <(find "$TESTDATA" -name model.onnx | sort)
fi
# The example models are 5-45 MiB (over -max_len): seed their small files, and their graphs with
# the weights stripped (initializers turned into graph inputs), which keep the real structure.
if [[ "$TARGET" == check_fuzz && -d examples/models ]]; then
  find examples/models -type f -size -64k ! -name .stamp -print0 |
    while IFS= read -r -d '' f; do
      rel="${f#examples/models/}"; cp "$f" "$SEEDS/example_${rel//\//_}"
    done
  /usr/bin/python3 - "$SEEDS" examples/models/*/model.onnx <<'PY' || echo "fuzz_check: stripped example graphs skipped (python3-onnx missing?)"
import os, sys
import onnx
out = sys.argv[1]
for path in sys.argv[2:]:
    model = onnx.load(path, load_external_data=False)
    graph = model.graph
    inputs = {i.name for i in graph.input}
    for tensor in list(graph.initializer):
        if tensor.name not in inputs:
            graph.input.append(onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims)))
    del graph.initializer[:]
    name = os.path.basename(os.path.dirname(path))
    with open(os.path.join(out, f"example_{name}_graph.onnx"), "wb") as f:
        f.write(model.SerializeToString())
PY
fi
for f in tests/fuzz-regressions/*; do
  [[ "$TARGET" == check_fuzz && "$f" == *.onnx ]] || [[ "$TARGET" == readme_fuzz && "$f" == *.readme ]] || continue
  if [[ -f "$f" ]]; then cp "$f" "$SEEDS/regression_$(basename "$f")"; fi
done
seed_count=$(find "$SEEDS" -type f | wc -l)
echo "fuzz_check: $seed_count seed files, $(find "$CORPUS_DIR" -type f | wc -l) files already in $CORPUS_DIR"

# ---- Run. -jobs=1 runs the fuzzer in a child process whose output goes to fuzz-0.log; fork mode
# prints to stderr, which goes to the same file.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
command -v llvm-symbolizer >/dev/null && export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"
touch "$BUILD/.fuzz-start"
LOG="$BUILD/fuzz-0.log"  # -jobs=1 names it
rm -f "$LOG"
mode=(-jobs=1) keep_going=""
if [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]]; then
  mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1) keep_going=1
fi
args=(-max_total_time="$SECONDS_TO_RUN" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 "${mode[@]}"
      -dict="$REPO/$DICT" -artifact_prefix="$CRASHES/" -print_final_stats=1)
shown=(-max_total_time="$SECONDS_TO_RUN" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 "${mode[@]}"
       -dict="$DICT")
echo "fuzz_check: $TARGET ${args[*]} corpus seeds (log: $LOG)"
start=$(date +%s)
fuzz_rc=0
if [[ "${mode[0]}" == -jobs=1 ]]; then
  (cd "$BUILD" && exec "./$TARGET" "${args[@]}" "$CORPUS_DIR" "$SEEDS") &
else
  (cd "$BUILD" && exec "./$TARGET" "${args[@]}" "$CORPUS_DIR" "$SEEDS" >"$LOG" 2>&1) &
fi
fuzz_pid=$!
# Progress: the newest status line of the log every 30 s.
tick=0
while kill -0 "$fuzz_pid" 2>/dev/null; do
  sleep 5; tick=$((tick + 1))
  if (( tick % 6 == 0 )) && [[ -f "$LOG" ]]; then
    grep -E '^#[0-9]+' "$LOG" | tail -1 | sed "s/^/fuzz_check: +$(( $(date +%s) - start ))s /" || true
  fi
done
wait "$fuzz_pid" || fuzz_rc=$?
elapsed=$(( $(date +%s) - start ))

# ---- Figures from the log.
stat() { grep -E "^stat::$1:" "$LOG" | tail -1 | awk '{print $2}' || true; }
last=$(grep -E '^#[0-9]+' "$LOG" | tail -1 || true)
execs=$(stat number_of_executed_units)
exec_s=$(stat average_exec_per_sec)
if [[ -z "$execs" ]]; then  # fork mode: no final stats; "#N: cov: ... time: Ts" status lines
  execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  [[ -n "$execs" ]] && exec_s=$(( execs / (elapsed > 0 ? elapsed : 1) ))
fi
execs="${execs:-?}"; exec_s="${exec_s:-?}"
peak_rss=$(stat peak_rss_mb); peak_rss="${peak_rss:-?}"
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last"); cov="${cov:-?}"
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last"); ft="${ft:-?}"
corpus_files=$(find "$CORPUS_DIR" -type f | wc -l)
corpus_kib=$(du -sk --apparent-size "$CORPUS_DIR" | cut -f1)
mapfile -t new_crashes < <(find "$CRASHES" -type f -newer "$BUILD/.fuzz-start" | sort)
# A run that died without libFuzzer's report (a plain signal, no stats) is a crash too.
died_silently=0
if [[ -z "$(stat number_of_executed_units)" && "${keep_going:-0}" != 1 && "${fuzz_rc:-0}" != 0 ]]; then
  died_silently=1
fi
if (( ${#new_crashes[@]} > 0 || died_silently )) || grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal|ALARM: working on the last Unit|out-of-memory' "$LOG"; then
  summary=$(grep -E '^SUMMARY: |ALARM:|out-of-memory \(|deadly signal' "$LOG" | sort | uniq -c | sort -rn | head -5 |
            sed 's/^ *\([0-9]*\) /\1× /' | tr '\n' ' ' || true)
  inputs=""
  for crash in "${new_crashes[@]}"; do  # a known, still unfixed regression is named as such
    known=""
    for f in tests/fuzz-regressions/*; do cmp -s "$crash" "$f" && known="$f"; done
    inputs+="${crash#"$REPO"/}${known:+ (= $known, known)} "
  done
  (( died_silently )) && summary+="the fuzzer died without a report (exit $fuzz_rc) "
  verdict="**yes**: ${summary:+$summary; }inputs: $inputs"
else
  verdict="no (no crash, leak, timeout or OOM)"
fi

if [[ "$TARGET" == readme_fuzz ]]; then
  heading="README / model-table parser and notebook reader under libFuzzer"
  make_cmd="make fuzz-readme FUZZ_SECONDS=$SECONDS_TO_RUN"
  script_cmd="FUZZ_TARGET=readme_fuzz bash bench/fuzz_check.sh $SECONDS_TO_RUN"
  seeds_text="every README.md / .md page and .ipynb notebook of the real zoo (../shared/reference/onnx-model-zoo)"
else
  heading="zooci check under libFuzzer"
  make_cmd="make fuzz FUZZ_SECONDS=$SECONDS_TO_RUN"
  script_cmd="bash bench/fuzz_check.sh $SECONDS_TO_RUN"
  seeds_text="ONNX backend test models, example-model graphs without weights, tests/fuzz-regressions/; the options' 1 MiB file cap"
fi
report=$(cat <<MD

### $heading ($(date -u +%Y-%m-%d), $(nproc) cores)
Command: \`${keep_going:+FUZZ_KEEP_GOING=1 }$make_cmd\` (= \`${keep_going:+FUZZ_KEEP_GOING=1 }$script_cmd\`): clang $("$CXX_COMPILER" -dumpversion), ASan + UBSan,
\`$TARGET ${shown[*]} corpus seeds\`
over $seed_count seeds ($seeds_text).

| run time | executions | exec/s | coverage (cov / ft) | corpus | peak RSS | crashed |
|---|---|---|---|---|---|---|
| ${elapsed} s | $execs | $exec_s | $cov / $ft | $corpus_files files, $corpus_kib KiB | $peak_rss MB | $verdict |
MD
)
echo "$report"
echo "$report" >> docs/benchmarks.md
[[ "$verdict" == no* ]] || { echo "fuzz_check: findings in $CRASHES (log: $LOG); libFuzzer exit $fuzz_rc" >&2; exit 1; }
