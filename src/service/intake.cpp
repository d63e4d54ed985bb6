// Webhook intake (see HandleWebhook in internal.h).
#include <nlohmann/json.hpp>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

using json = nlohmann::json;

HttpReply Reply(int status, json body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

JobSpec SpecOf(const WebhookEvent& event, const PullRequestInfo& pr, const std::string& trigger,
               const std::string& delivery_id) {
  JobSpec spec;
  spec.repo = event.repo_full_name;
  spec.installation_id = event.installation_id;
  spec.pr_number = pr.number;
  spec.head_sha = pr.head.sha;
  spec.head_ref = pr.head.ref;
  spec.base_ref = pr.base.ref;
  spec.base_sha = pr.base.sha;
  spec.clone_url = pr.head.clone_url;
  spec.base_clone_url = pr.base.clone_url;
  spec.trigger = trigger;
  spec.delivery_id = delivery_id;
  spec.title = pr.title;
  return spec;
}

HttpReply Queue(IntakeContext& context, const JobSpec& spec) {
  if (spec.clone_url.empty()) {
    return Reply(202, {{"ignored", "the pull request's head repository was deleted"}});
  }
  Result<int64_t> id = context.store->Enqueue(spec, NowMs());
  if (!id.ok()) return Reply(500, {{"error", id.error().message()}});
  Log("queued job " + std::to_string(*id) + " for " + spec.repo + "#" +
      std::to_string(spec.pr_number) + " at " + spec.head_sha + " (" + spec.trigger + ")");
  return Reply(202, {{"queued", *id}});
}

// A retest or re-run names a pull request; its head comes from GitHub — after the answer when
// the server defers it (GitHub may be slow or rate-limiting; the webhook is answered at once).
HttpReply LookUpAndQueue(IntakeContext& context, const WebhookEvent& event, int64_t number,
                         const std::string& trigger, const std::string& delivery_id);

HttpReply QueuePullRequest(IntakeContext& context, const WebhookEvent& event, int64_t number,
                           const std::string& trigger, const std::string& delivery_id) {
  if (context.github == nullptr) return Reply(503, {{"error", "no GitHub API configured"}});
  if (!context.defer) return LookUpAndQueue(context, event, number, trigger, delivery_id);
  context.defer([&context, event, number, trigger, delivery_id] {
    HttpReply reply = LookUpAndQueue(context, event, number, trigger, delivery_id);
    if (reply.status >= 300) Log("retest of #" + std::to_string(number) + ": " + reply.body);
  });
  return Reply(202, {{"accepted", trigger}, {"pull_request", number}});
}

HttpReply LookUpAndQueue(IntakeContext& context, const WebhookEvent& event, int64_t number,
                         const std::string& trigger, const std::string& delivery_id) {
  Result<PullRequestInfo> pr =
      context.github->GetPullRequest({event.repo_full_name, event.installation_id}, number);
  if (!pr.ok()) return Reply(502, {{"error", pr.error().message()}});
  if (pr->state != "open") return Reply(202, {{"ignored", "the pull request is not open"}});
  return Queue(context, SpecOf(event, *pr, trigger, delivery_id));
}

}  // namespace

HttpReply HandleWebhook(IntakeContext& context, const std::string& event_header,
                        const std::string& delivery_id, const std::string& signature_header,
                        const std::string& body) {
  if (!VerifySignature(context.webhook_secret, body, signature_header)) {
    return Reply(401, {{"error", "missing or wrong X-Hub-Signature-256"}});
  }
  if (delivery_id.empty() || delivery_id.size() > 200) {
    return Reply(400, {{"error", "missing X-GitHub-Delivery"}});
  }
  Result<WebhookEvent> event = ParseWebhook(event_header, body);
  if (!event.ok()) return Reply(400, {{"error", event.error().message()}});
  Result<bool> first = context.store->RecordDelivery(delivery_id, NowMs());
  if (!first.ok()) return Reply(500, {{"error", first.error().message()}});
  if (!*first) return Reply(200, {{"duplicate", delivery_id}});

  switch (event->kind) {
    case WebhookKind::kPing:
      return Reply(200, {{"pong", true}});
    case WebhookKind::kIgnored:
      return Reply(202, {{"ignored", event->ignored_reason}});
    case WebhookKind::kPullRequest: {
      if (event->cancel) {
        Result<int64_t> cancelled = context.store->CancelPullRequest(
            event->repo_full_name, event->pull_request.number, NowMs());
        if (!cancelled.ok()) return Reply(500, {{"error", cancelled.error().message()}});
        return Reply(200, {{"cancelled", *cancelled}});
      }
      return Queue(context, SpecOf(*event, event->pull_request,
                                   "pull_request." + event->action, delivery_id));
    }
    case WebhookKind::kRetestComment:
      return QueuePullRequest(context, *event, event->pull_request.number, "retest", delivery_id);
    case WebhookKind::kCheckRunRerequested: {
      if (event->pr_numbers.empty()) {
        return Reply(202, {{"ignored", "the check run names no pull request"}});
      }
      HttpReply last;
      for (int64_t number : event->pr_numbers) {
        last = QueuePullRequest(context, *event, number, "check_run.rerequested", delivery_id);
        if (last.status >= 300) return last;
      }
      return last;
    }
  }
  return Reply(202, {{"ignored", "unknown event kind"}});
}

}  // namespace zooci::service_internal
