#!/usr/bin/env bash
# Benchmark: `zooci eval` on a semantic segmentation model — images per second, and the share of
# the run spent on the masks (reading and decoding each mask PNG, sampling the score maps at each
# mask pixel, the argmax and the confusion matrix, in the worker) and deriving the metrics (in
# zooci).
#   - shapes_seg: examples/models/shapes_seg as shipped (100 PNGs of 64 px on the longer side and
#     their masks, letterbox to 64x64, [N,4,64,64] logits, compared at the original resolution
#     with bilinear sampling), with its own zooci.yaml;
#   - shapes_seg_x10: the same images and masks copied ten times under new names (1,000 images).
# Each workload runs under two configurations, interleaved over RUNS rounds:
#   serial   `--decode-threads 1 --threads 1`;
#   cores    `--threads <nproc>` (decode threads = cores, the same ORT intra-op thread count).
# Timing fields come from `zooci eval --format json` (src/eval/segmentation_report.cpp):
# decode_preprocess_s (image decoding and preprocessing, summed over decode threads),
# inference_s, postprocess_s (mask decoding and the per-pixel comparison), metrics_s (the figures), wall_s.
# Appends a dated section to docs/benchmarks.md.
#   bash bench/eval_segmentation.sh [BUILD_DIR]       (default BUILD_DIR: build)
# Environment: RUNS (5), QUIET (0.1) and QUIET_WAIT (120 s): runs wait for the machine to be
# quiet and are retried when others used more than QUIET of the cores meanwhile; SKIP_BUILD=1,
# NO_APPEND=1 (print the section only). Generated data goes to BUILD_DIR/eval-segmentation-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD="${1:-build}"
RUNS="${RUNS:-5}"
QUIET="${QUIET:-0.1}"
QUIET_WAIT="${QUIET_WAIT:-120}"
PY=/usr/bin/python3
SHAPES="$ROOT/examples/models/shapes_seg"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$BUILD/build.ninja" ]]; then
    cmake -S . -B "$BUILD" -G Ninja -DZOOCI_BUILD_TESTS=OFF -DZOOCI_BUILD_BENCH=OFF
  fi
  cmake --build "$BUILD" --target zooci zooci-worker
fi
BUILD=$(cd "$BUILD" && pwd)
ZOOCI="$BUILD/zooci"
[[ -x "$ZOOCI" && -x "$BUILD/zooci-worker" ]] ||
  { echo "eval_segmentation: build zooci and zooci-worker first" >&2; exit 2; }
[[ -f "$SHAPES/zooci.yaml" ]] || { echo "eval_segmentation: $SHAPES missing (make examples)" >&2; exit 2; }

