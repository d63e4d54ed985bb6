# zooci serve as a GitHub App: the publisher signs an RS256 JWT with the app's key, exchanges it
# for an installation token at the fake GitHub (which verifies the signature, iat/exp and iss),
# and uses that token for the check run, status and comment of the delivery's installation.
ZOO="$ZOOCI_SOURCE_DIR/examples/zoo"
FAKE="$ZOOCI_BINARY_DIR/fake-github"
[[ -d "$ZOO/.git" ]] || fail "missing example zoo: run make examples"
export GIT_LFS_SKIP_SMUDGE=1
openssl genrsa -out app.pem 2048 2>/dev/null
openssl rsa -in app.pem -pubout -out app.pub 2>/dev/null
echo app-secret > secret
"$FAKE" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl --app-public-key app.pub \
  --app-id 4242 >gh.log 2>&1 &
FAKE_PID=$!
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
"$ZOOCI" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
  --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-app-id 4242 --github-app-key-file app.pem \
  --data-dir data --workers 1 >serve.log 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID $FAKE_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat serve.port)"
/usr/bin/python3 "$ZOOCI_SOURCE_DIR/tests/lib/pr_event.py" good.json opened 1 submission/good "$ZOO"
sig="sha256=$(openssl dgst -sha256 -hmac app-secret -r good.json | cut -d' ' -f1)"
code=$(curl -sS -o reply.json -w '%{http_code}' -X POST "$URL/webhooks/github" -H "X-GitHub-Event: pull_request" \
  -H "X-GitHub-Delivery: app-1" -H "X-Hub-Signature-256: $sig" --data-binary @good.json)
[[ "$code" == 202 ]] || fail "delivery: $code $(cat reply.json)"
for i in $(seq 240); do
  curl -fsS "$URL/api/v1/jobs" | grep -q '"published":true' && break
  sleep 0.5
done
/usr/bin/python3 - <<'PY' || { tail -20 serve.log; fail "the App's token was not used"; }
import json
records = [json.loads(line) for line in open("gh.jsonl")]
exchanges = [r for r in records if r["path"] == "/app/installations/42/access_tokens"]
assert exchanges and exchanges[0]["status"] == 201, [(r["path"], r["status"]) for r in records][:5]
token = exchanges[0]["response"]["token"]
api = [r for r in records if r["path"].startswith("/repos/")]
assert api and all(r["status"] < 300 for r in api), [(r["path"], r["status"]) for r in api]
assert all(r["headers"]["Authorization"] == "Bearer " + token for r in api), "not the installation token"
assert len(exchanges) == 1, "the installation token was not cached"
completed = [r for r in api if r["method"] == "PATCH" and r["body"].get("conclusion") == "success"]
assert completed, "no successful check run"
PY
