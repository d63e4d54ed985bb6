// The coordinator: the HTTP server (webhooks, health, the agent API for remote workers, job pages
// and the JSON API), in-process workers and the publisher, all over one JobStore.
#include <openssl/crypto.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "report/report.h"
#include "service/routes.h"

namespace zooci {
namespace service_internal {
namespace {

using json = nlohmann::json;

json SpecJson(const JobSpec& spec) {
  return {{"repo", spec.repo},           {"installation_id", spec.installation_id},
          {"pr_number", spec.pr_number}, {"head_sha", spec.head_sha},
          {"head_ref", spec.head_ref},   {"base_ref", spec.base_ref},
          {"base_sha", spec.base_sha},   {"clone_url", spec.clone_url},
          {"base_clone_url", spec.base_clone_url}, {"trigger", spec.trigger},
          {"delivery_id", spec.delivery_id}, {"title", spec.title}};
}

bool BearerMatches(const httplib::Request& request, const std::string& token) {
  if (token.empty()) return false;
  const std::string header = request.get_header_value("Authorization");
  const std::string expected = "Bearer " + token;
  return header.size() == expected.size() &&
         CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

std::string JobToJson(const Job& job) {
  json value = {{"id", job.id},
                {"spec", SpecJson(job.spec)},
                {"state", std::string(JobStateName(job.state))},
                {"attempts", job.attempts},
                {"lease_owner", job.lease_owner},
                {"error", job.error},
                {"created_ms", job.created_ms},
                {"updated_ms", job.updated_ms},
                {"published", job.published},
                {"check_run_id", job.check_run_id},
                {"superseded_by", job.superseded_by}};
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Job> JobFromJson(std::string_view text) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object() || !value.contains("spec")) {
    return Error("not a job");
  }
  try {
    Job job;
    job.id = value.at("id").get<int64_t>();
    const json& spec = value.at("spec");
    job.spec.repo = spec.at("repo").get<std::string>();
    job.spec.installation_id = spec.value("installation_id", int64_t{0});
    job.spec.pr_number = spec.at("pr_number").get<int64_t>();
    job.spec.head_sha = spec.at("head_sha").get<std::string>();
    job.spec.head_ref = spec.at("head_ref").get<std::string>();
    job.spec.base_ref = spec.at("base_ref").get<std::string>();
    job.spec.base_sha = spec.value("base_sha", "");
    job.spec.clone_url = spec.at("clone_url").get<std::string>();
    job.spec.base_clone_url = spec.value("base_clone_url", "");
    job.spec.trigger = spec.value("trigger", "");
    job.spec.title = spec.value("title", "");
    job.attempts = value.value("attempts", 0);
    return job;
  } catch (const json::exception& error) {
    return Error(std::string("not a job: ") + error.what());
  }
}

namespace {

void AddRoutes(httplib::Server& server, const ServeOptions& options, JobStore& store,
               IntakeContext& intake, ServiceCounters& counters) {
  // The only script a page may run is the one the server ships (/static/zooci.js); inline
  // scripts and handlers are refused by the browser, and everything shown is escaped anyway.
  server.set_post_routing_handler([](const httplib::Request&, httplib::Response& response) {
    response.set_header("Content-Security-Policy",
                        "default-src 'none'; script-src 'self'; connect-src 'self'; "
                        "style-src 'unsafe-inline'; img-src 'self' data:; "
                        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    response.set_header("X-Content-Type-Options", "nosniff");
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    SendJson(response, 200, {{"ok", true}});
  });
  server.Post("/webhooks/github", [&intake, &counters](const httplib::Request& request,
                                                       httplib::Response& response) {
    HttpReply reply = HandleWebhook(intake, request.get_header_value("X-GitHub-Event"),
                                    request.get_header_value("X-GitHub-Delivery"),
                                    request.get_header_value("X-Hub-Signature-256"), request.body);
    {
      std::lock_guard<std::mutex> lock(counters.mutex);
      ++counters.deliveries_by_status[reply.status];
    }
    response.status = reply.status;
    response.set_content(reply.body, "application/json");
  });
  // The agent API: remote workers claim, heartbeat, stream their log, complete and fail jobs
  // through it.
  auto agent = [&options, &store](const std::string& verb) {
    return [&options, &store, verb](const httplib::Request& request, httplib::Response& response) {
      if (!BearerMatches(request, options.agent_token)) {
        SendJson(response, 401, {{"error", "a valid agent token is required"}});
        return;
      }
      json body = json::parse(request.body, nullptr, false);
      if (!body.is_object()) {
        SendJson(response, 400, {{"error", "the body is not a JSON object"}});
        return;
      }
      for (const char* text_field : {"worker_id", "labels", "result_json", "log", "reason", "text"}) {
        if (body.contains(text_field) && !body[text_field].is_string()) {
          return SendJson(response, 400, {{"error", std::string(text_field) + " must be a string"}});
        }
      }
      for (const char* int_field : {"job_id", "lease_ms"}) {
        if (body.contains(int_field) && !body[int_field].is_number_integer()) {
          return SendJson(response, 400, {{"error", std::string(int_field) + " must be an integer"}});
        }
      }
      const std::string worker = body.value("worker_id", "");
      const int64_t job_id = body.value("job_id", int64_t{0});
      const int64_t lease_ms = std::clamp<int64_t>(body.value("lease_ms", options.lease_ms), 1000,
                                                   3600000);
      if (worker.empty() || worker.size() > 200) {
        SendJson(response, 400, {{"error", "worker_id is required"}});
        return;
      }
      const std::string labels = body.value("labels", "").substr(0, 200);
      if (verb == "claim" || verb == "heartbeat") {
        const int64_t holding = verb == "heartbeat" ? job_id : 0;
        (void)store.RecordWorker({worker, labels, holding, NowMs(), NowMs()});
      }
      if (verb == "claim") {
        Result<std::optional<Job>> job = store.Claim(worker, lease_ms, NowMs());
        if (job.ok() && job->has_value()) {
          (void)store.RecordWorker({worker, labels, (*job)->id, NowMs(), NowMs()});
        }
        if (!job.ok()) return SendJson(response, 503, {{"error", job.error().message()}});
        if (!job->has_value()) {
          response.status = 204;
          return;
        }
        response.status = 200;
        response.set_content(JobToJson(**job), "application/json");
        return;
      }
      Result<bool> result = verb == "heartbeat"
                                ? store.Heartbeat(job_id, worker, lease_ms, NowMs())
                            : verb == "log"
                                ? store.AppendLog(job_id, worker, body.value("text", ""), NowMs())
                            : verb == "complete"
                                ? store.Complete(job_id, worker, body.value("result_json", ""),
                                                 body.value("log", ""), NowMs())
                                : store.Fail(job_id, worker, body.value("reason", ""), NowMs());
      if (!result.ok()) return SendJson(response, 503, {{"error", result.error().message()}});
      SendJson(response, 200, {{"ok", *result}});
    };
  };
  for (const char* verb : {"claim", "heartbeat", "log", "complete", "fail"}) {
    server.Post(std::string("/api/v1/agent/") + verb, agent(verb));
  }
  AddDashboardRoutes(server, options, store, counters);
}

}  // namespace
}  // namespace service_internal

using namespace service_internal;

Status RunServe(const ServeOptions& options, Executor& executor, const std::atomic<bool>& stop) {
  std::error_code error;
  fs::create_directories(options.data_dir, error);
  const std::string db_url =
      options.db_url.empty() ? "sqlite:" + (options.data_dir / "zooci.db").string() : options.db_url;
  ZC_ASSIGN_OR_RETURN(std::unique_ptr<JobStore> store, OpenJobStore(db_url));

  std::unique_ptr<TokenSource> tokens;
  if (!options.github_app_id.empty()) {
    ZC_ASSIGN_OR_RETURN(tokens, MakeAppTokenSource(options.github_api_url,
                                                   {options.github_app_id,
                                                    options.github_app_key_pem},
                                                   SystemWallClock()));
  } else {
    tokens = MakeStaticToken(options.github_token);
  }
  ZC_ASSIGN_OR_RETURN(std::unique_ptr<GitHubApi> github,
                      MakeGitHubApi(options.github_api_url, *tokens));

  // One thread for the intake's deferred GitHub lookups (retests, re-runs), drained at stop.
  std::mutex deferred_mutex;
  std::condition_variable deferred_cv;
  std::deque<std::function<void()>> deferred;
  bool deferred_stop = false;
  auto run_deferred = [&] {
    std::unique_lock<std::mutex> lock(deferred_mutex);
    while (true) {
      deferred_cv.wait(lock, [&] { return deferred_stop || !deferred.empty(); });
      if (deferred.empty()) return;
      std::function<void()> task = std::move(deferred.front());
      deferred.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  };
  IntakeContext intake{store.get(), github.get(), options.webhook_secret,
                       [&](std::function<void()> task) {
                         {
                           std::lock_guard<std::mutex> lock(deferred_mutex);
                           deferred.push_back(std::move(task));
                         }
                         deferred_cv.notify_one();
                       }};
  httplib::Server server;
  server.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  ServiceCounters counters;
  AddRoutes(server, options, *store, intake, counters);

  int port = options.listen_port;
  if (port == 0) {
    port = server.bind_to_any_port(options.listen_host);
  } else if (!server.bind_to_port(options.listen_host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Error("cannot listen on " + options.listen_host + ":" +
                 std::to_string(options.listen_port));
  }
  if (!options.port_file.empty()) {
    ZC_RETURN_IF_ERROR(WriteFileAtomic(options.port_file, std::to_string(port) + "\n"));
  }
  Log("zooci serve: listening on " + options.listen_host + ":" + std::to_string(port) +
      ", store " + db_url.substr(0, db_url.find("://") == std::string::npos ? db_url.size()
                                                                           : db_url.find("://") + 3) +
      ", " + std::to_string(options.workers) + " in-process workers");

  std::thread deferred_thread(run_deferred);  // started once nothing below can return early
  std::thread listener([&server] { server.listen_after_bind(); });
  std::vector<std::thread> workers;
  for (int i = 0; i < options.workers; ++i) {
    workers.emplace_back([&, i] {
      auto source = MakeStoreJobSource(*store, "in-process");
      WorkerLoopConfig config;
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      config.worker_id = std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(i);
      config.lease_ms = options.lease_ms;
      config.heartbeat_ms = options.heartbeat_ms;
      config.poll_ms = options.poll_ms;
      config.runner = {options.data_dir, options.run_bench, options.zooci_version,
                       options.make_executor, options.build_id};
      RunWorkerLoop(*source, config, executor, stop);
    });
  }
  // One publisher among the coordinators sharing the store: whoever holds the "publisher" role
  // (renewed every pass; taken over 10 s after its holder dies).
  Publisher publisher(*store, *github, {options.check_name, options.public_url});
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string coordinator_id = std::string(host) + ":" + std::to_string(getpid());
  constexpr int64_t kPublisherLeaseMs = 10000;
  while (!stop) {
    Result<bool> publishing = store->AcquireRole("publisher", coordinator_id, kPublisherLeaseMs, NowMs());
    if (!publishing.ok()) Log("publisher role: " + publishing.error().message());
    if (publishing.ok() && *publishing) {
      Status published = publisher.PublishPending(NowMs());
      if (!published.ok()) {
        ++counters.publish_failures;
        Log("publish: " + published.error().message());
      }
    }
    for (int i = 0; i < 10 && !stop; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_ms / 10 + 1));
    }
  }
  server.stop();
  listener.join();
  {
    std::lock_guard<std::mutex> lock(deferred_mutex);
    deferred_stop = true;
  }
  deferred_cv.notify_one();
  deferred_thread.join();
  for (std::thread& worker : workers) worker.join();
  return OkStatus();
}

}  // namespace zooci
