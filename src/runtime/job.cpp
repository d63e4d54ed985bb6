// Worker jobs: the registry, and execution with a session cached across requests.
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <new>

#include "runtime/protocol.h"

namespace zooci {
namespace {

std::mutex registry_mutex;
std::map<std::string, JobHandler>& Registry() {
  static auto* registry = new std::map<std::string, JobHandler>();  // never destroyed
  return *registry;
}

// One cached session: the key is the file's identity and the options, so an edited model file
// is loaded again. One entry suffices for the jobs' access pattern (chunks of one model).
struct SessionCache {
  std::string key;
  std::unique_ptr<Session> session;
};

std::string CacheKey(const JobRequest& request) {
  struct stat info {};
  if (stat(request.model_path.c_str(), &info) != 0) return {};
  return request.model_path.string() + "|" + std::to_string(info.st_ino) + "|" +
         std::to_string(info.st_size) + "|" + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + "|" +
         std::to_string(request.session.intra_op_threads) + "|" +
         std::to_string(request.session.inter_op_threads) + "|" +
         std::to_string(static_cast<int>(request.session.optimization));
}

JobOutcome Failed(const Error& error) {
  bool out_of_memory = error.message().find(kOutOfMemoryPrefix) != std::string::npos;
  return JobOutcome{
      out_of_memory ? RunStatus::kOutOfMemory : RunStatus::kError, error.message(), 0, {}};
}

}  // namespace

void RegisterJob(const std::string& name, JobHandler handler) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  Registry()[name] = std::move(handler);
}

JobOutcome ExecuteJob(Backend& backend, const JobRequest& request) {
  static SessionCache cache;  // the worker serves one request at a time
  JobHandler handler;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    auto found = Registry().find(request.job);
    if (found == Registry().end()) return Failed(Error("unknown job '" + request.job + "'"));
    handler = found->second;
  }
  try {
    JobOutcome outcome;
    std::string key = CacheKey(request);
    if (key.empty() || key != cache.key || !cache.session) {
      cache = SessionCache{};
      int64_t start_ns = SystemClock().NowNs();
      auto session = backend.Load(request.model_path, request.session);
      outcome.session_create_ns = SystemClock().NowNs() - start_ns;
      if (!session.ok()) return Failed(session.error());
      cache = SessionCache{key, std::move(*session)};
    }
    auto result = handler(*cache.session, request);
    if (!result.ok()) return Failed(result.error());
    outcome.result = std::move(*result);
    return outcome;
  } catch (const std::bad_alloc&) {
    cache = SessionCache{};
    return Failed(Error(std::string(kOutOfMemoryPrefix) + "allocation failed"));
  } catch (const std::exception& e) {
    return Failed(Error(std::string("unexpected exception: ") + e.what()));
  }
}

}  // namespace zooci
