#!/usr/bin/env bash
# Benchmark (issue 14): one signed pull-request webhook for the example zoo's squeezenet-sized
# submission (submission/good) to a completed check run on the fake GitHub, on this machine,
# with the time per phase: intake (the webhook's answer), queue wait (until a worker holds the
# job), fetch (mirror + merged checkout, from the job's log), pipeline (the review), publish
# (until the check run is completed). Goal: under 30 s, the pipeline over 90 % of it.
# Appends a dated section to docs/benchmarks.md.
#   bash bench/serve_latency.sh [RUNS]     (make bench-serve; default 3 runs, fresh data each)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"; BUILD="${BUILD_DIR:-build}"; RUNS="${1:-3}"
ZOO="$REPO/examples/zoo"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zooci-serve-bench.XXXXXX")"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
echo secret > secret; echo ghs_bench > token
"$REPO/$BUILD/fake-github" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl >gh.log 2>&1 &
PIDS+=($!)
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
for run in $(seq "$RUNS"); do
  rm -f serve.port
  "$REPO/$BUILD/zooci" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
    --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-token-file token \
    --data-dir "data-$run" --workers 1 >"serve-$run.log" 2>&1 &
  pid=$!
  for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
  /usr/bin/python3 - "http://127.0.0.1:$(cat serve.port)" "$ZOO" "$run" >> phases.jsonl <<'PY'
import hashlib, hmac, json, re, subprocess, sys, time, urllib.request
url, zoo, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
rev = lambda ref: subprocess.check_output(["git", "-C", zoo, "rev-parse", ref], text=True).strip()
repo = {"id": 1, "name": "zoo", "full_name": "example/zoo", "clone_url": zoo, "owner": {"login": "example"}}
side = lambda ref, sha: {"ref": ref, "sha": sha, "repo": repo, "user": {"login": "example"}}
body = json.dumps({"action": "opened", "number": 1,
    "pull_request": {"number": 1, "state": "open", "draft": False, "html_url": "https://github.com/example/zoo/pull/1",
                     "user": {"login": "c"}, "head": side("submission/good", rev("submission/good")),
                     "base": side("main", rev("main"))},
    "repository": repo, "installation": {"id": 1}, "sender": {"login": "c"}}).encode()
sig = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
def get(path):
    return urllib.request.urlopen(url + path, timeout=10).read().decode()
t0 = time.monotonic()
request = urllib.request.Request(url + "/webhooks/github", data=body, method="POST", headers={
    "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": f"bench-{run}", "X-Hub-Signature-256": sig})
urllib.request.urlopen(request, timeout=10).read()
t_intake = time.monotonic()
t_running = t_done = t_published = None
while t_published is None and time.monotonic() - t0 < 300:
    job = json.loads(get("/api/v1/jobs"))["jobs"][0]
    now = time.monotonic()
    if t_running is None and job["state"] in ("running", "done"): t_running = now
    if t_done is None and job["state"] == "done": t_done = now
    if job["published"]: t_published = now
    time.sleep(0.02)
page = get("/jobs/1")
stamps = [float(x) for x in re.findall(r"\[([0-9.]+) s\]", page)]
fetch = stamps[1] - stamps[0] if len(stamps) >= 2 else 0.0  # "fetch ..." to "merged onto ..."
work = t_done - t_running
print(json.dumps({"run": run, "total_s": t_published - t0, "intake_s": t_intake - t0,
                  "queue_s": t_running - t_intake, "fetch_s": fetch, "pipeline_s": work - fetch,
                  "publish_s": t_published - t_done}))
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
cat phases.jsonl
report=$(/usr/bin/python3 - "$RUNS" "$(nproc) cores" "$(date -u +%Y-%m-%d)" <<'PY'
import json, statistics, sys
runs, machine, date = sys.argv[1:]
rows = [json.loads(line) for line in open("phases.jsonl")]
med = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k != "run"}
share = med["pipeline_s"] / med["total_s"] * 100
out = [f"\n### zooci serve: webhook to completed check run ({date}, {machine})",
       f"Command: `make bench-serve` (= `bash bench/serve_latency.sh {runs}`): a signed pull_request webhook for the example zoo's "
       "submission/good to `zooci serve` (SQLite, one in-process worker, fresh data directory each run, no bench step) "
       "and the fake GitHub; phases timed by polling the job API every 20 ms; medians of the runs.\n",
       "| total | intake | queue wait | fetch (mirror + merged checkout) | pipeline | publish | pipeline share |",
       "|---|---|---|---|---|---|---|",
       f"| {med['total_s']:.2f} s | {med['intake_s']*1000:.0f} ms | {med['queue_s']:.2f} s | {med['fetch_s']:.2f} s | "
       f"{med['pipeline_s']:.2f} s | {med['publish_s']:.2f} s | {share:.0f} % |",
       "",
       f"- Goal under 30 s: {'met' if med['total_s'] < 30 else 'MISSED'}; pipeline share over 90 %: "
       f"{'met' if share > 90 else 'missed'} (queue wait is the worker's poll interval, 0.5 s; publish is the "
       "publisher's pass interval plus four GitHub requests)."]
print("\n".join(out))
PY
)
echo "$report"
echo "$report" >> "$REPO/docs/benchmarks.md"
