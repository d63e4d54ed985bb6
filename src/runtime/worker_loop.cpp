// The worker side: executes run requests with a Backend. Also the in-process executor.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <new>
#include <thread>

#include <unistd.h>

#include "runtime/protocol.h"

namespace zooci {
namespace {

using json = nlohmann::json;

RunStatus ClassifyError(const Error& error) {
  return StartsWith(error.message(), kOutOfMemoryPrefix) ? RunStatus::kOutOfMemory
                                                         : RunStatus::kError;
}

int64_t NowNs() {
  return SystemClock().NowNs();
}

// Runs every data set of `request`. A model error on one data set is recorded and the next one
// runs; an out-of-memory ends the request (the worker's state is no longer trustworthy).
RunOutcome ExecuteUnguarded(Backend& backend, const RunRequest& request) {
  RunOutcome outcome;
  int64_t load_start_ns = NowNs();
  auto session = backend.Load(request.model_path, request.session);
  outcome.session_create_ns = NowNs() - load_start_ns;
  if (!session.ok()) {
    outcome.status = ClassifyError(session.error());
    outcome.message = session.error().message();
    return outcome;
  }
  for (const RunDataSet& data_set : request.data_sets) {
    DataSetOutcome result;
    result.name = data_set.name;
    std::vector<Value> inputs;
    for (const WireValue& wire : data_set.inputs) {
      auto value = DecodeValue(wire.bytes, wire.kind);
      if (!value.ok()) {
        result.status = RunStatus::kError;
        result.error = value.error().WithContext("input '" + wire.name + "'").message();
        break;
      }
      value->name = wire.name;
      inputs.push_back(std::move(*value));
    }
    if (result.status == RunStatus::kOk) {
      int64_t run_start_ns = NowNs();
      auto outputs = (*session)->Run(inputs);
      result.run_ns = NowNs() - run_start_ns;
      if (outputs.ok()) {
        result.outputs = std::move(*outputs);
      } else if (ClassifyError(outputs.error()) == RunStatus::kOutOfMemory) {
        outcome.status = RunStatus::kOutOfMemory;
        outcome.message = data_set.name + ": " + outputs.error().message();
        return outcome;
      } else {
        result.status = RunStatus::kError;
        result.error = outputs.error().message();
      }
    }
    outcome.data_sets.push_back(std::move(result));
  }
  return outcome;
}

RunOutcome Execute(Backend& backend, const RunRequest& request) {
  try {
    if (request.bench.has_value()) return ExecuteBench(backend, request);
    return ExecuteUnguarded(backend, request);
  } catch (const std::bad_alloc&) {
    return RunOutcome{
        RunStatus::kOutOfMemory, std::string(kOutOfMemoryPrefix) + "allocation failed", 0, {}, {}};
  } catch (const std::exception& e) {
    return RunOutcome{
        RunStatus::kError, std::string("unexpected exception: ") + e.what(), 0, {}, {}};
  }
}

Message Respond(Backend& backend, const Message& request) {
  std::string type = request.header.value("type", "");
  if (type == "hello") {
    return Message{
        json{{"status", "ok"}, {"backend", backend.name()}, {"version", backend.version()}}, {}};
  }
  if (type == "job") {
    auto job_request = DecodeJobRequest(request);
    if (!job_request.ok())
      return Message{json{{"status", "error"}, {"message", job_request.error().message()}}, {}};
    return EncodeJobOutcome(ExecuteJob(backend, *job_request));
  }
  if (type != "run")
    return Message{json{{"status", "error"}, {"message", "unknown request type '" + type + "'"}},
                   {}};
  auto run_request = DecodeRunRequest(request);
  if (!run_request.ok())
    return Message{json{{"status", "error"}, {"message", run_request.error().message()}}, {}};
  RunOutcome outcome = Execute(backend, *run_request);
  auto response = EncodeRunOutcome(outcome);
  if (!response.ok())
    return Message{json{{"status", "error"}, {"message", response.error().message()}}, {}};
  return std::move(*response);
}

class InProcessExecutor final : public Executor {
 public:
  explicit InProcessExecutor(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}
  RunOutcome Run(const RunRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return Execute(*backend_, request);
  }
  JobOutcome RunJob(const JobRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return ExecuteJob(*backend_, request);
  }
  Result<std::string> BackendDescription() override {
    return backend_->name() + " " + backend_->version();
  }

 private:
  std::mutex mutex_;  // Guards backend_: backends need not be thread-safe.
  std::unique_ptr<Backend> backend_;
};

// A worker must not outlive the process that started it, even when that process was killed
// while the worker is stuck inside a model (where it would never see its stdin close).
void ExitWhenOrphaned() {
  pid_t parent = getppid();
  std::thread([parent] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (getppid() != parent) _exit(4);
    }
  }).detach();
}

}  // namespace

int RunWorkerLoop(Backend& backend, int in_fd, int out_fd) {
  ExitWhenOrphaned();
  auto forever = std::chrono::steady_clock::time_point::max();
  MessageReader requests(in_fd);
  for (;;) {
    ReadStatus read_status = ReadStatus::kOk;
    auto request = requests.Read(forever, &read_status);
    if (!request.ok()) {
      if (read_status == ReadStatus::kClosed) return 0;
      std::fprintf(stderr, "zooci-worker: %s\n", request.error().message().c_str());
      return 3;
    }
    Message response;
    try {
      response = Respond(backend, *request);
    } catch (const std::bad_alloc&) {
      response = Message{json{{"status", RunStatusName(RunStatus::kOutOfMemory)},
                              {"message", std::string(kOutOfMemoryPrefix) + "allocation failed"}},
                         {}};
    }
    Status written = WriteMessage(out_fd, response);
    if (!written.ok()) {
      std::fprintf(stderr, "zooci-worker: %s\n", written.error().message().c_str());
      return 3;
    }
  }
}

std::unique_ptr<Executor> MakeInProcessExecutor(std::unique_ptr<Backend> backend) {
  return std::make_unique<InProcessExecutor>(std::move(backend));
}

}  // namespace zooci
