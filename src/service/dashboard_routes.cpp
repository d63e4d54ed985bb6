// The dashboard's routes: pages, /api/v1 for everything they show, and the admin actions.
#include <strings.h>

#include <algorithm>

#include "service/routes.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

AccessTokens TokensOf(const ServeOptions& options) {
  return {options.dashboard_token, options.admin_token};
}

Access AccessOfRequest(const httplib::Request& request, const AccessTokens& tokens) {
  return AccessOf({request.get_header_value("Authorization"), request.get_header_value("Cookie")},
                  tokens);
}

int IntParam(const httplib::Request& request, const char* name, int fallback, int lo, int hi) {
  const std::string text = request.get_param_value(name);
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return fallback;
  }
  return std::clamp(std::stoi(text), lo, hi);
}

// The filter of a page or API request; an unknown state matches nothing rather than everything.
DashboardFilter FilterOf(const httplib::Request& request, int default_limit) {
  DashboardFilter filter;
  filter.repo = request.get_param_value("repo").substr(0, 200);
  filter.state = request.get_param_value("state").substr(0, 20);
  filter.verdict = request.get_param_value("verdict").substr(0, 20);
  filter.offset = IntParam(request, "offset", 0, 0, 1000000);
  filter.limit = IntParam(request, "limit", default_limit, 1, 500);
  return filter;
}

// One more job than the page shows, to know whether an older page exists.
Result<std::vector<Job>> FindPage(JobStore& store, const DashboardFilter& filter) {
  JobQuery query;
  query.repo = filter.repo;
  if (!filter.state.empty()) {
    Result<JobState> state = ParseJobState(filter.state);
    if (!state.ok()) return std::vector<Job>();
    query.state = *state;
  }
  query.verdict = filter.verdict;
  query.limit = filter.limit + 1;
  query.offset = filter.offset;
  return store.Find(query);
}

// The newest 100 done jobs of `repo` whose result mentions `folder` (the model page's history).
Result<std::vector<Job>> ReviewsOf(JobStore& store, const std::string& repo,
                                   const std::string& folder) {
  JobQuery query;
  query.repo = repo;
  query.state = JobState::kDone;
  query.limit = 100;
  query.with_results = true;
  query.result_contains =
      "\"folder\":" + json(folder).dump(-1, ' ', false, json::error_handler_t::replace);
  return store.Find(query);
}

json JobJson(const Job& job, bool with_result) {
  json value = json::parse(JobToJson(job));
  value["verdict"] = JobVerdict(job);
  value["url"] = "/jobs/" + std::to_string(job.id);
  if (with_result) {
    json envelope = json::parse(job.result_json, nullptr, false);
    if (envelope.is_object()) envelope.erase("html");  // the page has it: /jobs/ID
    value["result"] = envelope.is_object() ? envelope : json(nullptr);
  }
  return value;
}

void SendHtml(httplib::Response& response, int status, const std::string& title,
              const std::string& body_html) {
  response.status = status;
  response.set_content("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                           EscapeXml(title) + "</title></head><body style=\"font-family:"
                           "sans-serif;margin:2em\"><h1>" + EscapeXml(title) + "</h1>" +
                           body_html + "</body></html>\n",
                       "text/html; charset=utf-8");
}

bool IsPublicPath(const std::string& path) {
  return path == "/healthz" || path == "/login" || path == "/static/zooci.js" ||
         path == "/webhooks/github" || path.rfind("/api/v1/agent/", 0) == 0;
}

// Queues the job's pull request again, or cancels the job: the admin actions of the pages and
// of the API. Returns the job to show next (the new one for a rerun).
Result<int64_t> AdminAction(JobStore& store, int64_t job_id, const std::string& action) {
  ZC_ASSIGN_OR_RETURN(std::optional<Job> job, store.Get(job_id));
  if (!job) return Error("no such job");
  if (action == "cancel") {
    ZC_ASSIGN_OR_RETURN(bool cancelled, store.Cancel(job_id, "cancelled by an administrator", NowMs()));
    if (!cancelled) return Error("the job is already finished");
    return job_id;
  }
  JobSpec spec = job->spec;
  spec.trigger = "admin.retest";
  spec.delivery_id.clear();
  return store.Enqueue(spec, NowMs());
}

