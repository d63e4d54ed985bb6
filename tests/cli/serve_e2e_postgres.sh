# The robot across processes on a real PostgreSQL (started here, as an unprivileged user): two
# coordinators share the database, the reviews run on two remote `zooci worker` processes, and
# the fake GitHub fails its first requests. Faults: the worker holding a job is killed with -9
# (the job finishes on the other, published once), the coordinator that took the webhook is
# killed with -9 (the other carries on), PostgreSQL is restarted mid-run (nothing is lost).
source "$ZOOCI_SOURCE_DIR/tests/lib/postgres.sh"
ZOO="$ZOOCI_SOURCE_DIR/examples/zoo"
FAKE="$ZOOCI_BINARY_DIR/fake-github"
[[ -d "$ZOO/.git" ]] || fail "missing example zoo: run make examples"
export GIT_LFS_SKIP_SMUDGE=1
SECRET="pg-webhook-secret"
printf '%s\n' "$SECRET" > secret; printf 'ghs_pgtoken\n' > token; printf 'agent-secret\n' > agent
PIDS=()
cleanup() { kill -9 "${PIDS[@]}" 2>/dev/null; stop_postgres; }
trap cleanup EXIT
start_postgres "$SCRATCH/pg/db"

# The fake GitHub answers the first 2 API requests with 502: publishing retries.
"$FAKE" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl --token ghs_pgtoken \
  --fail 2=502 >gh.log 2>&1 &
PIDS+=($!)
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
serve() {  # serve NAME: a coordinator without in-process workers
  "$ZOOCI" serve --listen 127.0.0.1:0 --port-file "$1.port" --db "$PG_URL" --workers 0 \
    --webhook-secret-file secret --agent-token-file agent --github-token-file token \
    --github-api-url "http://127.0.0.1:$(cat gh.port)" --data-dir "$1-data" --lease-ms 3000 \
    >"$1.log" 2>&1 &
  PIDS+=($!)
  eval "${1}_PID=$!"
  for i in $(seq 100); do [[ -s "$1.port" ]] && break; sleep 0.1; done
  [[ -s "$1.port" ]] || { cat "$1.log"; fail "coordinator $1 did not start"; }
}
serve a; serve b
A="http://127.0.0.1:$(cat a.port)"; B="http://127.0.0.1:$(cat b.port)"
worker() {  # worker NAME COORDINATOR
  "$ZOOCI" worker --coordinator "$2" --token-file agent --data-dir "$1-data" --lease-ms 3000 \
    >"$1.log" 2>&1 &
  PIDS+=($!)
  eval "${1}_PID=$!"
}
worker w1 "$A"; worker w2 "$B"

deliver() {  # deliver URL EVENT DELIVERY FILE
  local sig="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$4" | cut -d' ' -f1)"
  curl -sS -o reply.json -w '%{http_code}' -X POST "$1/webhooks/github" \
    -H "X-GitHub-Event: $2" -H "X-GitHub-Delivery: $3" -H "X-Hub-Signature-256: $sig" \
    --data-binary "@$4"
}
pr_event() {  # pr_event FILE NUMBER BRANCH
  /usr/bin/python3 "$ZOOCI_SOURCE_DIR/tests/lib/pr_event.py" "$1" opened "$2" "$3" "$ZOO"
}
job_field() {  # job_field URL PR FIELD
  curl -fsS "$1/api/v1/jobs" | /usr/bin/python3 -c '
import json, sys
jobs = [j for j in json.load(sys.stdin)["jobs"] if j["spec"]["pr_number"] == int(sys.argv[1])]
print(jobs[0][sys.argv[2]] if jobs else "")' "$2" "$3"
}
wait_for() {  # wait_for URL PR FIELD VALUE SECONDS
  for i in $(seq $(( $5 * 4 ))); do
    [[ "$(job_field "$1" "$2" "$3")" == "$4" ]] && return 0
    sleep 0.25
  done
  tail -20 a.log b.log w1.log w2.log; fail "job of PR $2: $3 never became $4 (is $(job_field "$1" "$2" "$3"))"
}

# 1. The good submission through A; kill -9 whichever worker holds it; the other finishes it.
pr_event good.json 1 submission/good
[[ "$(deliver "$A" pull_request p-1 good.json)" == 202 ]] || fail "delivery to A: $(cat reply.json)"
wait_for "$A" 1 state running 60
owner="$(job_field "$A" 1 lease_owner)"
victim="${owner##*:}"
kill -9 "$victim" || fail "no worker process $victim holds the job"
wait_for "$B" 1 published True 240
[[ "$(job_field "$B" 1 attempts)" -ge 2 ]] || fail "the job was not retried after the kill"
[[ "$(job_field "$B" 1 lease_owner)" != "$owner" ]] || fail "the killed worker finished it?"
# Restart the killed worker so that two are available again.
if [[ "$victim" == "$w1_PID" ]]; then worker w1 "$A"; else worker w2 "$B"; fi

# 2. kill -9 coordinator A; B carries on with the bad submission. PostgreSQL restarts meanwhile.
kill -9 "$a_PID"
pr_event bad.json 2 submission/overclaim
[[ "$(deliver "$B" pull_request p-2 bad.json)" == 202 ]] || fail "delivery to B: $(cat reply.json)"
restart_postgres
wait_for "$B" 2 published True 240
# A redelivery of the first event to B (A's delivery is in the shared store): nothing new.
[[ "$(deliver "$B" pull_request p-1 good.json)" == 200 ]] || fail "redelivery: $(cat reply.json)"

/usr/bin/python3 - "$(git -C "$ZOO" rev-parse submission/good)" "$(git -C "$ZOO" rev-parse submission/overclaim)" <<'PY' || fail "GitHub saw the wrong thing"
import json, sys
good, bad = sys.argv[1:]
records = [json.loads(line) for line in open("gh.jsonl")]
ok = [r for r in records if r["status"] < 300]
assert sum(1 for r in records if r["status"] == 502) == 2, "the fake's failures were not hit"
creates = {}
for r in ok:
    if r["method"] == "POST" and r["path"].endswith("/check-runs"):
        creates.setdefault(r["body"]["head_sha"], []).append(r["response"]["id"])
assert len(creates.get(good, [])) == 1 and len(creates.get(bad, [])) == 1, ("one check run per commit", creates)
def conclusions(sha):
    return [r["body"]["conclusion"] for r in ok if r["method"] == "PATCH" and "/check-runs/" in r["path"]
            and int(r["path"].rsplit("/", 1)[1]) in creates[sha] and r["body"].get("status") == "completed"]
assert conclusions(good) == ["success"], conclusions(good)
assert conclusions(bad) == ["failure"], conclusions(bad)
comments = [r for r in ok if r["method"] == "POST" and "/comments" in r["path"]]
assert len(comments) == 2, ("one comment per pull request", [c["path"] for c in comments])
print("published once each")
PY
