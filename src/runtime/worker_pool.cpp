// SandboxExecutor: a pool of zooci-worker processes under resource limits.
//
// Requests to one worker can be pipelined (SandboxConfig::requests_per_worker): the next request
// is written into the worker's stdin while it still works on the previous one, so the worker goes
// from one model to the next without waiting for the caller to read, compare and prepare (and,
// on a busy machine, without waiting for the caller's thread to be scheduled twice per request).
// A worker answers in order, so responses are read in the order requests were written: each
// request on a worker has a ticket, and only the holder of the oldest unanswered ticket reads.
// When a worker dies (crash, timeout, out-of-memory), the request being answered gets the
// outcome; requests queued behind it never started, so they are sent again to the replacement.
#include <signal.h>
#include <sys/stat.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "runtime/protocol.h"

namespace zooci {
namespace {

constexpr size_t kStderrTailBytes = 2048;

// A started worker: its process, and the reader of its answers (which may hold the start of the
// next answer).
struct WorkerProcess {
  std::unique_ptr<ChildProcess> process;
  MessageReader answers;
};

// One worker and the requests queued on it. Every field is guarded by the pool's mutex_, except
// that the thread holding the write turn writes to the worker's stdin and the thread holding the
// read turn reads its answers without it; `worker` is shared so that a writer's process object
// outlives a concurrent replacement.
struct WorkerSlot {
  std::shared_ptr<WorkerProcess> worker;
  fs::path stderr_log;  // empty: stderr inherited
  // Incremented when the worker is replaced: tickets of an older generation are void.
  uint64_t generation = 0;
  uint64_t next_ticket = 0;              // the ticket of the next request written
  uint64_t next_read = 0;                // the ticket whose response is read next
  bool writing = false;                  // a thread is writing a request to the worker
  int in_flight = 0;                     // requests written (or being written) and not yet answered
  std::condition_variable turn_changed;  // next_read or generation changed (readers wait)
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

// A request's place in a worker's queue.
struct Ticket {
  int slot_idx = 0;
  uint64_t generation = 0;
  uint64_t number = 0;
  std::shared_ptr<WorkerProcess> worker;
};

class SandboxExecutor final : public Executor {
 public:
  explicit SandboxExecutor(SandboxConfig config)
      : config_(std::move(config)), slots_(config_.workers) {
    for (int slot_idx = 0; slot_idx < config_.workers; ++slot_idx) {
      if (!config_.log_dir.empty()) {
        slots_[slot_idx].stderr_log =
            config_.log_dir / ("worker-" + std::to_string(slot_idx) + ".log");
      }
    }
  }

  ~SandboxExecutor() override {
    // Every worker is told to exit before any is waited for: they shut down in parallel.
    for (WorkerSlot& slot : slots_) {
      if (slot.worker) slot.worker->process->CloseStdin();
    }
    for (WorkerSlot& slot : slots_) {
      if (slot.worker) slot.worker->process->CloseAndWait(1000);
    }
  }

  RunOutcome Run(const RunRequest& request) override {
    RunOutcome failure;
    auto response = Exchange(EncodeRunRequest(request), &failure);
    if (!response.ok()) return failure;
    auto outcome = DecodeRunOutcome(*response);
    if (!outcome.ok()) return RunOutcome{RunStatus::kError, outcome.error().message(), 0, {}, {}};
    return std::move(*outcome);
  }

  JobOutcome RunJob(const JobRequest& request) override {
    RunOutcome failure;
    auto response = Exchange(EncodeJobRequest(request), &failure);
    if (!response.ok()) return JobOutcome{failure.status, failure.message, 0, {}};
    auto outcome = DecodeJobOutcome(*response);
    if (!outcome.ok()) return JobOutcome{RunStatus::kError, outcome.error().message(), 0, {}};
    return std::move(*outcome);
  }

  Result<std::string> BackendDescription() override {
    RunOutcome failure;
    Message hello{nlohmann::json{{"type", "hello"}}, {}};
    ZC_ASSIGN_OR_RETURN(Message response, Exchange(hello, &failure));
    if (response.header.value("status", "") != "ok")
      return Error("worker: " + response.header.value("message", "hello failed"));
    return response.header.value("backend", "?") + " " + response.header.value("version", "?");
  }

 private:
  // Sends `request` to a worker and returns its response. On any failure the worker is killed
  // (and restarted by the next request), and `failure` says why. A request that was queued behind
  // one whose worker died is sent again.
  Result<Message> Exchange(const Message& request, RunOutcome* failure) {
    for (;;) {
      auto ticket = WriteRequest(request);
      if (!ticket.ok()) {
        failure->status = RunStatus::kError;
        failure->message = ticket.error().message();
        return ticket.error();
      }
      if (!WaitForReadTurn(*ticket)) continue;  // the worker died before reaching it
      return ReadResponse(*ticket, failure);
    }
  }

