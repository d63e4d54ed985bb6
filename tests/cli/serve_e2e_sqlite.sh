# The robot end to end on SQLite with an in-process worker (the default a user gets): real git
# repositories as the pull requests' source (the example zoo and its submission branches), the
# real `zooci serve`, and fake-github checking every request against GitHub's documented shapes.
# A good and a bad submission end in the right check-run conclusion, status and one comment each;
# a bad signature queues nothing; a redelivery makes no second job; a newer push supersedes.
ZOO="$ZOOCI_SOURCE_DIR/examples/zoo"
FAKE="$ZOOCI_BINARY_DIR/fake-github"
[[ -d "$ZOO/.git" ]] || fail "missing example zoo: run make examples"
[[ -x "$FAKE" ]] || fail "fake-github is not built"
export GIT_LFS_SKIP_SMUDGE=1
SECRET="e2e-webhook-secret"
printf '%s\n' "$SECRET" > secret; printf 'ghs_e2etoken\n' > token; printf 'admin-token\n' > admin

"$FAKE" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl --token ghs_e2etoken >gh.log 2>&1 &
FAKE_PID=$!
"$ZOOCI" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
  --github-api-url "http://127.0.0.1:$(for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done; cat gh.port)" \
  --github-token-file token --data-dir data --workers 1 --public-url http://zooci.test \
  --admin-token-file admin \
  >serve.log 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID $FAKE_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
[[ -s serve.port ]] || { cat serve.log; fail "zooci serve did not start"; }
URL="http://127.0.0.1:$(cat serve.port)"
curl -fsS "$URL/healthz" | grep -q '"ok":true' || fail "/healthz"

# deliver EVENT DELIVERY_ID PAYLOAD_FILE [SECRET]: prints the HTTP status, body in reply.json.
deliver() {
  local sig
  sig="sha256=$(openssl dgst -sha256 -hmac "${4:-$SECRET}" -r "$3" | cut -d' ' -f1)"
  curl -sS -o reply.json -w '%{http_code}' -X POST "$URL/webhooks/github" \
    -H "Content-Type: application/json" -H "X-GitHub-Event: $1" -H "X-GitHub-Delivery: $2" \
    -H "X-Hub-Signature-256: $sig" --data-binary "@$3"
}
# pr_event FILE ACTION NUMBER BRANCH [SHA]: a pull_request payload shaped like GitHub's.
pr_event() { /usr/bin/python3 "$ZOOCI_SOURCE_DIR/tests/lib/pr_event.py" "$1" "$2" "$3" "$4" "$ZOO" ${5:+"$5"}; }
jobs_json() { curl -fsS "$URL/api/v1/jobs"; }
# wait_published N: until N jobs are published (or 240 s).
wait_published() {
  for i in $(seq 480); do
    n=$(jobs_json | /usr/bin/python3 -c 'import json,sys; print(sum(1 for j in json.load(sys.stdin)["jobs"] if j["published"]))')
    [[ "$n" -ge "$1" ]] && return 0
    sleep 0.5
  done
  tail -30 serve.log; jobs_json; fail "only $n of $1 jobs published"
}

# A bad signature: 401, nothing queued.
pr_event good.json opened 1 submission/good
[[ "$(deliver pull_request d-bad good.json wrong-secret)" == 401 ]] || fail "bad signature: $(cat reply.json)"
[[ "$(jobs_json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" == 0 ]] || fail "a job was queued for a bad signature"
# Malformed JSON (signed): 400.
echo '{"action": ' > broken.json
[[ "$(deliver pull_request d-broken broken.json)" == 400 ]] || fail "malformed JSON: $(cat reply.json)"
# A body over GitHub's 25 MB limit: 413, refused before it is read in full or parsed.
head -c $((26 * 1024 * 1024)) /dev/zero > huge.json
[[ "$(deliver pull_request d-huge huge.json)" == 413 ]] || fail "oversized body: $(head -c 200 reply.json)"
rm huge.json
# ping: answered.
echo '{"zen": "Keep it logically awesome.", "hook_id": 1}' > ping.json
[[ "$(deliver ping d-ping ping.json)" == 200 ]] || fail "ping"

