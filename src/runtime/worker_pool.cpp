// SandboxExecutor: a pool of zooci-worker processes under resource limits.
#include <signal.h>
#include <sys/stat.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "runtime/protocol.h"

namespace zooci {
namespace {

constexpr size_t kStderrTailBytes = 2048;

// One worker process and its stderr log. A slot is used by one thread at a time.
struct WorkerSlot {
  std::unique_ptr<ChildProcess> child;
  fs::path stderr_log;  // empty: stderr inherited
};

uint64_t FileSize(const fs::path& path) {
  struct stat st {};
  return (!path.empty() && stat(path.c_str(), &st) == 0) ? static_cast<uint64_t>(st.st_size) : 0;
}

// What the worker wrote to stderr since `offset`, at most the last kStderrTailBytes.
std::string StderrSince(const fs::path& path, uint64_t offset) {
  if (path.empty()) return "";
  uint64_t size = FileSize(path);
  if (size <= offset) return "";
  uint64_t start = std::max(offset, size > kStderrTailBytes ? size - kStderrTailBytes : 0);
  std::ifstream file(path, std::ios::binary);
  file.seekg(static_cast<std::streamoff>(start));
  std::string tail(size - start, '\0');
  file.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return std::string(Trim(tail));
}

bool LooksLikeOutOfMemory(const std::string& text) {
  return text.find("bad_alloc") != std::string::npos ||
         text.find("Failed to allocate") != std::string::npos ||
         text.find("out of memory") != std::string::npos;
}

class SandboxExecutor final : public Executor {
 public:
  explicit SandboxExecutor(SandboxConfig config)
      : config_(std::move(config)), slots_(config_.workers) {
    for (int slot_idx = 0; slot_idx < config_.workers; ++slot_idx) {
      if (!config_.log_dir.empty()) {
        slots_[slot_idx].stderr_log =
            config_.log_dir / ("worker-" + std::to_string(slot_idx) + ".log");
      }
      free_slots_.push_back(slot_idx);
    }
  }

  ~SandboxExecutor() override {
    for (WorkerSlot& slot : slots_) {
      if (slot.child) slot.child->CloseAndWait(1000);
    }
  }

  RunOutcome Run(const RunRequest& request) override {
    int slot_idx = AcquireSlot();
    RunOutcome outcome = RunOnSlot(slots_[slot_idx], request);
    ReleaseSlot(slot_idx);
    return outcome;
  }

  JobOutcome RunJob(const JobRequest& request) override {
    int slot_idx = AcquireSlot();
    JobOutcome outcome = RunJobOnSlot(slots_[slot_idx], request);
    ReleaseSlot(slot_idx);
    return outcome;
  }

  Result<std::string> BackendDescription() override {
    int slot_idx = AcquireSlot();
    auto description = Hello(slots_[slot_idx]);
    ReleaseSlot(slot_idx);
    return description;
  }

 private:
  int AcquireSlot() {
    std::unique_lock<std::mutex> lock(mutex_);
    slot_free_.wait(lock, [this] { return !free_slots_.empty(); });
    int slot_idx = free_slots_.back();
    free_slots_.pop_back();
    return slot_idx;
  }

  void ReleaseSlot(int slot_idx) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      free_slots_.push_back(slot_idx);
    }
    slot_free_.notify_one();
  }

  Status EnsureStarted(WorkerSlot& slot) {
    if (slot.child) return OkStatus();
    ChildProcess::Options options;
    options.argv = {config_.worker_executable.string(), "--backend", config_.backend};
    options.limits.address_space_bytes = config_.memory_limit_bytes;
    if (!slot.stderr_log.empty()) options.stderr_path = slot.stderr_log;
    auto child = ChildProcess::Spawn(options);
    if (!child.ok())
      return child.error().WithContext("start worker " + config_.worker_executable.string());
    slot.child = std::move(*child);
    return OkStatus();
  }

