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

# Foreign load of one round: the cores other processes kept busy while it ran, from /proc/stat's
# busy time minus the round's own CPU. round_begin; ...runs...; round_foreign OWN_CPU_MS prints it.
round_begin() { ROUND_BUSY=$(cpu_busy_jiffies); ROUND_START=$(date +%s%N); }
round_foreign() {
  local busy_ms elapsed_ms
  busy_ms=$(( ($(cpu_busy_jiffies) - ROUND_BUSY) * 1000 / $(getconf CLK_TCK) ))
  elapsed_ms=$(( ($(date +%s%N) - ROUND_START) / 1000000 ))
  awk -v b="$busy_ms" -v o="$1" -v e="$elapsed_ms" 'BEGIN {f = (b - o) / e; if (f < 0) f = 0; printf "%.2f", f}'
}
# QUIET_CORES: a round is quiet when other processes kept fewer cores than this busy.
QUIET_CORES="${QUIET_CORES:-0.25}"
is_quiet() { awk -v f="$1" -v q="$QUIET_CORES" 'BEGIN {exit !(f < q)}'; }
