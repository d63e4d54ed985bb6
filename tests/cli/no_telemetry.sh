# ONNX Runtime's telemetry stays off in every zooci-worker (issue: ORT telemetry). The bundled
# runtime (onnxruntime-node 1.30) starts Microsoft's 1DS telemetry in any process that creates an
# OrtEnv unless ORT_DISABLE_TELEMETRY is set by then: a device id and an event database under
# $HOME/.cache/Microsoft/DeveloperTools/, mat-debug-<pid>.log and .ses in $TMPDIR (else /tmp), and,
# about nine seconds later, DNS lookups and uploads to mobile.events.data.microsoft.com.
# zooci test, bench, eval and --version (all of them start workers) must leave nothing in a private
# HOME or TMPDIR, no mat-debug file of their workers in /tmp, and (under strace) open no socket
# other than AF_UNIX.

# ---- Fixtures, made before the environment below is switched ---------------------------------
# An image-classification scenario small enough to evaluate in a second: 4x4 grayscale PNGs in two
# classes (dark, bright), a model that scores class 1 by the pixel sum.
/usr/bin/python3 - <<'PY' || fail "cannot make the eval fixture"
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from PIL import Image

os.makedirs("evalcase/dataset/0"); os.makedirs("evalcase/dataset/1")
for idx in range(3):
    Image.fromarray(np.full((4, 4), 10 * idx, np.uint8), "L").save(f"evalcase/dataset/0/{idx}.png")
    Image.fromarray(np.full((4, 4), 250 - 10 * idx, np.uint8), "L").save(f"evalcase/dataset/1/{idx}.png")
w = numpy_helper.from_array(np.stack([-np.ones(16), np.ones(16)], 1).astype(np.float32), "w")
b = numpy_helper.from_array(np.array([8, 0], np.float32), "b")
g = helper.make_graph(
    [helper.make_node("Flatten", ["image"], ["flat"]), helper.make_node("MatMul", ["flat", "w"], ["s"]),
     helper.make_node("Add", ["s", "b"], ["logits"])], "pixel_sum",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 4, 4])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])], [w, b])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); m.ir_version = 8
onnx.save(m, "evalcase/model.onnx")
PY
cat > evalcase/zooci.yaml <<'EOF'
task: image-classification
model: model.onnx
dataset:
  format: imagefolder
  path: dataset
preprocessing:
  - decode: grayscale
  - scale: 0.00392156862745098
  - layout: NCHW
  - dtype: float32
output:
  name: logits
  kind: logits
  top_k: 1
EOF
MODELS=("$CORPUS/node/test_abs" "$CORPUS/node/test_relu" "$CORPUS/node/test_add"
        "$CORPUS/node/test_sigmoid" "$CORPUS/node/test_identity" "$CORPUS/node/test_neg")

# ---- The environment of a user outside CI ---------------------------------------------------
# ONNX Runtime also keeps quiet when it sees a CI variable or its own test-harness switch; unset
# them, and inherit ORT_DISABLE_TELEMETRY=0, so the case shows that zooci turns telemetry off itself.
unset CI TF_BUILD GITHUB_ACTIONS GITLAB_CI CIRCLECI TRAVIS JENKINS_URL CODEBUILD_BUILD_ID BUILDKITE \
  TEAMCITY_VERSION APPVEYOR BITBUCKET_BUILD_NUMBER SYSTEM_TEAMFOUNDATIONCOLLECTIONURI \
  ORT_RUNNING_UNIT_TESTS XDG_CACHE_HOME
export ORT_DISABLE_TELEMETRY=0
CASE_HOME="$SCRATCH/home"
CASE_TMPDIR="$SCRATCH/tmp"
mkdir -p "$CASE_HOME" "$CASE_TMPDIR"
export HOME="$CASE_HOME" TMPDIR="$CASE_TMPDIR"

# ---- Tracing, when strace can run here ------------------------------------------------------
# Each zooci run gets its own trace file (the wrapper's pid); lines start with the pid.
TRACES="$SCRATCH/traces"
mkdir -p "$TRACES"
STRACE="$(command -v strace || true)"
if [[ -n "$STRACE" ]] && ! "$STRACE" -f -qq -o /dev/null true 2>/dev/null; then
  echo "note: strace cannot trace here (ptrace not permitted); checking files only"
  STRACE=""
elif [[ -z "$STRACE" ]]; then
  echo "note: strace not installed (scripts/install-deps.sh installs it); checking files only"
fi
if [[ -n "$STRACE" ]]; then
  cat > "$SCRATCH/traced-zooci" <<EOF
#!/usr/bin/env bash
exec "$STRACE" -f -qq -o "$TRACES/trace.\$\$" -e trace=execve,socket,connect "$ZOOCI" "\$@"
EOF
  chmod +x "$SCRATCH/traced-zooci"
  ZOOCI="$SCRATCH/traced-zooci"
fi

# ---- The runs ---------------------------------------------------------------------------------
run_zooci 0 test -j 2 "${MODELS[@]}"
expect_in "$OUT" "6 passed"
run_zooci 0 eval evalcase
run_zooci 0 --version
expect_in "$OUT" "onnxruntime 1.30"
# A worker that lives past the uploader's first attempt (~9 s after the OrtEnv is created).
run_zooci 0 bench --min-duration-ms 12000 --min-queries 10 --warmup 1 "$CORPUS/node/test_identity"
# With TMPDIR unset the library's files would go to /tmp: name them by the workers' pids.
date > "$SCRATCH/before-default-tmp"
(unset TMPDIR; run_zooci 0 test -j 2 "${MODELS[@]}")

# ---- Nothing written, nothing sent: every problem is listed before the case fails ------------
problems=()
if [[ -e "$CASE_HOME/.cache/Microsoft" ]]; then
  problems+=("ONNX Runtime telemetry wrote $(cd "$CASE_HOME" && find .cache/Microsoft -type f | tr '\n' ' ')")
fi
left_home="$(cd "$CASE_HOME" && find . -mindepth 1 | head -5 | tr '\n' ' ')"
[[ -z "$left_home" ]] || problems+=("files left in HOME: $left_home")
left_tmp="$(cd "$CASE_TMPDIR" && find . -mindepth 1 | head -5 | tr '\n' ' ')"
[[ -z "$left_tmp" ]] || problems+=("files left in TMPDIR: $left_tmp")

if [[ -n "$STRACE" ]]; then
  worker_pids="$(grep -h 'execve("[^"]*/zooci-worker"' "$TRACES"/trace.* | awk '{print $1}' | sort -u)"
  worker_count="$(echo "$worker_pids" | grep -c . || true)"
  (( worker_count >= 6 )) || problems+=("expected at least 6 traced workers, saw $worker_count")
  for pid in $worker_pids; do
    debug_log="/tmp/mat-debug-$pid.log"
    if [[ -e "$debug_log" && "$debug_log" -nt "$SCRATCH/before-default-tmp" ]]; then
      problems+=("worker $pid left $debug_log")
    fi
  done
  network="$(grep -hE '^[0-9]+ +(socket|connect)\(' "$TRACES"/trace.* \
    | grep -vE 'socket\(AF_UNIX|sa_family=AF_UNIX' | head -5 || true)"
  [[ -z "$network" ]] || problems+=("zooci or a worker used the network: $network")
  echo "traced $worker_count workers"
fi

if (( ${#problems[@]} > 0 )); then
  printf '  %s\n' "${problems[@]}" >&2
  fail "ONNX Runtime telemetry is not off (${#problems[@]} problems above)"
fi
