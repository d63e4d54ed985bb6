// Claims per second of the JobStore: T worker threads (one JobStore shared, as in one zooci
// process; PostgreSQL with a pool of T connections) each loop Claim -> Complete until the queue is
// empty. J jobs are enqueued first (timed separately). Prints one JSON line per run.
//
//   bench_store_claims [--engine sqlite|postgresql] [--url URL] [--jobs J] [--threads T]
//                      [--fsync on|off]
//
// Without --url: SQLite in a temporary file (WAL, synchronous=FULL, as zooci runs it), or a
// throwaway PostgreSQL server (testing_postgres.h; fsync as given, default off).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/testing_postgres.h"

namespace {

using zooci::JobStore;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string engine = "postgresql";
  std::string url;
  int jobs = 4000;
  int threads = 8;
  bool fsync = false;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1))];
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "bench_store_claims: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int index = 1; index < argc; ++index) {
    std::string flag = argv[index];
    if (index + 1 >= argc)
      return Fail("usage: see bench/store_claims.cpp; missing value for " + flag);
    std::string value = argv[++index];
    if (flag == "--engine")
      options.engine = value;
    else if (flag == "--url")
      options.url = value;
    else if (flag == "--jobs")
      options.jobs = std::atoi(value.c_str());
    else if (flag == "--threads")
      options.threads = std::atoi(value.c_str());
    else if (flag == "--fsync")
      options.fsync = value == "on";
    else
      return Fail("unknown flag " + flag + " (--engine, --url, --jobs, --threads, --fsync)");
  }
  if (options.engine != "sqlite" && options.engine != "postgresql") {
    return Fail("--engine is sqlite or postgresql, not " + options.engine);
  }
  if (options.jobs < 1 || options.threads < 1) return Fail("--jobs and --threads must be >= 1");

  std::unique_ptr<zooci::testing::TestingPostgres> server;
  std::unique_ptr<zooci::TempDir> dir;
  std::string url = options.url;
  if (url.empty() && options.engine == "postgresql") {
    zooci::testing::TestingPostgres::Options server_options;
    server_options.fsync = options.fsync;
    auto started = zooci::testing::TestingPostgres::Start(server_options);
    if (!started.ok()) return Fail(started.error().message());
    server = std::move(started).value();
    auto database = server->CreateDatabase();
    if (!database.ok()) return Fail(database.error().message());
    url = *database;
  } else if (url.empty()) {
    auto created = zooci::TempDir::Create("store-bench");
    if (!created.ok()) return Fail(created.error().message());
    dir = std::make_unique<zooci::TempDir>(std::move(created).value());
    url = "sqlite:" + (dir->path() / "jobs.db").string();
  }
  zooci::StoreOptions store_options;
  store_options.pool_size = options.threads;
  auto opened = zooci::OpenJobStore(url, store_options);
  if (!opened.ok()) return Fail(opened.error().message());
  std::unique_ptr<JobStore> store = std::move(opened).value();

  auto enqueue_start = SteadyClock::now();
  for (int job = 0; job < options.jobs; ++job) {
    zooci::JobSpec spec;
    spec.repo = "owner/zoo";
    spec.pr_number = job + 1;
    spec.head_sha = "sha" + std::to_string(job);
    spec.trigger = "pull_request.opened";
    auto id = store->Enqueue(spec, NowMs());
    if (!id.ok()) return Fail(id.error().message());
  }
  double enqueue_s = std::chrono::duration<double>(SteadyClock::now() - enqueue_start).count();

  std::mutex mutex;
  std::vector<double> claim_latencies_ms;  // guarded by mutex
  std::string first_error;                 // guarded by mutex
  int claimed_total = 0;                   // guarded by mutex
  auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < options.threads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      const std::string worker = "bench-worker-" + std::to_string(thread_idx);
      std::vector<double> latencies;
      std::string error;
      while (error.empty()) {
        auto claim_start = SteadyClock::now();
        auto claimed = store->Claim(worker, 600000, NowMs());
        latencies.push_back(
            std::chrono::duration<double, std::milli>(SteadyClock::now() - claim_start).count());
        if (!claimed.ok()) error = claimed.error().message();
        if (!claimed.ok() || !claimed->has_value()) break;
        auto completed = store->Complete((*claimed)->id, worker, R"({"verdict":"pass"})",
                                         "bench log line\n", NowMs());
        if (!completed.ok())
          error = completed.error().message();
        else if (!*completed)
          error = "completion refused for job " + std::to_string((*claimed)->id);
      }
      latencies.pop_back();  // the final, empty claim
      std::lock_guard<std::mutex> lock(mutex);
      claimed_total += static_cast<int>(latencies.size());
      claim_latencies_ms.insert(claim_latencies_ms.end(), latencies.begin(), latencies.end());
      if (first_error.empty()) first_error = error;
    });
  }
  for (auto& thread : threads) thread.join();
  double drain_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  if (!first_error.empty()) return Fail(first_error);
  auto counts = store->CountByState();
  if (!counts.ok()) return Fail(counts.error().message());
  if (claimed_total != options.jobs || counts->done != options.jobs) {
    return Fail("claimed " + std::to_string(claimed_total) + " and completed " +
                std::to_string(counts->done) + " of " + std::to_string(options.jobs) + " jobs");
  }
  std::printf(
      "{\"engine\":\"%s\",\"threads\":%d,\"jobs\":%d,\"fsync\":\"%s\",\"enqueue_per_s\":%.1f,"
      "\"drain_s\":%.3f,\"claims_per_s\":%.1f,\"claim_p50_ms\":%.3f,\"claim_p99_ms\":%.3f,"
      "\"sqlite_version\":\"%s\"}\n",
      options.engine.c_str(), options.threads, options.jobs,
      options.engine == "sqlite" ? "synchronous=FULL" : (options.fsync ? "on" : "off"),
      options.jobs / enqueue_s, drain_s, options.jobs / drain_s, Quantile(claim_latencies_ms, 0.5),
      Quantile(claim_latencies_ms, 0.99), sqlite3_libversion());
  return 0;
}
