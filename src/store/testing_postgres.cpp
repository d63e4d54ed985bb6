// A throwaway PostgreSQL server for tests; see testing_postgres.h.
#include "store/testing_postgres.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace zooci::testing {
namespace {

constexpr const char* kUser = "zooci";
constexpr const char* kServerUser = "nobody";  // when running as root

bool RunningAsRoot() {
  return geteuid() == 0;
}

// A port nobody listens on right now (the kernel's pick for an ephemeral bind).
Result<int> FreePort() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return Error("cannot find a free port: " + std::string(std::strerror(errno)));
  }
  return static_cast<int>(ntohs(address.sin_port));
}

std::string Tail(const std::string& text, size_t max_bytes = 2000) {
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

}  // namespace

fs::path TestingPostgres::BinDir() {
  auto has_binaries = [](const fs::path& dir) {
    return fs::exists(dir / "initdb") && fs::exists(dir / "postgres");
  };
  if (const char* bin = std::getenv("ZOOCI_POSTGRES_BIN"); bin != nullptr && *bin != '\0') {
    return has_binaries(bin) ? fs::path(bin) : fs::path();
  }
  fs::path best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto version = ParseInt(entry.path().filename().string(), "version");
    if (version.ok() && *version > best_version && has_binaries(entry.path() / "bin")) {
      best_version = static_cast<int>(*version);
      best = entry.path() / "bin";
    }
  }
  return best;
}

std::string TestingPostgres::Unavailable() {
  if (BinDir().empty()) {
    return "PostgreSQL server binaries not found (no initdb and postgres in $ZOOCI_POSTGRES_BIN "
           "or /usr/lib/postgresql/*/bin; install the postgresql package)";
  }
  if (!fs::exists("/usr/bin/setpriv")) return "/usr/bin/setpriv (util-linux) not found";
  if (RunningAsRoot() && getpwnam(kServerUser) == nullptr) {
    return "running as root, which PostgreSQL refuses, and there is no user 'nobody' to run "
           "the server as";
  }
  return "";
}

std::vector<std::string> TestingPostgres::AsServerUser() const {
  std::vector<std::string> argv = {"/usr/bin/setpriv"};
  if (RunningAsRoot()) {
    argv.insert(argv.end(), {"--reuid=nobody", "--regid=nogroup", "--clear-groups"});
  }
  argv.insert(argv.end(), {"--pdeathsig", "SIGKILL", "--", "env", "-C", dir_->path().string()});
  return argv;
}

Result<std::unique_ptr<TestingPostgres>> TestingPostgres::Start(const Options& options) {
  if (std::string why = Unavailable(); !why.empty()) return Error(why);
  ZC_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("zooci-postgres"));
  auto owned_dir = std::make_unique<TempDir>(std::move(dir));
  if (RunningAsRoot()) {
    const passwd* server_user = getpwnam(kServerUser);
    if (chown(owned_dir->path().c_str(), server_user->pw_uid, server_user->pw_gid) != 0) {
      return Error("chown " + owned_dir->path().string() + ": " + std::strerror(errno));
    }
  }
  std::unique_ptr<TestingPostgres> server(new TestingPostgres(std::move(owned_dir), options));

  std::vector<std::string> initdb = server->AsServerUser();
  initdb.insert(
      initdb.end(),
      {(BinDir() / "initdb").string(), "-D", (server->dir_->path() / "data").string(), "-U", kUser,
       "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"});
  CommandOptions command_options;
  command_options.timeout_ms = 120000;
  ZC_ASSIGN_OR_RETURN(CommandResult result, RunCapturedCommand(initdb, command_options));
  if (!result.exit.exited || result.exit.exit_code != 0) {
    return Error("initdb failed (" + result.exit.Describe() +
                 "): " + Tail(result.stderr_text + result.stdout_text));
  }
  // Another process may take the port between FreePort and the server's bind: try a few.
  Status launched = OkStatus();
  for (int attempt = 0; attempt < 3; ++attempt) {
    ZC_ASSIGN_OR_RETURN(server->port_, FreePort());
    launched = server->Launch();
    if (launched.ok()) return server;
  }
  return launched.error();
}

Result<TestingPostgres*> TestingPostgres::Shared() {
  static Result<std::unique_ptr<TestingPostgres>>* shared = [] {
    // Deliberately leaked so that it outlives every test; an atexit hook stops the server.
    auto* started = new Result<std::unique_ptr<TestingPostgres>>(Start());
    std::atexit([] {
      if (shared->ok()) (*shared)->reset();
    });
    return started;
  }();
  if (!shared->ok()) return shared->error();
  return shared->value().get();
}

Status TestingPostgres::Launch() {
  ChildProcess::Options options;
  options.argv = AsServerUser();
  options.argv.insert(options.argv.end(),
                      {(BinDir() / "postgres").string(), "-D", (dir_->path() / "data").string(),
                       "-k", dir_->path().string(), "-h", "127.0.0.1", "-p", std::to_string(port_),
                       "-c", options_.fsync ? "fsync=on" : "fsync=off"});
  for (const std::string& setting : options_.settings) {
    options.argv.insert(options.argv.end(), {"-c", setting});
  }
  options.stderr_path = dir_->path() / "server.log";
  options.new_session = true;
  ZC_ASSIGN_OR_RETURN(server_, ChildProcess::Spawn(options));

  const std::string ping = "host=127.0.0.1 port=" + std::to_string(port_) +
                           " dbname=postgres user=" + kUser + " connect_timeout=2";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto exit = server_->TryReap(); exit.has_value()) {
      server_.reset();
      return Error("postgres exited while starting (" + exit->Describe() + "): " + Tail(Log()));
    }
    if (PQping(ping.c_str()) == PQPING_OK) return OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server_->Kill();
  server_.reset();
  return Error("postgres did not accept connections within 30 s: " + Tail(Log()));
}

TestingPostgres::~TestingPostgres() {
  (void)Stop();
}

std::string TestingPostgres::Url(std::string_view database) const {
  return "postgresql://" + std::string(kUser) + "@127.0.0.1:" + std::to_string(port_) + "/" +
         std::string(database);
}

Result<std::string> TestingPostgres::CreateDatabase() {
  const std::string name = "zooci_test_" + std::to_string(++next_database_);
  PGconn* conn = PQconnectdb(Url().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    // A name of our own making, [a-z0-9_]: DDL takes no parameters.
    PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) return Error("create database " + name + ": " + std::string(Trim(error)));
  return Url(name);
}

Status TestingPostgres::Stop() {
  if (server_ == nullptr) return OkStatus();
  kill(server_->pid(), SIGINT);  // fast shutdown
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (server_->TryReap().has_value()) {
      server_.reset();
      return OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  server_->Kill();
  server_.reset();
  return Error("postgres did not shut down within 30 s; killed");
}

Status TestingPostgres::StartAgain() {
  if (server_ != nullptr) return Error("the server is running");
  return Launch();
}

Status TestingPostgres::Restart() {
  ZC_RETURN_IF_ERROR(Stop());
  return StartAgain();
}

std::string TestingPostgres::Log() const {
  auto log = ReadFile(dir_->path() / "server.log");
  return log.ok() ? *log : "(no log: " + log.error().message() + ")";
}

}  // namespace zooci::testing