  // Sends `request` and waits for the response within the time limit. On any failure the worker
  // is killed (and restarted by the next use of the slot), and the outcome says why.
  Result<Message> Exchange(WorkerSlot& slot, const Message& request, RunOutcome* failure) {
    Status started = EnsureStarted(slot);
    if (!started.ok()) {
      failure->status = RunStatus::kError;
      failure->message = started.error().message();
      return started.error();
    }
    uint64_t log_offset = FileSize(slot.stderr_log);
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.timeout_ms);
    ReadStatus read_status = ReadStatus::kError;
    Status written = WriteMessage(slot.child->stdin_fd(), request);
    Result<Message> response = written.ok()
                                   ? ReadMessage(slot.child->stdout_fd(), deadline, &read_status)
                                   : Result<Message>(written.error());
    if (response.ok()) return response;

    ExitInfo exit_info = slot.child->Kill();
    slot.child.reset();
    std::string stderr_tail = StderrSince(slot.stderr_log, log_offset);
    if (read_status == ReadStatus::kTimedOut) {
      failure->status = RunStatus::kTimeout;
      failure->message = "exceeded the time limit of " + std::to_string(config_.timeout_ms) + " ms";
    } else if (LooksLikeOutOfMemory(stderr_tail)) {
      failure->status = RunStatus::kOutOfMemory;
      failure->message = "worker ran out of memory (" + exit_info.Describe() + ")";
    } else {
      failure->status = RunStatus::kCrash;
      failure->message = "worker died: " + exit_info.Describe();
    }
    if (!stderr_tail.empty()) failure->message += "; worker stderr: " + stderr_tail;
    return Error(failure->message);
  }

  RunOutcome RunOnSlot(WorkerSlot& slot, const RunRequest& request) {
    RunOutcome failure;
    auto response = Exchange(slot, EncodeRunRequest(request), &failure);
    if (!response.ok()) return failure;
    auto outcome = DecodeRunOutcome(*response);
    if (!outcome.ok()) return RunOutcome{RunStatus::kError, outcome.error().message(), 0, {}, {}};
    if (outcome->status == RunStatus::kOutOfMemory) {
      slot.child->Kill();  // its heap is suspect after a failed allocation
      slot.child.reset();
    }
    return std::move(*outcome);
  }

  JobOutcome RunJobOnSlot(WorkerSlot& slot, const JobRequest& request) {
    RunOutcome failure;
    auto response = Exchange(slot, EncodeJobRequest(request), &failure);
    if (!response.ok()) return JobOutcome{failure.status, failure.message, 0, {}};
    auto outcome = DecodeJobOutcome(*response);
    if (!outcome.ok()) return JobOutcome{RunStatus::kError, outcome.error().message(), 0, {}};
    if (outcome->status == RunStatus::kOutOfMemory) {
      slot.child->Kill();  // its heap is suspect after a failed allocation
      slot.child.reset();
    }
    return std::move(*outcome);
  }

  Result<std::string> Hello(WorkerSlot& slot) {
    RunOutcome failure;
    Message hello{nlohmann::json{{"type", "hello"}}, {}};
    ZC_ASSIGN_OR_RETURN(Message response, Exchange(slot, hello, &failure));
    if (response.header.value("status", "") != "ok")
      return Error("worker: " + response.header.value("message", "hello failed"));
    return response.header.value("backend", "?") + " " + response.header.value("version", "?");
  }

  const SandboxConfig config_;
  std::vector<WorkerSlot> slots_;  // slots_[i] is used only by the thread that acquired i
  std::mutex mutex_;
  std::condition_variable slot_free_;
  std::vector<int> free_slots_;  // Guarded by mutex_.
};

}  // namespace

const std::vector<std::string>& RuntimeNames() {
  static const std::vector<std::string> kNames = {"ort", "opencv", "reference"};
  return kNames;
}

Result<std::unique_ptr<Executor>> MakeSandboxExecutor(const SandboxConfig& config) {
  if (config.workers < 1) return Error("sandbox: at least one worker is needed");
  if (config.timeout_ms <= 0) return Error("sandbox: the time limit must be positive");
  std::error_code ec;
  if (!fs::is_regular_file(config.worker_executable, ec)) {
    return Error("sandbox: worker executable " + config.worker_executable.string() + " not found");
  }
  signal(SIGPIPE, SIG_IGN);  // a dead worker must surface as a write error, not kill us
  return std::unique_ptr<Executor>(new SandboxExecutor(config));
}

Result<fs::path> DefaultWorkerExecutable() {
  ZC_ASSIGN_OR_RETURN(fs::path dir, ExecutableDir());
  return dir / "zooci-worker";
}

}  // namespace zooci
