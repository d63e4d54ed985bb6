-- wrk script for bench/serve_wrk.sh: signed pull_request deliveries, each with its own
-- X-GitHub-Delivery (the id is not part of the signature), counting the answers by status.
local threads = {}
function setup(thread)
  thread:set("tid", tostring(#threads + 1))
  table.insert(threads, thread)
end
function init(args)
  local body_file = io.open(args[1], "rb"); body = body_file:read("*a"); body_file:close()
  local sig_file = io.open(args[2], "rb"); signature = sig_file:read("*l"); sig_file:close()
  counter = 0; accepted = 0; other = 0
end
function request()
  counter = counter + 1
  wrk.headers["X-GitHub-Event"] = "pull_request"
  wrk.headers["X-Hub-Signature-256"] = signature
  wrk.headers["X-GitHub-Delivery"] = "wrk-" .. tid .. "-" .. counter
  return wrk.format("POST", "/webhooks/github", nil, body)
end
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local total_accepted, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_accepted = total_accepted + thread:get("accepted")
    total_other = total_other + thread:get("other")
  end
  io.write(string.format("RESULT accepted=%d other=%d requests=%d p50_ms=%.2f p99_ms=%.2f seconds=%.2f\n",
    total_accepted, total_other, summary.requests, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.duration / 1e6))
end
