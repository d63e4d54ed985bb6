// service: the auto robot. `zooci serve` is a coordinator: it takes GitHub webhooks in (signature
// first, each delivery once), queues jobs in a JobStore, runs N in-process workers, offers the
// same queue to remote `zooci worker` processes over HTTP (agent token, no database credentials),
// and publishes each stored result to GitHub exactly once (check run, commit status, one PR
// comment edited in place) — from the store, so a crash between finishing and publishing only
// delays it. Coordinators keep no state of their own: several may share one PostgreSQL.
// The review itself is `zooci validate`'s pipeline, unchanged (docs/design.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/base.h"
#include "runtime/runtime.h"

namespace zooci {

struct ServeOptions {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;  // 0: any free port (written to port_file)
  std::string db_url;      // "sqlite:PATH" or "postgresql://..."; default sqlite:DATA/zooci.db
  int workers = 1;         // in-process workers (0: only remote ones)
  std::string webhook_secret;
  std::string github_api_url = "https://api.github.com";
  std::string github_token;  // a plain token, or
  std::string github_app_id;  // a GitHub App (id + PEM key)
  std::string github_app_key_pem;
  fs::path data_dir;         // mirrors/, jobs/, cache/, the default SQLite file
  std::string agent_token;   // remote workers' bearer token ("" = no remote workers)
  std::string admin_token;   // for the admin API and the pages' rerun/cancel ("" = none)
  // Dashboard access: "" = read-only pages public; otherwise viewers need this token (or the
  // admin token), as a bearer header or through /login's session cookie (`--dashboard-auth
  // token`). Webhooks, the agent API and /healthz have their own rules.
  std::string dashboard_token;
  std::string public_url;    // base of the job pages linked from check runs and statuses
  fs::path port_file;        // where the bound port is written (tests, scripts)
  int64_t max_body_bytes = int64_t{25} << 20;  // GitHub caps payloads at 25 MB
  int64_t lease_ms = 60000;
  int64_t heartbeat_ms = 10000;
  int64_t poll_ms = 500;
  bool run_bench = false;  // the robot's default: correctness first, latency on demand
  std::string check_name = "zooci";
  std::string zooci_version;
  std::string build_id;  // ValidateOptions::build_id
  // Makes the executors of the compatibility matrix's other runtimes, when a zoo's
  // zooci-zoo.yaml lists some (ValidateOptions::make_executor). Unset: they are not checked.
  std::function<Result<std::unique_ptr<Executor>>(const std::string& runtime)> make_executor;
};

// Runs the coordinator until `stop` becomes true (SIGINT/SIGTERM in the CLI). Models run in
// `executor` (a sandbox with at least `workers` workers).
Status RunServe(const ServeOptions& options, Executor& executor, const std::atomic<bool>& stop);

struct WorkerOptions {
  std::string coordinator_url;  // "http://host:port"
  std::string token;
  fs::path data_dir;
  std::vector<std::string> labels;
  int64_t poll_ms = 1000;
  int64_t lease_ms = 60000;
  bool run_bench = false;
  std::string zooci_version;
  std::string build_id;  // ValidateOptions::build_id
  // As ServeOptions::make_executor.
  std::function<Result<std::unique_ptr<Executor>>(const std::string& runtime)> make_executor;
};

// A remote worker: claims jobs from the coordinator's agent API, heartbeats, runs the review and
// reports the result (or the failure) back, until `stop`.
Status RunRemoteWorker(const WorkerOptions& options, Executor& executor,
                       const std::atomic<bool>& stop);

}  // namespace zooci