  // Takes the write turn of the least busy worker with room in its queue, starts the worker if
  // needed and writes the request. A failed write is not reported here: the worker is dead, and
  // reading the response says how it died.
  Result<Ticket> WriteRequest(const Message& request) {
    Ticket ticket;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      int chosen = -1;
      room_.wait(lock, [&] {
        chosen = LeastBusyWritableSlot();
        return chosen >= 0;
      });
      WorkerSlot& slot = slots_[chosen];
      slot.writing = true;
      ++slot.in_flight;
      ticket = {chosen, slot.generation, slot.next_ticket++, slot.worker};
    }
    WorkerSlot& slot = slots_[ticket.slot_idx];
    if (!ticket.worker) {
      auto started = StartWorker(slot.stderr_log);
      std::lock_guard<std::mutex> lock(mutex_);
      if (!started.ok()) {
        ForgetQueueLocked(slot);
        return started.error();
      }
      slot.worker = ticket.worker = std::move(*started);
    }
    (void)WriteMessage(ticket.worker->process->stdin_fd(), request);
    std::lock_guard<std::mutex> lock(mutex_);
    if (slot.generation == ticket.generation) slot.writing = false;
    room_.notify_all();
    return ticket;
  }

  // Waits until `ticket` is the oldest unanswered request of its worker. False when the worker
  // was replaced first (the request never ran and must be sent again).
  bool WaitForReadTurn(const Ticket& ticket) {
    std::unique_lock<std::mutex> lock(mutex_);
    WorkerSlot& slot = slots_[ticket.slot_idx];
    slot.turn_changed.wait(lock, [&] {
      return slot.generation != ticket.generation || slot.next_read == ticket.number;
    });
    return slot.generation == ticket.generation;
  }

  // Reads the response to `ticket` within the time limit, which starts now: the worker has
  // answered every earlier request. A worker that fails to answer, or answers out-of-memory, is
  // killed and its queue voided.
  Result<Message> ReadResponse(const Ticket& ticket, RunOutcome* failure) {
    WorkerSlot& slot = slots_[ticket.slot_idx];
    uint64_t log_offset = FileSize(slot.stderr_log);
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.timeout_ms);
    ReadStatus read_status = ReadStatus::kError;
    Result<Message> response = ticket.worker->answers.Read(deadline, &read_status);
    if (response.ok()) {
      bool out_of_memory =
          response->header.value("status", "") == RunStatusName(RunStatus::kOutOfMemory);
      if (out_of_memory)
        ticket.worker->process->Kill();  // its heap is suspect after a failed allocation
      std::lock_guard<std::mutex> lock(mutex_);
      if (out_of_memory) {
        ForgetQueueLocked(slot);
      } else {
        ++slot.next_read;
        --slot.in_flight;
        slot.turn_changed.notify_all();
        room_.notify_all();
      }
      return response;
    }

    ExitInfo exit_info = ticket.worker->process->Kill();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ForgetQueueLocked(slot);
    }
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

  // The slot that takes the next request: an idle worker first, else the one with the shortest
  // queue that has room and no write under way. -1 when every queue is full. Requires mutex_.
  int LeastBusyWritableSlot() const {
    int chosen = -1;
    for (int slot_idx = 0; slot_idx < static_cast<int>(slots_.size()); ++slot_idx) {
      const WorkerSlot& slot = slots_[slot_idx];
      if (slot.writing || slot.in_flight >= std::max(1, config_.requests_per_worker)) continue;
      if (chosen < 0 || slot.in_flight < slots_[chosen].in_flight) chosen = slot_idx;
    }
    return chosen;
  }

  // The worker is gone (killed, or never started): its queued tickets become void and the next
  // request starts a new worker. Requires mutex_.
  void ForgetQueueLocked(WorkerSlot& slot) {
    slot.worker.reset();
    ++slot.generation;
    slot.next_ticket = slot.next_read = 0;
    slot.writing = false;
    slot.in_flight = 0;
    slot.turn_changed.notify_all();
    room_.notify_all();
  }

  Result<std::shared_ptr<WorkerProcess>> StartWorker(const fs::path& stderr_log) {
    ChildProcess::Options options;
    options.argv = {config_.worker_executable.string(), "--backend", config_.backend};
    options.limits.address_space_bytes = config_.memory_limit_bytes;
    if (!stderr_log.empty()) options.stderr_path = stderr_log;
    auto child = ChildProcess::Spawn(options);
    if (!child.ok())
      return child.error().WithContext("start worker " + config_.worker_executable.string());
    int answers_fd = (*child)->stdout_fd();
    return std::make_shared<WorkerProcess>(
        WorkerProcess{std::move(*child), MessageReader(answers_fd)});
  }

  const SandboxConfig config_;
  std::mutex mutex_;
  std::condition_variable room_;   // a slot may have room for a request (writers wait)
  std::vector<WorkerSlot> slots_;  // Guarded by mutex_ (see WorkerSlot).
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
