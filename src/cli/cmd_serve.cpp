// `zooci serve` (the robot's coordinator) and `zooci worker` (a remote worker): wiring only.
#include <csignal>
#include <iostream>

#include "cli/cli.h"
#include "cli/version.h"
#include "service/service.h"

namespace zooci {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

void StopOnSignals() {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// A secret or token from a file: surrounding whitespace dropped, never empty.
Result<std::string> ReadSecret(const std::string& path, const std::string& what) {
  if (path.empty()) return std::string();
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  std::string secret(Trim(text));
  if (secret.empty()) return Error(what + " " + path + " is empty");
  return secret;
}

// --lease-ms, shared by serve (its in-process workers) and worker.
void AddLeaseOption(CLI::App& app, int64_t* lease_ms) {
  app.add_option("--lease-ms", *lease_ms,
                 "A job's lease; a worker silent this long loses it (heartbeats every quarter)")
      ->check(CLI::Range(int64_t{1000}, int64_t{3600000}))
      ->capture_default_str();
}

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string db;
  int workers = 1;
  std::string webhook_secret_file;
  std::string github_api_url = "https://api.github.com";
  std::string github_token_file;
  std::string github_app_id;
  std::string github_app_key_file;
  std::string data_dir;
  std::string agent_token_file;
  std::string admin_token_file;
  std::string dashboard_auth = "none";
  std::string dashboard_token_file;
  std::string public_url;
  std::string port_file;
  bool bench = false;
  int64_t lease_ms = 60000;
  SandboxFlags sandbox;
};

int RunServeCommand(const ServeFlags& flags) {
  auto usage = [](const Error& error) {
    std::cerr << "zooci serve: " << error.message() << "\n";
    return kExitUsage;
  };
  ServeOptions options;
  const size_t colon = flags.listen.rfind(':');
  if (colon == std::string::npos) return usage(Error("--listen wants HOST:PORT"));
  options.listen_host = flags.listen.substr(0, colon);
  try {
    options.listen_port = std::stoi(flags.listen.substr(colon + 1));
  } catch (const std::exception&) {
    return usage(Error("--listen wants HOST:PORT, not '" + flags.listen + "'"));
  }
  if (options.listen_port < 0 || options.listen_port > 65535) return usage(Error("--listen: bad port"));
  options.db_url = flags.db;
  options.workers = flags.workers;
  options.github_api_url = flags.github_api_url;
  options.github_app_id = flags.github_app_id;
  std::error_code error;
  options.data_dir = fs::absolute(flags.data_dir, error);
  options.public_url = flags.public_url;
  options.port_file = flags.port_file;
  options.run_bench = flags.bench;
  options.lease_ms = flags.lease_ms;
  options.heartbeat_ms = std::max<int64_t>(100, flags.lease_ms / 4);
  options.zooci_version = ZOOCI_VERSION;
  auto secret = ReadSecret(flags.webhook_secret_file, "--webhook-secret-file");
  if (!secret.ok()) return usage(secret.error());
  if (secret->empty()) return usage(Error("--webhook-secret-file is required"));
  options.webhook_secret = *secret;
  if (flags.github_token_file.empty() == flags.github_app_id.empty()) {
    return usage(Error("give --github-token-file, or --github-app-id with --github-app-key-file"));
  }
  auto token = ReadSecret(flags.github_token_file, "--github-token-file");
  if (!token.ok()) return usage(token.error());
  options.github_token = *token;
  if (!flags.github_app_id.empty()) {
    auto key = ReadSecret(flags.github_app_key_file, "--github-app-key-file");
    if (!key.ok()) return usage(key.error());
    if (key->empty()) return usage(Error("--github-app-id needs --github-app-key-file"));
    options.github_app_key_pem = *key;
  }
  auto agent = ReadSecret(flags.agent_token_file, "--agent-token-file");
  if (!agent.ok()) return usage(agent.error());
  options.agent_token = *agent;
  auto admin = ReadSecret(flags.admin_token_file, "--admin-token-file");
  if (!admin.ok()) return usage(admin.error());
  options.admin_token = *admin;
  if (flags.dashboard_auth == "token") {
    auto viewer = ReadSecret(flags.dashboard_token_file, "--dashboard-token-file");
    if (!viewer.ok()) return usage(viewer.error());
    if (viewer->empty()) return usage(Error("--dashboard-auth token needs --dashboard-token-file"));
    options.dashboard_token = *viewer;
  } else if (!flags.dashboard_token_file.empty()) {
    return usage(Error("--dashboard-token-file needs --dashboard-auth token"));
  }
  auto sandbox = MakeWorkerSandbox(flags.sandbox, std::max(1, flags.workers));
  if (!sandbox.ok()) return usage(sandbox.error());
  options.build_id = sandbox->build_id;
  options.make_executor = RuntimeSandboxFactory(flags.sandbox, 1);
  StopOnSignals();
  Status served = RunServe(options, *sandbox->executor, g_stop);
  if (!served.ok()) return usage(served.error());
  return kExitOk;
}

struct WorkerFlags {
  std::string coordinator;
  std::string token_file;
  std::string data_dir;
  std::vector<std::string> labels;
  bool bench = false;
  int64_t lease_ms = 60000;
  SandboxFlags sandbox;
};

int RunWorkerCommand(const WorkerFlags& flags) {
  auto usage = [](const Error& error) {
    std::cerr << "zooci worker: " << error.message() << "\n";
    return kExitUsage;
  };
  WorkerOptions options;
  options.coordinator_url = flags.coordinator;
  std::error_code error;
  options.data_dir = fs::absolute(flags.data_dir, error);
  options.labels = flags.labels;
  options.run_bench = flags.bench;
  options.lease_ms = flags.lease_ms;
  options.zooci_version = ZOOCI_VERSION;
  auto token = ReadSecret(flags.token_file, "--token-file");
  if (!token.ok()) return usage(token.error());
  options.token = *token;
  auto sandbox = MakeWorkerSandbox(flags.sandbox, 1);
  if (!sandbox.ok()) return usage(sandbox.error());
  options.build_id = sandbox->build_id;
  options.make_executor = RuntimeSandboxFactory(flags.sandbox, 1);
  StopOnSignals();
  Status ran = RunRemoteWorker(options, *sandbox->executor, g_stop);
  if (!ran.ok()) return usage(ran.error());
  return kExitOk;
}

}  // namespace