# The good submission, delivered twice (a redelivery): one job.
[[ "$(deliver pull_request d-1 good.json)" == 202 ]] || fail "good: $(cat reply.json)"
[[ "$(deliver pull_request d-1 good.json)" == 200 ]] || fail "redelivery: $(cat reply.json)"
expect_in "$(cat reply.json)" '"duplicate"'
# The bad submission (overclaims its accuracy) on PR 2.
pr_event bad.json opened 2 submission/overclaim
[[ "$(deliver pull_request d-2 bad.json)" == 202 ]] || fail "bad: $(cat reply.json)"
# PR 3: a first push, then a newer one before it runs: the first is superseded.
pr_event old.json opened 3 submission/wrong-opset "$(git -C "$ZOO" rev-parse submission/good)"
pr_event new.json synchronize 3 submission/wrong-opset
[[ "$(deliver pull_request d-3a old.json)" == 202 ]] || fail "PR 3 first push"
[[ "$(deliver pull_request d-3b new.json)" == 202 ]] || fail "PR 3 second push"

wait_published 4
curl -fsS "http://127.0.0.1:$(cat gh.port)/_fake/state" > state.json
/usr/bin/python3 - "$(git -C "$ZOO" rev-parse submission/good)" "$(git -C "$ZOO" rev-parse submission/overclaim)" \
  "$(git -C "$ZOO" rev-parse submission/wrong-opset)" <<'PY' || { tail -40 serve.log; fail "GitHub saw the wrong thing"; }
import json, sys
good, bad, wrong = sys.argv[1:]
jobs = json.load(open("jobs.json")) if False else None
records = [json.loads(line) for line in open("gh.jsonl")]
def calls(method, part):
    return [r for r in records if r["method"] == method and part in r["path"]]
completed = [r for r in calls("PATCH", "/check-runs/") if r["body"].get("status") == "completed"]
by_sha = {}
for r in calls("POST", "/check-runs"):
    by_sha.setdefault(r["body"]["head_sha"], []).append(r)
def conclusion_for(sha):
    ids = [r["response"]["id"] for r in by_sha.get(sha, [])]
    found = [r["body"]["conclusion"] for r in completed if int(r["path"].rsplit("/", 1)[1]) in ids]
    return found
assert conclusion_for(good) == ["success"], ("good", conclusion_for(good))
assert conclusion_for(bad) == ["failure"], ("bad", conclusion_for(bad))
assert conclusion_for(wrong) == ["failure"], ("wrong-opset", conclusion_for(wrong))
statuses = {}
for r in calls("POST", "/statuses/"):
    statuses.setdefault(r["path"].rsplit("/", 1)[1], []).append(r["body"]["state"])
assert statuses[good][-1] == "success" and statuses[bad][-1] == "failure", statuses
comments = calls("POST", "/issues/")
prs = sorted(int(r["path"].split("/issues/")[1].split("/")[0]) for r in comments)
assert prs == [1, 2, 3], ("one comment per pull request", prs)
for r in comments:
    assert r["body"]["body"].startswith("<!-- zooci:comment -->"), r["body"]["body"][:80]
bad_comment = [r for r in comments if "/issues/2/" in r["path"]][0]["body"]["body"]
assert "DECLINE" in bad_comment, bad_comment[:300]
failure_runs = [r for r in completed if r["body"]["conclusion"] == "failure"]
assert any(r["body"]["output"].get("annotations") for r in failure_runs), "no annotations"
print("github ok")
PY
# The superseded first push of PR 3 never ran.
jobs_json | /usr/bin/python3 -c '
import json, sys
jobs = {j["id"]: j for j in json.load(sys.stdin)["jobs"]}
old = [j for j in jobs.values() if j["spec"]["pr_number"] == 3 and j["state"] == "cancelled"]
assert len(old) == 1 and old[0]["superseded_by"] > 0, jobs
assert sorted(j["state"] for j in jobs.values()) == ["cancelled", "done", "done", "done"], jobs
' || fail "supersede"

