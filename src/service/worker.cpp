// The worker loop shared by in-process and remote workers, and the store as a job source.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

class StoreJobSource : public JobSource {
 public:
  StoreJobSource(JobStore& store, std::string labels) : store_(store), labels_(std::move(labels)) {}
  Result<std::optional<Job>> Claim(const std::string& worker_id, int64_t lease_ms) override {
    const int64_t now_ms = NowMs();
    Result<std::optional<Job>> job = store_.Claim(worker_id, lease_ms, now_ms);
    if (job.ok()) Seen(worker_id, job->has_value() ? (*job)->id : 0, now_ms);
    return job;
  }
  Result<bool> Heartbeat(int64_t job_id, const std::string& worker_id, int64_t lease_ms) override {
    const int64_t now_ms = NowMs();
    Seen(worker_id, job_id, now_ms);
    return store_.Heartbeat(job_id, worker_id, lease_ms, now_ms);
  }
  Result<bool> AppendLog(int64_t job_id, const std::string& worker_id,
                         const std::string& text) override {
    return store_.AppendLog(job_id, worker_id, text, NowMs());
  }
  Result<bool> Complete(int64_t job_id, const std::string& worker_id,
                        const std::string& result_json, const std::string& log) override {
    return store_.Complete(job_id, worker_id, result_json, log, NowMs());
  }
  Result<bool> Fail(int64_t job_id, const std::string& worker_id,
                    const std::string& reason) override {
    return store_.Fail(job_id, worker_id, reason, NowMs());
  }

 private:
  void Seen(const std::string& worker_id, int64_t job_id, int64_t now_ms) {
    Status recorded = store_.RecordWorker({worker_id, labels_, job_id, now_ms, now_ms});
    if (!recorded.ok()) Log("worker " + worker_id + ": " + recorded.error().message());
  }
  JobStore& store_;
  const std::string labels_;
};

// Sleeps up to `ms`, waking early when `stop` is set (checked every 50 ms).
void SleepUnlessStopped(int64_t ms, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 50)));
  }
}

JobInput InputOf(const Job& job) {
  JobInput input;
  input.id = job.id;
  input.repo = job.spec.repo;
  input.base_clone_url = job.spec.base_clone_url.empty() ? job.spec.clone_url
                                                          : job.spec.base_clone_url;
  input.base_ref = job.spec.base_ref;
  input.base_sha = job.spec.base_sha;
  input.head_clone_url = job.spec.clone_url;
  input.head_ref = job.spec.head_ref;
  input.head_sha = job.spec.head_sha;
  return input;
}

}  // namespace

void Log(const std::string& message) {
  static std::mutex mutex;
  const int64_t now = NowMs();
  std::time_t seconds = static_cast<std::time_t>(now / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  std::lock_guard<std::mutex> lock(mutex);
  std::fprintf(stderr, "%s.%03dZ %s\n", stamp, static_cast<int>(now % 1000), message.c_str());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<JobSource> MakeStoreJobSource(JobStore& store, std::string labels) {
  return std::make_unique<StoreJobSource>(store, std::move(labels));
}

void RunWorkerLoop(JobSource& source, const WorkerLoopConfig& config, Executor& executor,
                   const std::atomic<bool>& stop) {
  while (!stop) {
    Result<std::optional<Job>> claimed = source.Claim(config.worker_id, config.lease_ms);
    if (!claimed.ok()) {
      Log("worker " + config.worker_id + ": claim: " + claimed.error().message());
      SleepUnlessStopped(config.poll_ms * 4, stop);
      continue;
    }
    if (!claimed->has_value()) {
      SleepUnlessStopped(config.poll_ms, stop);
      continue;
    }
    const Job job = std::move(**claimed);
    Log("worker " + config.worker_id + ": job " + std::to_string(job.id) + " " +
                             job.spec.repo + "#" + std::to_string(job.spec.pr_number));
    // Heartbeats while the review runs; a lost lease means the result will not count.
    std::mutex mutex;
    std::condition_variable finished_cv;
    bool finished = false;
    std::atomic<bool> lease_lost{false};
    std::string unsent_log;  // guarded by mutex; sent at least once a second
    auto flush_log = [&](std::unique_lock<std::mutex>& lock) {
      if (unsent_log.empty()) return;
      const std::string text = std::move(unsent_log);
      unsent_log.clear();
      lock.unlock();
      (void)source.AppendLog(job.id, config.worker_id, text);
      lock.lock();
    };
    std::thread heartbeat([&] {
      const int64_t tick_ms = std::min<int64_t>(config.heartbeat_ms, 1000);
      auto next_heartbeat = std::chrono::steady_clock::now();
      std::unique_lock<std::mutex> lock(mutex);
      while (!finished_cv.wait_for(lock, std::chrono::milliseconds(tick_ms),
                                   [&] { return finished; })) {
        flush_log(lock);
        if (std::chrono::steady_clock::now() < next_heartbeat) continue;
        next_heartbeat += std::chrono::milliseconds(config.heartbeat_ms);
        lock.unlock();
        Result<bool> held = source.Heartbeat(job.id, config.worker_id, config.lease_ms);
        if (held.ok() && !*held) lease_lost = true;
        lock.lock();
      }
    });
    Result<JobOutput> output =
        RunJob(InputOf(job), config.runner, executor, [&](const std::string& line) {
          std::lock_guard<std::mutex> lock(mutex);
          unsent_log += line;
        });
    {
      std::lock_guard<std::mutex> lock(mutex);
      finished = true;
    }
    finished_cv.notify_all();
    heartbeat.join();
    if (lease_lost) {
      Log("worker " + config.worker_id + ": job " + std::to_string(job.id) +
                               " was cancelled or taken back; its result is dropped");
      continue;
    }
    if (output.ok()) {
      Result<bool> done = source.Complete(job.id, config.worker_id, output->result_json, output->log);
      if (!done.ok()) {
        Log("worker " + config.worker_id + ": complete: " + done.error().message());
      }
    } else {
      Log("worker " + config.worker_id + ": job " + std::to_string(job.id) +
                                  ": " + output.error().message());
      (void)source.Fail(job.id, config.worker_id, output.error().message());
    }
  }
}

}  // namespace zooci::service_internal
