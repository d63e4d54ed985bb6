// The worker side of a benchmark: warm-up, then timed queries under the plan's stopping rule,
// with the worker's peak resident memory split into loading and running.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "runtime/protocol.h"

namespace zooci {
namespace {

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// VmHWM of this process from /proc/self/status, in bytes; 0 when unavailable.
uint64_t ReadPeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux 4.0+, "5" to clear_refs). False when refused.
bool ResetPeakRss() {
  std::FILE* file = std::fopen("/proc/self/clear_refs", "w");
  if (file == nullptr) return false;
  bool written = std::fputs("5", file) >= 0;
  return std::fclose(file) == 0 && written;
}

struct Prepared {
  std::string data_set;
  std::unique_ptr<PreparedRun> run;
};

Result<std::vector<Prepared>> PrepareInputs(Session& session, const RunRequest& request) {
  std::vector<Prepared> prepared;
  for (const RunDataSet& data_set : request.data_sets) {
    std::vector<Value> inputs;
    for (const WireValue& wire : data_set.inputs) {
      auto value = DecodeValue(wire.bytes, wire.kind);
      if (!value.ok()) {
        return value.error().WithContext(data_set.name + ": input '" + wire.name + "'");
      }
      value->name = wire.name;
      inputs.push_back(std::move(*value));
    }
    auto run = session.Prepare(std::move(inputs));
    if (!run.ok()) return run.error().WithContext(data_set.name);
    prepared.push_back({data_set.name, std::move(*run)});
  }
  if (prepared.empty()) return Error("a benchmark needs at least one set of inputs");
  return prepared;
}

// Issues queries from `concurrency` threads until the stopping rule says stop. Latencies are
// appended per thread and merged, so the hot loop takes no lock.
Status Measure(std::vector<Prepared>& prepared, const BenchPlan& plan, BenchMeasurement* out) {
  int threads = std::max(1, plan.concurrency);
  std::atomic<int64_t> issued{0};
  std::atomic<bool> stop{false};
  std::vector<std::vector<int64_t>> latencies(threads);
  std::vector<Status> failures(threads, OkStatus());
  int64_t start_ns = SteadyNs();
  int64_t min_end_ns = start_ns + plan.min_duration_ms * 1000000;
  int64_t max_end_ns = start_ns + plan.max_duration_ms * 1000000;
  auto worker = [&](int thread_idx) {
    latencies[thread_idx].reserve(1024);
    while (!stop.load(std::memory_order_relaxed)) {
      int64_t query = issued.fetch_add(1, std::memory_order_relaxed);
      if (plan.max_queries > 0 && query >= plan.max_queries) break;
      PreparedRun& run = *prepared[query % prepared.size()].run;
      int64_t begin_ns = SteadyNs();
      Status status = run.Run();
      int64_t end_ns = SteadyNs();
      if (!status.ok()) {
        failures[thread_idx] =
            status.error().WithContext(prepared[query % prepared.size()].data_set);
        stop = true;
        break;
      }
      latencies[thread_idx].push_back(end_ns - begin_ns);
      bool minimums_met = end_ns >= min_end_ns && query + 1 >= plan.min_queries;
      if (minimums_met || end_ns >= max_end_ns) stop = true;
    }
  };
  std::vector<std::thread> pool;
  for (int thread_idx = 1; thread_idx < threads; ++thread_idx)
    pool.emplace_back(worker, thread_idx);
  worker(0);
  for (std::thread& thread : pool) thread.join();
  out->measured_wall_ns = SteadyNs() - start_ns;
  for (const Status& failure : failures) {
    if (!failure.ok()) return failure;
  }
  for (auto& per_thread : latencies) {
    out->latency_ns.insert(out->latency_ns.end(), per_thread.begin(), per_thread.end());
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<PreparedRun>> Session::Prepare(std::vector<Value> inputs) {
  class Generic final : public PreparedRun {
   public:
    Generic(Session& session, std::vector<Value> inputs)
        : session_(session), inputs_(std::move(inputs)) {}
    Status Run() override {
      auto outputs = session_.Run(inputs_);
      if (!outputs.ok()) return outputs.error();
      return OkStatus();
    }

   private:
    Session& session_;
    std::vector<Value> inputs_;
  };
  return std::unique_ptr<PreparedRun>(new Generic(*this, std::move(inputs)));
}

RunOutcome ExecuteBench(Backend& backend, const RunRequest& request) {
  RunOutcome outcome;
  const BenchPlan& plan = *request.bench;
  bool reset = ResetPeakRss();
  int64_t load_start_ns = SteadyNs();
  auto session = backend.Load(request.model_path, request.session);
  outcome.session_create_ns = SteadyNs() - load_start_ns;
  auto fail = [&](const Error& error) {
    // Context may precede the backend's out-of-memory prefix ("warm-up run: out of memory: ").
    outcome.status = error.message().find(kOutOfMemoryPrefix) != std::string::npos
                         ? RunStatus::kOutOfMemory
                         : RunStatus::kError;
    outcome.message = error.message();
    return outcome;
  };
  if (!session.ok()) return fail(session.error());
  outcome.bench.session = backend.DescribeSession(request.session);
  auto prepared = PrepareInputs(**session, request);
  if (!prepared.ok()) return fail(prepared.error());
  outcome.bench.rss_after_load_bytes = ReadPeakRss();
  outcome.bench.rss_split = reset && ResetPeakRss();
  for (int run_idx = 0; run_idx < plan.warmup_runs; ++run_idx) {
    PreparedRun& run = *(*prepared)[run_idx % prepared->size()].run;
    int64_t begin_ns = SteadyNs();
    Status status = run.Run();
    if (!status.ok()) return fail(status.error().WithContext("warm-up run"));
    outcome.bench.warmup_ns.push_back(SteadyNs() - begin_ns);
  }
  Status measured = Measure(*prepared, plan, &outcome.bench);
  if (!measured.ok()) return fail(measured.error());
  outcome.bench.rss_peak_runs_bytes = ReadPeakRss();
  return outcome;
}

}  // namespace zooci
