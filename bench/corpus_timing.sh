# Shared by bench/test_corpus.sh and bench/opencv_corpus.sh (sourced, not run): timing commands
# over the ONNX backend corpus, interleaved in rounds so every runner sees the same machine state.
CORPUS=/usr/share/libonnx-testdata/data
CORPUS_DIRS=("$CORPUS/node" "$CORPUS/pytorch-converted" "$CORPUS/pytorch-operator" "$CORPUS/simple")

# time_run OUT_VAR CMD...: runs CMD (output discarded); sets OUT_VAR to "WALL_MS CPU_MS", CPU being
# user + system time of CMD and the children it waited for (zooci's workers included).
time_run() {
  local -n time_run_out_="$1"
  shift
  local times start end
  times="$(mktemp)"
  start=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o "$times" "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  time_run_out_="$(( (end - start) / 1000000 )) $(awk '{printf "%d", ($1 + $2) * 1000}' "$times")"
  rm -f "$times"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.0f\n", (a[NR/2] + a[NR/2+1]) / 2}'; }
median_ratio() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2] + a[NR/2+1]) / 2}'; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }
# The CPU share other processes used during a run of SECONDS: (busy jiffies - ours) / capacity.
cpu_busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