// Debian's cpp-httplib (0.11) compresses with brotli at its best quality whenever a client
// accepts it: 60-100 ms for a 16 KB page (bench/dashboard_pages.sh), where gzip takes about a
// millisecond for a similar size. Every browser accepts gzip too, so "br" is dropped from the
// request's Accept-Encoding before the library chooses. (The request is the server's own object;
// only the handler's signature makes it const.)
void OfferGzipOnly(const httplib::Request& request) {
  auto& headers = const_cast<httplib::Request&>(request).headers;
  for (auto it = headers.find("Accept-Encoding"); it != headers.end() &&
                                                  strcasecmp(it->first.c_str(), "Accept-Encoding") == 0;
       ++it) {
    std::string kept;
    size_t pos = 0;
    while (pos <= it->second.size()) {
      size_t end = it->second.find(',', pos);
      if (end == std::string::npos) end = it->second.size();
      std::string token = it->second.substr(pos, end - pos);
      token.erase(0, token.find_first_not_of(' '));
      if (!token.empty() && token.rfind("br", 0) != 0) kept += (kept.empty() ? "" : ", ") + token;
      pos = end + 1;
    }
    it->second = kept;
  }
}

}  // namespace

void SendJson(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                       "application/json");
}

void AddDashboardRoutes(httplib::Server& server, const ServeOptions& options, JobStore& store,
                        ServiceCounters& counters) {
  const AccessTokens tokens = TokensOf(options);
  server.set_pre_routing_handler([tokens](const httplib::Request& request,
                                          httplib::Response& response) {
    OfferGzipOnly(request);
    if (IsPublicPath(request.path) || CanView(AccessOfRequest(request, tokens), tokens)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (request.path.rfind("/api/", 0) == 0 || request.path == "/metrics") {
      SendJson(response, 401, {{"error", "this dashboard requires a token"}});
    } else {
      SendHtml(response, 401, "ZooCI: sign in",
               "<p>This dashboard requires a token. <a href=\"/login\">Sign in</a>.</p>");
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Get("/static/zooci.js", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "max-age=300");
    response.set_content(DashboardScript(), "text/javascript; charset=utf-8");
  });
  server.Get("/login", [](const httplib::Request&, httplib::Response& response) {
    SendHtml(response, 200, "ZooCI: sign in",
             "<form method=\"post\" action=\"/login\"><label>token <input type=\"password\" "
             "name=\"token\" autocomplete=\"off\"></label> <button>sign in</button></form>");
  });
  server.Post("/login", [tokens](const httplib::Request& request, httplib::Response& response) {
    const std::string cookie = SessionCookie(request.get_param_value("token"), tokens);
    if (cookie.empty()) {
      return SendHtml(response, 401, "ZooCI: sign in",
                      "<p>That token is not valid. <a href=\"/login\">Try again</a>.</p>");
    }
    response.set_header("Set-Cookie", cookie);
    response.set_redirect("/", 303);
  });
  server.Post("/logout", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Set-Cookie", "zooci_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    response.set_redirect("/", 303);
  });

  server.Get("/", [&store](const httplib::Request& request, httplib::Response& response) {
    const DashboardFilter filter = FilterOf(request, 50);
    Result<std::vector<Job>> jobs = FindPage(store, filter);
    Result<JobCounts> counts = store.CountByState();
    Result<std::vector<WorkerInfo>> workers = store.Workers(NowMs() - 5 * 60 * 1000);
    if (!jobs.ok() || !counts.ok() || !workers.ok()) {
      return SendJson(response, 503, {{"error", "store unavailable"}});
    }
    response.set_content(OverviewPage(*jobs, filter, *counts, *workers, NowMs()),
                         "text/html; charset=utf-8");
  });
  server.Get(R"(/jobs/(\d{1,15}))", [&store, tokens](const httplib::Request& request,
                                                     httplib::Response& response) {
    Result<std::optional<Job>> job = store.Get(std::stoll(request.matches[1]));
    if (!job.ok()) return SendJson(response, 503, {{"error", job.error().message()}});
    if (!job->has_value()) return SendHtml(response, 404, "No such job", "");
    JobPageOptions page;
    const std::string session = SessionOf(request.get_header_value("Cookie"));
    page.admin = AccessOfRequest(request, tokens) == Access::kAdmin && !session.empty();
    if (page.admin) page.csrf = CsrfToken(session, tokens);
    response.set_content(JobPage(**job, page), "text/html; charset=utf-8");
  });
  // The pages' admin forms: a session cookie plus its CSRF token; or a bearer admin token.
  server.Post(R"(/jobs/(\d{1,15})/(rerun|cancel))", [&store, tokens](
                                                        const httplib::Request& request,
                                                        httplib::Response& response) {
    const bool bearer = !request.get_header_value("Authorization").empty();
    const std::string session = SessionOf(request.get_header_value("Cookie"));
    const bool allowed =
        AccessOfRequest(request, tokens) == Access::kAdmin &&
        (bearer || CsrfValid(session, request.get_param_value("csrf"),
                             request.get_header_value("Origin"), request.get_header_value("Host"),
                             tokens));
    if (!allowed) {
      return SendHtml(response, 403, "Not allowed",
                      "<p>Rerun and cancel need an administrator's session (and the page's form)."
                      " <a href=\"/login\">Sign in</a>.</p>");
    }
    Result<int64_t> next = AdminAction(store, std::stoll(request.matches[1]), request.matches[2]);
    if (!next.ok()) return SendHtml(response, 409, "Not done", "<p>" + EscapeXml(next.error().message()) + "</p>");
    response.set_redirect("/jobs/" + std::to_string(*next), 303);
  });
  server.Get("/metrics", [&store, &counters](const httplib::Request&, httplib::Response& response) {
    Result<JobCounts> counts = store.CountByState();
    JobQuery query;
    query.state = JobState::kDone;
    query.limit = 200;
    query.with_results = true;
    Result<std::vector<Job>> recent = store.Find(query);
    if (!counts.ok() || !recent.ok()) return SendJson(response, 503, {{"error", "store unavailable"}});
    response.set_content(MetricsText(*counts, counters, *recent), "text/plain; version=0.0.4");
  });
  // /models/OWNER/REPO/FOLDER: the folder's history across jobs.
  server.Get(R"(/models/([^/]+/[^/]+)/(.+))", [&store](const httplib::Request& request,
                                                       httplib::Response& response) {
    Result<std::vector<Job>> jobs = ReviewsOf(store, request.matches[1], request.matches[2]);
    if (!jobs.ok()) return SendJson(response, 503, {{"error", jobs.error().message()}});
    response.set_content(ModelPage(*jobs, request.matches[1], request.matches[2]),
                         "text/html; charset=utf-8");
  });
  // /badge/OWNER/REPO/MODEL/FOLDER.svg: the newest verdict of that model folder.
  server.Get(R"(/badge/([^/]+/[^/]+)/(.+)\.svg)", [&store](const httplib::Request& request,
                                                           httplib::Response& response) {
    Result<std::vector<Job>> jobs = ReviewsOf(store, request.matches[1], request.matches[2]);
    const std::string verdict =
        jobs.ok() ? ModelVerdict(*jobs, request.matches[1], request.matches[2]) : "";
    response.set_header("Cache-Control", "no-cache");
    response.set_content(BadgeSvg(verdict), "image/svg+xml");
  });

  // ---- /api/v1 (docs/api.md)
  server.Get("/api/v1/jobs", [&store](const httplib::Request& request, httplib::Response& response) {
    const DashboardFilter filter = FilterOf(request, 100);
    Result<std::vector<Job>> jobs = FindPage(store, filter);
    if (!jobs.ok()) return SendJson(response, 503, {{"error", jobs.error().message()}});
    json list = json::array();
    for (size_t i = 0; i < jobs->size() && i < static_cast<size_t>(filter.limit); ++i) {
      list.push_back(JobJson((*jobs)[i], false));
    }
    json body = {{"jobs", list}};
    body["next_offset"] = jobs->size() > static_cast<size_t>(filter.limit)
                              ? json(filter.offset + filter.limit)
                              : json(nullptr);
    SendJson(response, 200, body);
  });
  server.Get(R"(/api/v1/jobs/(\d{1,15}))", [&store](const httplib::Request& request,
                                                   httplib::Response& response) {
    Result<std::optional<Job>> job = store.Get(std::stoll(request.matches[1]));
    if (!job.ok()) return SendJson(response, 503, {{"error", job.error().message()}});
    if (!job->has_value()) return SendJson(response, 404, {{"error", "no such job"}});
    SendJson(response, 200, JobJson(**job, true));
  });
  server.Get(R"(/api/v1/jobs/(\d{1,15})/log)", [&store](const httplib::Request& request,
                                                       httplib::Response& response) {
    Result<std::optional<Job>> job = store.Get(std::stoll(request.matches[1]));
    if (!job.ok()) return SendJson(response, 503, {{"error", job.error().message()}});
    if (!job->has_value()) return SendJson(response, 404, {{"error", "no such job"}});
    const Job& found = **job;
    const size_t offset =
        std::min(found.log.size(), static_cast<size_t>(IntParam(request, "offset", 0, 0, 1 << 30)));
    const bool final = found.state != JobState::kQueued && found.state != JobState::kRunning;
    SendJson(response, 200,
             {{"text", found.log.substr(offset)},
              {"next_offset", found.log.size()},
              {"state", std::string(JobStateName(found.state))},
              {"final", final}});
  });
  server.Get("/api/v1/workers", [&store](const httplib::Request&, httplib::Response& response) {
    Result<std::vector<WorkerInfo>> workers = store.Workers(NowMs() - 5 * 60 * 1000);
    if (!workers.ok()) return SendJson(response, 503, {{"error", workers.error().message()}});
    json list = json::array();
    for (const WorkerInfo& worker : *workers) {
      list.push_back({{"id", worker.id},
                      {"labels", worker.labels},
                      {"job_id", worker.job_id},
                      {"state", worker.job_id == 0 ? "idle" : "busy"},
                      {"started_ms", worker.started_ms},
                      {"last_seen_ms", worker.last_seen_ms}});
    }
    SendJson(response, 200, {{"workers", list}});
  });
  server.Get(R"(/api/v1/models/([^/]+/[^/]+)/(.+))", [&store](const httplib::Request& request,
                                                              httplib::Response& response) {
    Result<std::vector<Job>> jobs = ReviewsOf(store, request.matches[1], request.matches[2]);
    if (!jobs.ok()) return SendJson(response, 503, {{"error", jobs.error().message()}});
    response.set_content(ModelHistoryJson(*jobs, request.matches[1], request.matches[2]),
                         "application/json");
  });
  // Admin API (bearer admin token; no cookie, so no CSRF token needed).
  server.Post(R"(/api/v1/admin/jobs/(\d{1,15})/(retest|cancel))", [&store, tokens](
                                                                      const httplib::Request& request,
                                                                      httplib::Response& response) {
    const bool bearer = request.get_header_value("Authorization").rfind("Bearer ", 0) == 0;
    if (!bearer || AccessOfRequest(request, tokens) != Access::kAdmin) {
      return SendJson(response, 401, {{"error", "a valid admin token is required"}});
    }
    const std::string action = request.matches[2] == "retest" ? "rerun" : "cancel";
    Result<int64_t> next = AdminAction(store, std::stoll(request.matches[1]), action);
    if (!next.ok()) {
      const bool missing = next.error().message() == "no such job";
      return SendJson(response, missing ? 404 : 409, {{"error", next.error().message()}});
    }
    if (action == "cancel") return SendJson(response, 200, {{"cancelled", *next}});
    SendJson(response, 202, {{"queued", *next}});
  });
}

}  // namespace zooci::service_internal