# A retest comment from a member on PR 1 queues its current head (from GitHub's pull request) and
# the result edits PR 1's comment; an admin retest of job 1 does the same; without the token, 401.
curl -fsS -X PUT "http://127.0.0.1:$(cat gh.port)/_fake/repos/example/zoo/pulls/1" --data-binary @- <<JSON >/dev/null
$(/usr/bin/python3 -c '
import json, sys
pr = json.load(open("good.json"))["pull_request"]
print(json.dumps(pr))')
JSON
/usr/bin/python3 - <<'PY'
import json
payload = {"action": "created", "issue": {"number": 1, "state": "open", "pull_request": {"url": "x"}},
           "comment": {"id": 77, "body": "/zooci retest", "author_association": "MEMBER", "user": {"login": "maintainer"}},
           "repository": {"full_name": "example/zoo", "name": "zoo", "owner": {"login": "example"}},
           "installation": {"id": 42}, "sender": {"login": "maintainer"}}
json.dump(payload, open("retest.json", "w"))
PY
[[ "$(deliver issue_comment d-retest retest.json)" == 202 ]] || fail "retest comment: $(cat reply.json)"
[[ "$(curl -s -o /dev/null -w '%{http_code}' -d '' "$URL/api/v1/admin/jobs/1/retest")" == 401 ]] ||
  fail "admin retest without a token"
[[ "$(curl -s -o /dev/null -w '%{http_code}' -d '' -H 'Authorization: Bearer admin-token' \
      "$URL/api/v1/admin/jobs/1/retest")" == 202 ]] || fail "admin retest"
wait_published 6
/usr/bin/python3 - <<'PY' || fail "retests did not edit PR 1's one comment"
import json
records = [json.loads(line) for line in open("gh.jsonl")]
created = [r for r in records if r["method"] == "POST" and "/issues/1/comments" in r["path"]]
edited = [r for r in records if r["method"] == "PATCH" and "/issues/comments/" in r["path"]]
assert len(created) == 1, len(created)
comment_id = created[0]["response"]["id"]
assert sum(1 for r in edited if r["path"].endswith("/" + str(comment_id))) >= 2, [r["path"] for r in edited]
PY

# The dashboard's first pages: the overview lists the jobs with a Content-Security-Policy and no
# script; a branch name carrying HTML is shown as text; /metrics counts jobs and deliveries; the
# badge shows a model folder's newest verdict.
pr_event evil.json opened 9 submission/good
/usr/bin/python3 - <<'PY'
import json
payload = json.load(open("evil.json"))
payload["pull_request"]["head"]["ref"] = "<script>alert('branch')</script>"
json.dump(payload, open("evil.json", "w"))
PY
[[ "$(deliver pull_request d-evil evil.json)" == 202 ]] || fail "hostile branch name: $(cat reply.json)"
curl -fsS -D headers.txt "$URL/" > overview.html
grep -qi "^Content-Security-Policy: default-src 'none'" headers.txt || fail "no CSP header"
grep -q "&lt;script&gt;alert(&apos;branch&apos;)&lt;/script&gt;" overview.html || fail "branch not escaped"
! grep -qi "<script" overview.html || fail "a script tag in the overview"
grep -q 'href="/jobs/1"' overview.html || fail "job 1 not listed"
curl -fsS "$URL/?verdict=DECLINE" | grep -q 'class="DECLINE"' || fail "verdict filter"
curl -fsS "$URL/metrics" > metrics.txt
grep -q '^zooci_jobs{state="done"} [1-9]' metrics.txt || fail "metrics: $(head -5 metrics.txt)"
grep -q '^zooci_webhook_deliveries_total{status="202"} [1-9]' metrics.txt || fail "delivery metrics"
grep -q '^zooci_webhook_deliveries_total{status="401"} 1$' metrics.txt || fail "401 not counted once"
grep -q '^zooci_step_seconds_count{step="check"} [1-9]' metrics.txt || fail "step histogram: $(grep step_seconds metrics.txt | head -3)"
grep -q '^zooci_step_seconds_bucket{step="eval",le="+Inf"} [1-9]' metrics.txt || fail "eval step histogram"
badge=$(curl -fsS "$URL/badge/example/zoo/validated/vision/classification/digits_v2.svg")
[[ "$badge" == *"zooci: ACCEPT"* || "$badge" == *"zooci: DECLINE"* ]] || fail "badge: $badge"
[[ "$(curl -fsS "$URL/badge/example/zoo/no/such/model.svg")" == *"zooci: unknown"* ]] || fail "unknown badge"
# The job page of the declined submission: the banner, the review's own HTML report with its
# reasons, the log; no script.
curl -fsS "$URL/jobs/2" > job2.html
grep -q 'class="zooci-job"' job2.html || fail "job page banner"
grep -q "DECLINE" job2.html || fail "job page verdict"
grep -q "<h2>Log</h2>" job2.html || fail "job page log"
! grep -qi "<script" job2.html || fail "a script tag in the job page"
! grep -q "/data/jobs/" job2.html || fail "the job page shows the worker's checkout path"
# The model page: the folder's reviews and the accuracy chart drawn on the server.
curl -fsS "$URL/models/example/zoo/validated/vision/classification/digits_v2" > model.html
grep -q '<polyline class="series"' model.html || fail "no accuracy chart on the model page"
grep -q 'href="/jobs/1"' model.html || fail "the model page does not list job 1"
! grep -qi "<script" model.html || fail "a script tag in the model page"

# /api/v1 for what the pages show: workers with labels, a job with its result (not its HTML), its
# log (with per-model progress lines), filtered lists, the model's history with its manifest entry.
curl -fsS "$URL/api/v1/workers" | /usr/bin/python3 -c '
import json, sys
workers = json.load(sys.stdin)["workers"]
assert len(workers) == 1 and workers[0]["labels"] == "in-process", workers
assert workers[0]["state"] in ("idle", "busy"), workers' || fail "/api/v1/workers"
curl -fsS "$URL/api/v1/jobs/2" | /usr/bin/python3 -c '
import json, sys
job = json.load(sys.stdin)
assert job["verdict"] == "DECLINE", job["verdict"]
assert job["result"]["annotations"] and "html" not in job["result"], list(job["result"])' || fail "/api/v1/jobs/2"
curl -fsS "$URL/api/v1/jobs/2/log?offset=0" | /usr/bin/python3 -c '
import json, sys
log = json.load(sys.stdin)
assert log["final"] and log["state"] == "done", log
assert "review the folders" in log["text"] and "[1/1] " in log["text"], log["text"]
assert log["next_offset"] == len(log["text"].encode()), log["next_offset"]' || fail "/api/v1/jobs/2/log"
curl -fsS "$URL/api/v1/jobs?verdict=DECLINE&limit=1" | /usr/bin/python3 -c '
import json, sys
page = json.load(sys.stdin)
assert len(page["jobs"]) == 1 and page["jobs"][0]["verdict"] == "DECLINE", page' || fail "verdict filter in the API"
curl -fsS "$URL/api/v1/models/example/zoo/validated/vision/classification/digits_v2" | /usr/bin/python3 -c '
import json, sys
model = json.load(sys.stdin)
assert model["reviews"] and model["verdict"] in ("ACCEPT", "DECLINE"), model
assert any(e["model_path"].startswith("validated/vision/classification/digits_v2/") for e in model["manifest"]), model["manifest"]' || fail "/api/v1/models"
grep -q 'id="zooci-manifest"' model.html || fail "no manifest entry on the model page"
# Each reason on the job page links to its file and line at the head commit on GitHub.
grep -Eq 'class="zooci-reason-link" href="https://github.com/example/zoo/blob/[0-9a-f]{40}/validated/[^"#]+#L[0-9]+"' job2.html ||
  fail "no reason linked to GitHub: $(grep -o 'zooci-reason-link[^>]*' job2.html | head -3)"

# Rerun and cancel: POST only, the admin token; from a page, the session cookie and its CSRF token.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ "$(code -d '' "$URL/jobs/2/rerun")" == 403 ]] || fail "rerun without a session"
[[ "$(code "$URL/jobs/2/rerun")" == 404 ]] || fail "rerun by GET"
[[ "$(code -X POST -d token=wrong "$URL/login")" == 401 ]] || fail "login with a wrong token"
[[ "$(code -c admin.cookies -X POST -d token=admin-token "$URL/login")" == 303 ]] || fail "admin login"
grep -q zooci_session admin.cookies || fail "no session cookie"
! grep -q admin-token admin.cookies || fail "the cookie carries the token"
curl -fsS -b admin.cookies "$URL/jobs/2" > job2-admin.html
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' job2-admin.html | head -1 | sed 's/.*value="//; s/"//')
[[ -n "$csrf" ]] || fail "no CSRF token in the admin's job page"
! grep -q 'name="csrf"' job2.html || fail "rerun forms shown to anonymous viewers"
[[ "$(code -b admin.cookies -d '' "$URL/jobs/2/rerun")" == 403 ]] || fail "rerun without the CSRF token"
[[ "$(code -b admin.cookies -X POST -d csrf=00ff "$URL/jobs/2/rerun")" == 403 ]] || fail "rerun with a wrong CSRF token"
[[ "$(code -b admin.cookies -H 'Origin: http://evil.test' -X POST -d "csrf=$csrf" "$URL/jobs/2/rerun")" == 403 ]] ||
  fail "rerun from another origin"
before=$(jobs_json | /usr/bin/python3 -c 'import json,sys; print(max(j["id"] for j in json.load(sys.stdin)["jobs"]))')
location=$(curl -s -o /dev/null -w '%{redirect_url}' -b admin.cookies -X POST -d "csrf=$csrf" "$URL/jobs/2/rerun")
[[ "$location" == */jobs/$((before + 1)) ]] || fail "rerun did not queue job $((before + 1)): '$location'"
[[ "$(code -d '' -H 'Authorization: Bearer admin-token' "$URL/api/v1/admin/jobs/$((before + 1))/cancel")" =~ ^(200|409)$ ]] ||
  fail "admin cancel"
[[ "$(code -d '' -H 'Authorization: Bearer admin-token' "$URL/api/v1/admin/jobs/2/cancel")" == 409 ]] ||
  fail "cancelling a finished job"
[[ "$(code -d '' -H 'Authorization: Bearer not-it' "$URL/api/v1/admin/jobs/2/cancel")" == 401 ]] ||
  fail "cancel with a wrong token"
# A malformed agent request is a 400, not a crash.
[[ "$(code -d '' -H 'Authorization: Bearer x' -d '{}' "$URL/api/v1/agent/claim")" == 401 ]] || fail "agent without its token"

# --dashboard-auth token: a second coordinator on the same store, pages need the viewer token.
printf 'viewer-token\n' > viewer
"$ZOOCI" serve --listen 127.0.0.1:0 --port-file serve2.port --webhook-secret-file secret \
  --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-token-file token --data-dir data \
  --workers 0 --admin-token-file admin --dashboard-auth token --dashboard-token-file viewer \
  >serve2.log 2>&1 &
SERVE2_PID=$!
trap 'kill $SERVE_PID $SERVE2_PID $FAKE_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 100); do [[ -s serve2.port ]] && break; sleep 0.1; done
URL2="http://127.0.0.1:$(cat serve2.port)"
for path in / /jobs/2 /api/v1/jobs /api/v1/workers /metrics /models/example/zoo/x /badge/example/zoo/x.svg; do
  [[ "$(code "$URL2$path")" == 401 ]] || fail "$path without the viewer token"
done
[[ "$(code "$URL2/healthz")" == 200 ]] || fail "/healthz needs no token"
[[ "$(code -H 'Authorization: Bearer viewer-token' "$URL2/api/v1/jobs")" == 200 ]] || fail "viewer bearer"
[[ "$(code -c viewer.cookies -X POST -d token=viewer-token "$URL2/login")" == 303 ]] || fail "viewer login"
[[ "$(code -b viewer.cookies "$URL2/jobs/2")" == 200 ]] || fail "viewer session"
[[ "$(code -b admin.cookies "$URL2/")" == 200 ]] || fail "the admin session is a viewer too"
[[ "$(code -b viewer.cookies -X POST -d csrf=x "$URL2/jobs/2/rerun")" == 403 ]] || fail "a viewer reran a job"
! grep -rq 'viewer-token\|admin-token' serve.log serve2.log || fail "a token in the service log"