CommandSpec ServeCommand() {
  return {"serve",
          "The auto robot: GitHub webhooks in, reviews on workers, check runs, statuses and a PR "
          "comment out",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<ServeFlags>();
            app.add_option("--listen", flags->listen, "HOST:PORT (port 0: any free port)")
                ->capture_default_str();
            app.add_option("--db", flags->db,
                           "sqlite:PATH or postgresql://... (default: sqlite:DATA/zooci.db)");
            app.add_option("--workers", flags->workers, "In-process workers (0: remote only)")
                ->check(CLI::Range(0, 64))
                ->capture_default_str();
            app.add_option("--webhook-secret-file", flags->webhook_secret_file,
                           "The GitHub webhook secret")
                ->required();
            app.add_option("--github-api-url", flags->github_api_url,
                           "GitHub's REST API (GitHub Enterprise, or a fake in tests)")
                ->capture_default_str();
            app.add_option("--github-token-file", flags->github_token_file, "A plain API token");
            app.add_option("--github-app-id", flags->github_app_id, "A GitHub App's id");
            app.add_option("--github-app-key-file", flags->github_app_key_file,
                           "The GitHub App's private key (PEM)");
            app.add_option("--data-dir", flags->data_dir, "Mirrors, job checkouts, the cache")
                ->required();
            app.add_option("--agent-token-file", flags->agent_token_file,
                           "Bearer token of remote workers (none: no remote workers)");
            app.add_option("--admin-token-file", flags->admin_token_file,
                           "Token of admins: the admin API, and rerun/cancel on the pages");
            app.add_option("--dashboard-auth", flags->dashboard_auth,
                           "none: read-only pages are public; token: they need "
                           "--dashboard-token-file's token (or the admin token)")
                ->check(CLI::IsMember({"none", "token"}))
                ->capture_default_str();
            app.add_option("--dashboard-token-file", flags->dashboard_token_file,
                           "The dashboard's viewer token (with --dashboard-auth token)");
            app.add_option("--public-url", flags->public_url,
                           "This service's URL, for links from check runs and statuses");
            app.add_option("--port-file", flags->port_file, "Write the bound port to FILE");
            app.add_flag("--bench", flags->bench, "Also run the bench step");
            AddLeaseOption(app, &flags->lease_ms);
            AddSandboxFlags(app, &flags->sandbox);
            return [flags] { return RunServeCommand(*flags); };
          }};
}

CommandSpec WorkerCommand() {
  return {"worker", "A remote worker for zooci serve: claims jobs over HTTP and runs them",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<WorkerFlags>();
            app.add_option("--coordinator", flags->coordinator, "http://HOST:PORT of zooci serve")
                ->required();
            app.add_option("--token-file", flags->token_file, "The agent token")->required();
            app.add_option("--data-dir", flags->data_dir, "Mirrors, job checkouts, the cache")
                ->required();
            app.add_option("--labels", flags->labels, "What this worker offers (cpu, ...)")
                ->delimiter(',');
            app.add_flag("--bench", flags->bench, "Also run the bench step");
            AddLeaseOption(app, &flags->lease_ms);
            AddSandboxFlags(app, &flags->sandbox);
            return [flags] { return RunWorkerCommand(*flags); };
          }};
}

}  // namespace zooci