# shapes_seg_x10: a copy of the example's model, images and masks (zooci.yaml's paths may not
# leave the folder, not even through a symbolic link), each image and mask ten times.
WORK="$BUILD/eval-segmentation-bench"
X10="$WORK/shapes_seg_x10"
rm -rf "$X10"
mkdir -p "$X10/images" "$X10/masks"
cp "$SHAPES/model.onnx" "$SHAPES/classes.txt" "$X10/"
grep -v -e '^claims:' -e '^  readme:' "$SHAPES/zooci.yaml" > "$X10/zooci.yaml"
for copy in 0 1 2 3 4 5 6 7 8 9; do
  for image in "$SHAPES"/images/*.png; do
    name=$(basename "$image" .png)
    cp "$image" "$X10/images/${name}_$copy.png"
    cp "$SHAPES/masks/$name.png" "$X10/masks/${name}_$copy.png"
  done
done

RESULTS="$WORK/results.json"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_s=$(date +%s)
"$PY" - "$ZOOCI" "$RUNS" "$RESULTS" "$QUIET" "$QUIET_WAIT" "shapes_seg=$SHAPES" "shapes_seg_x10=$X10" <<'EOF'
import json, os, resource, subprocess, sys, time
zooci, runs, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
quiet, quiet_wait = float(sys.argv[4]), float(sys.argv[5])
workloads = [item.split("=", 1) for item in sys.argv[6:]]
ncores = os.cpu_count() or 1
tick = os.sysconf("SC_CLK_TCK")
configs = {"serial": ["--decode-threads", "1", "--threads", "1"], "cores": ["--threads", str(ncores)]}

def busy_s():
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / tick

def children_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

def wait_quiet():
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
        sys.exit(f"eval_segmentation: {' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout), process_s, foreign

rows = []
for rnd in range(1, runs + 1):
    for name, folder in workloads:
        order = list(configs) if rnd % 2 else list(reversed(configs))
        for config in order:
            command = [zooci, "eval", "--format", "json", *configs[config], folder]
            attempts = []
            while len(attempts) < 3 and (not attempts or attempts[-1][2] > quiet):
                attempts.append(run_once(command))
            report, process_s, foreign = min(attempts, key=lambda a: a[2])
            t = report["timing"]
            rows.append({"workload": name, "config": config, "round": rnd, "images": report["images"],
                         "pixels": report["evaluated_pixels"] + report["ignored_pixels"],
                         "miou_percent": report["miou_percent"],
                         "runtime": report["runtime"], "batch": report["batch_size"],
                         "process_s": process_s, "foreign_load": foreign, **t})
            print(f"round {rnd}/{runs} {name:16s} {config:7s} {t['images_per_s']:8.1f} images/s "
                  f"(postprocess {t['postprocess_s']:.4f} s, metrics {t['metrics_s']:.4f} s, "
                  f"wall {t['wall_s']:.3f} s; foreign load {100 * foreign:.0f} %)", file=sys.stderr)
json.dump(rows, open(results, "w"), indent=1)
EOF
elapsed_s=$(( $(date +%s) - start_s ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

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
dropped = 0
for key, cell in cells.items():
    clean = [r for r in cell if r["foreign_load"] <= quiet]
    if clean:
        dropped += len(cell) - len(clean)
        cells[key] = clean
labels = {"serial": "serial: `--decode-threads 1 --threads 1`",
          "cores": f"`--threads {cores}`: {cores} decode, {cores} ORT"}
print(f"Runtime: {rows[0]['runtime']}; batch {rows[0]['batch']}; medians over each row's runs "
      f"(images/s of every run in brackets); {dropped} of {len(rows)} runs left out as disturbed "
      f"(foreign load above {100 * quiet:.0f} % after 3 attempts).")
print()
print("| workload | config | images | pixels | mIoU (%) | **images/s** (runs) | eval wall (s) "
      "| decode+preprocess (s, Σ threads) | inference (s) | mask decoding+comparison (s) | metrics (s) "
      "| **masks+metrics, share of wall** | foreign load (max) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (name, config), cell in cells.items():
    m = lambda key: med(r[key] for r in cell)
    share = med((r["postprocess_s"] + r["metrics_s"]) / r["wall_s"] for r in cell)
    runs = " ".join(f"{r['images_per_s']:.0f}" for r in cell)
    print(f"| {name} | {labels[config]} | {cell[0]['images']} | {cell[0]['pixels']} | "
          f"{cell[0]['miou_percent']:.2f} | **{m('images_per_s'):.0f}** ({runs}) | {m('wall_s'):.3f} | "
          f"{m('decode_preprocess_s'):.3f} | {m('inference_s'):.3f} | {m('postprocess_s'):.4f} | "
          f"{m('metrics_s'):.4f} | **{100 * share:.2f} %** | "
          f"{100 * max(r['foreign_load'] for r in cell):.0f} % |")
EOF
)

section=$(cat <<MD

## zooci eval on a semantic segmentation model ($(date -u +%Y-%m-%d))
Command: \`make bench-eval-segmentation\` (\`bash bench/eval_segmentation.sh BUILD_DIR\`, RUNS=$RUNS;
each run is one \`zooci eval --format json [--decode-threads D] [--threads T] FOLDER\` process).
Machine: $machine; load average $load_before before, $load_after after; $elapsed_s s.

Workloads: **shapes_seg** is examples/models/shapes_seg as shipped (100 PNGs of 64 px on the
longer side and their class-index masks, letterbox to 64x64, RGB, /255, [N,4,64,64] logits,
compared at the original resolution with bilinear sampling); **shapes_seg_x10** copies the same
images and masks ten times (1,000 images). "mask decoding+comparison" is measured in the worker
around reading and decoding each mask PNG and the per-pixel sampling, argmax and confusion
counting (after each batch, on the inference thread); "metrics" is zooci deriving the figures
from the summed confusion matrix; the share is (masks + metrics) / eval wall. "pixels" counts every mask pixel, scored or ignored.

$report
MD
)
echo "$section"
if [[ "${NO_APPEND:-0}" != 1 ]]; then echo "$section" >> docs/benchmarks.md; fi
