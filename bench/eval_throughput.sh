#!/usr/bin/env bash
# Benchmark: `zooci eval` throughput (images per second) and where the time goes, decoding and
# preprocessing (in the worker's pool of decode threads) versus batched ONNX Runtime inference.
#   - digits: examples/models/digits_cnn as shipped (450 8x8 grey PNGs, its own zooci.yaml);
#   - 224x224: IMAGES (512) seeded synthetic JPEGs of IMAGE_SIZE (400x300, so both the resize to
#     shorter side 256 and the 224x224 center crop do real work) in ImageFolder layout (10
#     classes), through the torchvision examples mobilenet_v2 and resnet18 (random weights: no
#     claims, accuracy is meaningless, the figure is throughput) with the ImageNet pipeline
#     decode color -> RGB -> resize 256 bilinear -> crop 224 -> /255 -> normalize -> NCHW float32.
# Each workload runs under three configurations, interleaved over RUNS rounds:
#   serial   `--decode-threads 1 --threads 1` (one decode thread, one ORT thread);
#   default  no flags (decode threads = cores, ORT intra-op 0 = ORT's default: one thread per
#            physical core, pool threads pinned to cores);
#   cores    `--threads <nproc>` (decode threads = cores, the same ORT thread count, set
#            explicitly, which ORT does not pin).
# Timing fields come from `zooci eval --format json` (src/eval/eval_job.cpp, src/eval/eval.cpp).
# Appends a dated section to docs/benchmarks.md.
#   bash bench/eval_throughput.sh [BUILD_DIR]          (default BUILD_DIR: build)
# Environment: RUNS (5), IMAGES (512), IMAGE_SIZE (400x300, WxH), MODELS ("mobilenet_v2
# resnet18"), QUIET (0.1) and QUIET_WAIT (120 s): see the run loop below, SKIP_BUILD=1 to use
# BUILD_DIR's binaries as they are, NO_APPEND=1 to print the report without appending it,
# REPORT_ONLY=1 to report the last run's results again (BUILD_DIR/eval-bench/results.json).
# Generated data goes to BUILD_DIR/eval-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD="${1:-build}"
RUNS="${RUNS:-5}"
IMAGES="${IMAGES:-512}"
IMAGE_SIZE="${IMAGE_SIZE:-400x300}"
MODELS="${MODELS:-mobilenet_v2 resnet18}"
QUIET="${QUIET:-0.1}"
QUIET_WAIT="${QUIET_WAIT:-120}"
PY=/usr/bin/python3

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$BUILD/build.ninja" ]]; then
    cmake -S . -B "$BUILD" -G Ninja -DZOOCI_BUILD_TESTS=OFF -DZOOCI_BUILD_BENCH=OFF
  fi
  cmake --build "$BUILD" --target zooci zooci-worker
fi
BUILD=$(cd "$BUILD" && pwd)
ZOOCI="$BUILD/zooci"
for exe in "$ZOOCI" "$BUILD/zooci-worker"; do
  [[ -x "$exe" ]] || { echo "eval_throughput: $exe missing; build zooci zooci-worker" >&2; exit 2; }
done
for model in $MODELS; do
  [[ -f "examples/models/$model/model.onnx" ]] ||
    { echo "eval_throughput: examples/models/$model/model.onnx missing (make examples)" >&2; exit 2; }
done

# The 224x224 workload: a shared ImageFolder dataset and one model folder per model, whose
# model.onnx and dataset are symlinks (followed on purpose by zooci.yaml's path rules).
WORK="$BUILD/eval-bench"
mkdir -p "$WORK"
"$PY" - "$WORK/images" "$IMAGES" "$IMAGE_SIZE" <<'EOF'
# Deterministic synthetic photos: a smooth random colour field (bilinear-upsampled noise), a few
# filled shapes and mild pixel noise, JPEG quality 90, so decoding costs about what a natural
# image of the same size does. Regenerated only when the parameters change.
import os, shutil, sys
import numpy as np
from PIL import Image, ImageDraw
out, count, size = sys.argv[1], int(sys.argv[2]), sys.argv[3]
width, height = map(int, size.lower().split("x"))
stamp = f"count={count} size={width}x{height} seed=2024 quality=90 v1\n"
stamp_file = os.path.join(out, ".stamp")
if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
    sys.exit(0)
shutil.rmtree(out, ignore_errors=True)
rng = np.random.default_rng(2024)
classes = [f"class_{c:02d}" for c in range(10)]
for name in classes:
    os.makedirs(os.path.join(out, name))
