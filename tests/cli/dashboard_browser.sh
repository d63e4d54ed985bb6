# The dashboard in a real browser (tests/browser/dashboard.mjs: Debian's chromium, headless,
# driven by playwright-core) against a real `zooci serve` whose jobs come from the example zoo's
# submissions: the overview lists them, the declined submission's page shows its reasons, the
# model page draws its chart (a classifier's top-1, the example detector's mAP and the example
# segmenter's mIoU, each against its claim: submission/detection and submission/segmentation),
# rerun works with the admin token and is refused without it, and markup injected through a PR
# title, a branch name, a model (folder) name, a README and a log line is shown as text.
# Screenshots are kept in $ZOOCI_BINARY_DIR/artifacts/browser/.
ZOO="$ZOOCI_SOURCE_DIR/examples/zoo"
FAKE="$ZOOCI_BINARY_DIR/fake-github"
BROWSER_DIR="$ZOOCI_SOURCE_DIR/tests/browser"
[[ -d "$ZOO/.git" ]] || fail "missing example zoo: run make examples"
[[ -x "$FAKE" ]] || fail "fake-github is not built"
[[ -x /usr/bin/chromium ]] || fail "chromium is not installed: run scripts/install-deps.sh"
[[ -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ]] ||
  fail "playwright-core is not installed: run scripts/install-deps.sh"
SHOTS="$ZOOCI_BINARY_DIR/artifacts/browser"
rm -rf "$SHOTS"; mkdir -p "$SHOTS"

# A copy of the example zoo (with its LFS objects) plus a hostile submission: the good model
# under a folder whose name is markup, with markup in its README.
git clone -q --no-local "$ZOO" zoo
for branch in submission/good submission/overclaim submission/detection submission/segmentation; do
  git -C zoo branch -q "$branch" "origin/$branch"
done
# After the branches: `lfs fetch --all` takes the objects of local refs only (the detector's and
# the segmenter's models are on their branches alone). git-lfs 3.3's fetch has no -q (it failed
# silently with it); the lfs-pointer branch's object is missing on purpose, hence `|| true`.
git -C zoo lfs fetch --all origin >/dev/null 2>&1 || true
HOSTILE='<img src=x onerror=zooci_pwned=1>'
HOSTILE_BRANCH='<svg/onload=zooci_pwned=1>'  # markup that is also a valid branch name
(
  cd zoo
  git checkout -q -b "$HOSTILE_BRANCH" submission/good
  base=validated/vision/classification
  git mv "$base/digits_v2" "$base/$HOSTILE"
  printf '\n<script>zooci_pwned=1</script> <b onmouseover="zooci_pwned=1">bold</b>\n' >> "$base/$HOSTILE/README.md"
  git -c user.name=t -c user.email=t@t commit -qam "hostile names"
  git checkout -q main
)
export GIT_LFS_SKIP_SMUDGE=1
SECRET="browser-webhook-secret"
printf '%s\n' "$SECRET" > secret; printf 'ghs_browser\n' > token; printf 'admin-browser-token\n' > admin
"$FAKE" --listen 127.0.0.1:0 --port-file gh.port --record gh.jsonl --token ghs_browser >gh.log 2>&1 &
FAKE_PID=$!
for i in $(seq 50); do [[ -s gh.port ]] && break; sleep 0.1; done
"$ZOOCI" serve --listen 127.0.0.1:0 --port-file serve.port --webhook-secret-file secret \
  --github-api-url "http://127.0.0.1:$(cat gh.port)" --github-token-file token --data-dir data \
  --workers 1 --admin-token-file admin >serve.log 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID $FAKE_PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 100); do [[ -s serve.port ]] && break; sleep 0.1; done
[[ -s serve.port ]] || { cat serve.log; fail "zooci serve did not start"; }
URL="http://127.0.0.1:$(cat serve.port)"

deliver() {  # deliver DELIVERY_ID PAYLOAD_FILE
  local sig
  sig="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$2" | cut -d' ' -f1)"
  curl -sS -o reply.json -w '%{http_code}' -X POST "$URL/webhooks/github" \
    -H "Content-Type: application/json" -H "X-GitHub-Event: pull_request" \
    -H "X-GitHub-Delivery: $1" -H "X-Hub-Signature-256: $sig" --data-binary "@$2"
}
event() {  # event FILE NUMBER BRANCH [TITLE]
  /usr/bin/python3 "$ZOOCI_SOURCE_DIR/tests/lib/pr_event.py" "$1" opened "$2" "$3" "$SCRATCH/zoo"
  if [[ -n "${4:-}" ]]; then
    /usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p["pull_request"]["title"]=sys.argv[2]; json.dump(p,open(sys.argv[1],"w"))' "$1" "$4"
  fi
}
event good.json 1 submission/good
event bad.json 2 submission/overclaim
event hostile.json 3 "$HOSTILE_BRANCH" '<script>zooci_pwned=1</script> Add a model'
event detection.json 4 submission/detection
event segmentation.json 5 submission/segmentation
for name in good bad hostile detection segmentation; do
  [[ "$(deliver "d-$name" "$name.json")" == 202 ]] || fail "$name: $(cat reply.json)"
done
# Until the five jobs are done (job ids follow delivery order: 1 good, 2 bad, 3 hostile,
# 4 detection, 5 segmentation).
for i in $(seq 720); do
  done_count=$(curl -fsS "$URL/api/v1/jobs?state=done" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')
  [[ "$done_count" -ge 5 ]] && break
  sleep 0.5
done
[[ "$done_count" -ge 5 ]] || { tail -20 serve.log; fail "only $done_count of 5 jobs done"; }
curl -fsS "$URL/api/v1/jobs/2" | grep -q '"verdict":"DECLINE"' || fail "job 2 is not declined"

(cd "$BROWSER_DIR" && node dashboard.mjs "$URL" "$SHOTS" "$(cat "$SCRATCH/admin")" 2 3 \
  validated/vision/classification/digits_v2 validated/vision/object_detection_segmentation/shapes_yolo \
  validated/vision/object_detection_segmentation/shapes_seg) || { tail -20 serve.log; fail "browser checks"; }
for shot in overview job-declined job-hostile model model-detector model-segmenter job-rerun-running \
  job-rerun-done; do
  [[ -s "$SHOTS/$shot.png" ]] || fail "no screenshot $shot.png"
done
