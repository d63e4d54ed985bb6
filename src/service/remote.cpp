// Remote workers: the coordinator's agent API as a JobSource (libcurl), and the worker's main loop.
#include <curl/curl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "service/internal.h"
#include "service/service.h"

namespace zooci {
namespace service_internal {
namespace {

using json = nlohmann::json;

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

class RemoteJobSource : public JobSource {
 public:
  RemoteJobSource(std::string url, std::string token, std::string labels)
      : url_(std::move(url)), token_(std::move(token)), labels_(std::move(labels)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
  }

  Result<std::optional<Job>> Claim(const std::string& worker_id, int64_t lease_ms) override {
    long status = 0;
    ZC_ASSIGN_OR_RETURN(std::string body,
                        Post("claim", {{"worker_id", worker_id}, {"lease_ms", lease_ms}, {"labels", labels_}},
                             &status));
    if (status == 204) return std::optional<Job>();
    ZC_ASSIGN_OR_RETURN(Job job, JobFromJson(body));
    return std::optional<Job>(std::move(job));
  }
  Result<bool> Heartbeat(int64_t job_id, const std::string& worker_id, int64_t lease_ms) override {
    return Verb("heartbeat", {{"worker_id", worker_id}, {"job_id", job_id}, {"lease_ms", lease_ms},
                              {"labels", labels_}});
  }
  Result<bool> AppendLog(int64_t job_id, const std::string& worker_id,
                         const std::string& text) override {
    return Verb("log", {{"worker_id", worker_id}, {"job_id", job_id}, {"text", text}});
  }
  Result<bool> Complete(int64_t job_id, const std::string& worker_id,
                        const std::string& result_json, const std::string& log) override {
    // The result must reach the coordinator: retried a few times before the attempt is given up
    // (the lease then returns the job to the queue).
    Result<bool> done = Error("not sent");
    for (int attempt = 0; attempt < 5; ++attempt) {
      done = Verb("complete", {{"worker_id", worker_id}, {"job_id", job_id},
                               {"result_json", result_json}, {"log", log}});
      if (done.ok()) return done;
      sleep(1u << attempt);
    }
    return done;
  }
  Result<bool> Fail(int64_t job_id, const std::string& worker_id,
                    const std::string& reason) override {
    return Verb("fail", {{"worker_id", worker_id}, {"job_id", job_id}, {"reason", reason}});
  }

 private:
  Result<bool> Verb(const std::string& verb, const json& body) {
    long status = 0;
    ZC_ASSIGN_OR_RETURN(std::string text, Post(verb, body, &status));
    json reply = json::parse(text, nullptr, false);
    if (!reply.is_object() || !reply.contains("ok")) return Error(verb + ": unexpected reply");
    return reply.value("ok", false);
  }

  Result<std::string> Post(const std::string& verb, const json& body, long* status) {
    const std::string url = url_ + "/api/v1/agent/" + verb;
    const std::string payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Error("curl_easy_init failed");
    std::string response;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, ("Authorization: Bearer " + token_).c_str());
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    const CURLcode code = curl_easy_perform(curl.get());
    curl_slist_free_all(headers);
    if (code != CURLE_OK) return Error("POST " + url + ": " + curl_easy_strerror(code));
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, status);
    if (*status != 200 && *status != 204) {
      return Error("POST " + url + ": HTTP " + std::to_string(*status) + " " +
                   response.substr(0, 200));
    }
    return response;
  }

  std::string url_;
  std::string token_;
  std::string labels_;
};

}  // namespace

std::unique_ptr<JobSource> MakeRemoteJobSource(std::string coordinator_url, std::string token,
                                               std::string labels) {
  return std::make_unique<RemoteJobSource>(std::move(coordinator_url), std::move(token),
                                           std::move(labels));
}

}  // namespace service_internal

Status RunRemoteWorker(const WorkerOptions& options, Executor& executor,
                       const std::atomic<bool>& stop) {
  using namespace service_internal;
  if (options.coordinator_url.empty()) return Error("--coordinator is required");
  if (options.token.empty()) return Error("the agent token is empty");
  std::error_code error;
  fs::create_directories(options.data_dir, error);
  std::string labels;
  for (const std::string& label : options.labels) labels += (labels.empty() ? "" : ",") + label;
  auto source = MakeRemoteJobSource(options.coordinator_url, options.token, labels);
  WorkerLoopConfig config;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  config.worker_id = std::string(host) + ":" + std::to_string(getpid());
  config.poll_ms = options.poll_ms;
  config.lease_ms = options.lease_ms;
  config.heartbeat_ms = std::max<int64_t>(100, options.lease_ms / 4);
  config.runner = {options.data_dir, options.run_bench, options.zooci_version,
                   options.make_executor, options.build_id};
  Log("zooci worker " + config.worker_id + ": polling " + options.coordinator_url);
  RunWorkerLoop(*source, config, executor, stop);
  return OkStatus();
}

}  // namespace zooci