for index in range(count):
    label = index % len(classes)
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    coarse[..., label % 3] //= 2  # a per-class colour cast
    image = Image.fromarray(coarse).resize((width, height), Image.BILINEAR)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(3, 8))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(10, width // 2)), y0 + int(rng.integers(10, height // 2))
        fill = tuple(int(v) for v in rng.integers(0, 256, size=3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x0, y0, x1, y1], fill=fill)
    pixels = np.asarray(image).astype(np.int16)
    pixels += rng.integers(-12, 13, size=pixels.shape, dtype=np.int16)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image.save(os.path.join(out, classes[label], f"img_{index:04d}.jpg"), quality=90)
open(stamp_file, "w").write(stamp)
EOF
for model in $MODELS; do
  dir="$WORK/$model"
  mkdir -p "$dir"
  ln -sfn "$ROOT/examples/models/$model/model.onnx" "$dir/model.onnx"
  ln -sfn ../images "$dir/dataset"
  cat > "$dir/zooci.yaml" <<'EOF'
# Generated by bench/eval_throughput.sh: throughput only, no claims (random weights).
task: image-classification
model: model.onnx
dataset:
  format: imagefolder
  path: dataset
preprocessing:
  - decode: color
  - color: RGB
  - resize: {shorter_side: 256, interpolation: bilinear}
  - center_crop: {size: [224, 224]}
  - scale: 0.00392156862745098
  - normalize: {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}
  - layout: NCHW
  - dtype: float32
output:
  name: output
  label_offset: 0
  top_k: 5
EOF
done

RESULTS="$WORK/results.json"
META="$WORK/results.meta"  # RUNS, load averages and duration of the run that wrote RESULTS
if [[ "${REPORT_ONLY:-0}" != 1 ]]; then
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_s=$(date +%s)
WORKLOADS="digits=$ROOT/examples/models/digits_cnn"
for model in $MODELS; do WORKLOADS+=" $model=$WORK/$model"; done

# Rounds outermost, so drift spreads over every cell; the order of the configurations alternates
# per round. Each run is one `zooci eval` process; its JSON timing is kept with the process's
# own wall time (worker start and session creation included). The machine may be shared, so each
# run waits (up to QUIET_WAIT s) for the other processes' CPU use to drop below QUIET of the
# cores, measures the CPU the rest of the system used during the run (/proc/stat busy time minus
# the run's own rusage: "foreign load"), and is retried (up to 3 attempts, the least disturbed
# kept) when that exceeds QUIET.
"$PY" - "$ZOOCI" "$RUNS" "$RESULTS" "$QUIET" "$QUIET_WAIT" $WORKLOADS <<'EOF'
import json, os, resource, subprocess, sys, time
zooci, runs, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
quiet, quiet_wait = float(sys.argv[4]), float(sys.argv[5])
workloads = [item.split("=", 1) for item in sys.argv[6:]]
ncores = os.cpu_count() or 1
tick = os.sysconf("SC_CLK_TCK")
configs = {"serial": ["--decode-threads", "1", "--threads", "1"], "default": [],
           "cores": ["--threads", str(ncores)]}

def busy_s():  # CPU-seconds used by the whole machine (all but idle and iowait)
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / tick

def children_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

def wait_quiet():  # until 1 s windows show foreign use below `quiet` of the cores, twice
    deadline, calm = time.monotonic() + quiet_wait, 0
    while calm < 2 and time.monotonic() < deadline:
        before = busy_s()
        time.sleep(1)
        calm = calm + 1 if (busy_s() - before) / ncores < quiet else 0

def run_once(command):
    wait_quiet()
    busy0, own0, start = busy_s(), children_s(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    process_s = time.perf_counter() - start
    foreign = max(0.0, (busy_s() - busy0) - (children_s() - own0)) / (process_s * ncores)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.exit(f"eval_throughput: {' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout), process_s, foreign

rows = []
for rnd in range(1, runs + 1):
    for name, folder in workloads:
        order = list(configs) if rnd % 2 else list(reversed(configs))  # alternate who goes first
        for config in order:
            command = [zooci, "eval", "--format", "json", *configs[config], folder]
            attempts = []
            while len(attempts) < 3 and (not attempts or attempts[-1][2] > quiet):
                attempts.append(run_once(command))
            report, process_s, foreign = min(attempts, key=lambda a: a[2])
            rows.append({"workload": name, "config": config, "round": rnd, "total": report["total"],
                         "verdict": report["verdict"], "runtime": report["runtime"],
                         "batch": report["batch_size"], "process_s": process_s,
                         "foreign_load": foreign, "attempts": len(attempts), **report["timing"]})
            t = report["timing"]
            print(f"round {rnd}/{runs} {name:13s} {config:7s} {t['images_per_s']:9.1f} images/s "
                  f"(decode {t['decode_preprocess_s']:.3f} s, inference {t['inference_s']:.3f} s, "
                  f"wall {t['wall_s']:.3f} s; foreign load {100 * foreign:.0f} %, "
                  f"{len(attempts)} attempt(s))", file=sys.stderr)
json.dump(rows, open(results, "w"), indent=1)
EOF
elapsed_s=$(( $(date +%s) - start_s ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
printf '%s\n' "$RUNS" "$load_before" "$load_after" "$elapsed_s" > "$META"
else
  [[ -f "$RESULTS" && -f "$META" ]] || { echo "eval_throughput: no $RESULTS to report" >&2; exit 2; }
  { read -r RUNS; read -r load_before; read -r load_after; read -r elapsed_s; } < "$META"
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="$(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"

report=$("$PY" - "$RESULTS" "$(nproc)" "$QUIET" <<'EOF'
import collections, json, statistics, sys
rows = json.load(open(sys.argv[1]))
cores, quiet = int(sys.argv[2]), float(sys.argv[3])
med = statistics.median
cells = collections.defaultdict(list)
for row in rows:
    cells[(row["workload"], row["config"])].append(row)
# Runs disturbed by other processes even after 3 attempts are left out when clean ones remain.
dropped = 0
for key, cell in cells.items():
    clean = [r for r in cell if r["foreign_load"] <= quiet]
    if clean:
        dropped += len(cell) - len(clean)
        cells[key] = clean
workloads = list(dict.fromkeys(row["workload"] for row in rows))
configs = list(dict.fromkeys(row["config"] for row in rows if row["round"] == 1))
configs.sort(key=["serial", "default", "cores"].index)
labels = {"serial": "serial: `--decode-threads 1 --threads 1`",
          "default": f"default: {cores} decode, ORT default",
          "cores": f"`--threads {cores}`: {cores} decode, {cores} ORT"}
print(f"Runtime: {rows[0]['runtime']}; batch {rows[0]['batch']}; each figure is the median over a "
      f"row's runs (their images/s in brackets); {dropped} of {len(rows)} runs were left out as "
      f"disturbed (foreign load above {100 * quiet:.0f} % after 3 attempts).")
print()
print("| workload | config | images | **images/s** (runs) | images/s excl. session | eval wall (s) "
      "| session create (ms) | decode+preprocess (s, Σ threads) | inference (s) "
      "| decode share of busy | decode ms/image | inference ms/image | busy / wall "
      "| foreign load (max, kept runs) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name in workloads:
    for config in configs:
        cell = cells[(name, config)]
        m = lambda key: med(r[key] for r in cell)
        total = cell[0]["total"]
        decode, infer = m("decode_preprocess_s"), m("inference_s")
        share = med(r["decode_preprocess_s"] / (r["decode_preprocess_s"] + r["inference_s"])
                    for r in cell)
        busy = med((r["decode_preprocess_s"] + r["inference_s"]) / r["wall_s"] for r in cell)
        net = med(r["total"] / (r["wall_s"] - r["session_create_ms"] / 1e3) for r in cell)
        runs = " ".join(f"{r['images_per_s']:.0f}" for r in cell)
        print(f"| {name} | {labels[config]} | {total} | **{m('images_per_s'):.0f}** ({runs}) | "
              f"{net:.0f} | {m('wall_s'):.3f} | {m('session_create_ms'):.1f} | {decode:.3f} | "
              f"{infer:.3f} | {100 * share:.1f} % | {1e3 * decode / total:.3f} | "
              f"{1e3 * infer / total:.3f} | {busy:.2f} | "
              f"{100 * max(r['foreign_load'] for r in cell):.0f} % |")
EOF
)

section=$(cat <<MD

## zooci eval throughput ($(date -u +%Y-%m-%d))
Command: \`bash bench/eval_throughput.sh BUILD_DIR\` (RUNS=$RUNS; each run is one
\`zooci eval --format json [--decode-threads D] [--threads T] FOLDER\` process).
Machine: $machine; load average $load_before before, $load_after after; $elapsed_s s.

Workloads: **digits** is examples/models/digits_cnn as shipped (8x8 grey PNGs; decode grayscale,
scale, NCHW float32). **mobilenet_v2** and **resnet18** (the torchvision examples, random weights,
no claims: the figure is throughput) run $IMAGES seeded synthetic ${IMAGE_SIZE} (WxH) JPEGs in 10
ImageFolder classes through the ImageNet pipeline: decode color, RGB, resize shorter side 256
bilinear, center crop 224x224, scale 1/255, normalize, NCHW float32. Configurations: "serial" is
one decode thread and one ORT intra-op thread; "default" is no flags (decode threads = cores, ORT's
default intra-op pool, whose threads ORT pins to cores); \`--threads N\` is the same thread count
set explicitly, which ORT does not pin (its pool threads spin-wait between runs either way).

How to read it: images/s is \`timing.images_per_s\`, images / eval wall time, which runs from the
first request to the worker to the last answer and so includes creating the ORT session
("session create"; "images/s excl. session" subtracts it). decode+preprocess is the time inside
decode+preprocess summed over the decode threads (up to threads x wall, and it grows when those
threads wait for a core); inference is the wall time around \`Session::Run\` on the one inference
thread (it includes handing the batch to ORT). "decode share of busy" is decode / (decode +
inference); "busy / wall" above 1 means decoding overlapped inference; per-image costs are those
busy times / images. "foreign load" is the CPU the rest of the machine used during a run, as a
share of all cores (runs above $(awk "BEGIN {print $QUIET * 100}") % were retried, at most 3 attempts, keeping the least disturbed).

$report
MD
)
echo "$section"
if [[ "${NO_APPEND:-0}" != 1 ]]; then echo "$section" >> docs/benchmarks.md; fi
