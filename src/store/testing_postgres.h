// Test-only: a throwaway PostgreSQL server, for the store's tests, its benchmark and end-to-end
// tests of the service. Each server lives in a temporary directory (data, unix socket, log),
// listens on 127.0.0.1 at a free port, trusts local connections for user "zooci", and runs with
// fsync off unless asked. Nothing here is used by zooci itself.
//
// initdb and postgres refuse to run as root: as root, both run as "nobody" (setpriv), in a
// directory owned by nobody. The server gets SIGKILL if the thread that started it dies
// (setpriv --pdeathsig), so a crashed test leaves no server behind: start it from a thread that
// outlives it (the main thread in tests).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/base.h"

namespace zooci::testing {

// Not thread-safe: one owner (Shared() hands out one instance, to be used from the main thread).
class TestingPostgres {
 public:
  struct Options {
    bool fsync = false;
    std::vector<std::string> settings;  // more "name=value" server settings (-c)
  };

  // The directory with initdb and postgres: $ZOOCI_POSTGRES_BIN, else the newest
  // /usr/lib/postgresql/<version>/bin. Empty when neither has them.
  static fs::path BinDir();
  // Why no server can be started here ("" when one can): for GTEST_SKIP messages.
  static std::string Unavailable();

  // initdb, then starts the server and waits until it accepts connections (up to 30 s).
  static Result<std::unique_ptr<TestingPostgres>> Start(const Options& options);
  static Result<std::unique_ptr<TestingPostgres>> Start() { return Start(Options{}); }
  // A server shared by the whole test process, started on first use and stopped at exit.
  static Result<TestingPostgres*> Shared();

  // Stops the server (fast shutdown) and removes its directory.
  ~TestingPostgres();
  TestingPostgres(const TestingPostgres&) = delete;
  TestingPostgres& operator=(const TestingPostgres&) = delete;

  int port() const { return port_; }
  // postgresql://zooci@127.0.0.1:PORT/DATABASE
  std::string Url(std::string_view database = "postgres") const;
  // Creates an empty database with a fresh name and returns its URL.
  Result<std::string> CreateDatabase();

  // Fast shutdown: every client connection is terminated. Idempotent.
  Status Stop();
  // Starts the stopped server again, same port and data.
  Status StartAgain();
  Status Restart();
  bool running() const { return server_ != nullptr; }

  // The server's log so far (for failure messages).
  std::string Log() const;

 private:
  TestingPostgres(std::unique_ptr<TempDir> dir, Options options)
      : dir_(std::move(dir)), options_(std::move(options)) {}
  Status Launch();
  // argv prefix that runs a program as the server's user, in its directory.
  std::vector<std::string> AsServerUser() const;

  std::unique_ptr<TempDir> dir_;
  Options options_;
  int port_ = 0;
  int next_database_ = 0;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace zooci::testing
