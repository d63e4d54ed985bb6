#!/usr/bin/env bash
# `make demo-serve`: the robot on this machine. Starts a fake GitHub (build/fake-github) and
# `zooci serve` (SQLite, one in-process worker) against the example zoo, delivers two signed
# pull_request webhooks (submission/good and submission/overclaim), waits for both reviews, and
# prints what GitHub received: the check runs' conclusions, the statuses and the PR comments.
# The robot's job pages stay up at the printed URL until you press Enter.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD_DIR:-build}"
ZOO="$PWD/examples/zoo"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zooci-demo-serve.XXXXXX")"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
SECRET="demo-secret"; echo "$SECRET" > secret; echo "ghs_demo" > token
"$OLDPWD/$BUILD/fake-github" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl >gh.log 2>&1 &
PIDS+=($!)
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
"$OLDPWD/$BUILD/zooci" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
  --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-token-file token --data-dir data \
  --workers 1 2>&1 | sed 's/^/  serve| /' &
PIDS+=($!)
for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat serve.port)"
echo "zooci serve at $URL (fake GitHub at http://127.0.0.1:$(cat gh.port))"
n=0
for branch in submission/good submission/overclaim; do
  n=$((n + 1))
  /usr/bin/python3 "$OLDPWD/tests/lib/pr_event.py" "$n.json" opened "$n" "$branch" "$ZOO"
  sig="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$n.json" | cut -d' ' -f1)"
  echo "webhook: pull_request opened #$n ($branch): $(curl -sS -X POST "$URL/webhooks/github" \
    -H "X-GitHub-Event: pull_request" -H "X-GitHub-Delivery: demo-$n" -H "X-Hub-Signature-256: $sig" \
    --data-binary "@$n.json")"
done
for i in $(seq 600); do
  done_count=$(curl -fsS "$URL/api/v1/jobs" | /usr/bin/python3 -c 'import json,sys; print(sum(j["published"] for j in json.load(sys.stdin)["jobs"]))')
  [[ "$done_count" == 2 ]] && break
  sleep 0.5
done
/usr/bin/python3 - <<'PY'
import json
records = [json.loads(line) for line in open("gh.jsonl")]
print("\nWhat GitHub received:")
for r in records:
    body = r["body"] if isinstance(r["body"], dict) else {}
    what = body.get("conclusion") or body.get("state") or body.get("status") or ""
    print(f"  {r['method']:5} {r['path']:55} {r['status']} {what}")
for r in records:
    if r["method"] == "POST" and "/comments" in r["path"]:
        print("\n--- the comment on", r["path"].split("/issues/")[1].split("/")[0], "---")
        print(r["body"]["body"][:1500])
PY
echo
echo "Job pages: $URL/jobs/1 and $URL/jobs/2 — press Enter to stop."
read -r || true
