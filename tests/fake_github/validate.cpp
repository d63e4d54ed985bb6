// fake-github: request bodies checked against GitHub's REST documentation (checks/runs,
// commits/statuses, issues/comments): required fields, types, enum values and size limits.
#include <ctime>
#include <set>

#include "fake.h"

namespace fake_github {
namespace {

constexpr size_t kMaxOutputBytes = 65'535;  // "Maximum length: 65535 characters"; counted in bytes
constexpr size_t kMaxAnnotationBytes = size_t{64} * 1024;
constexpr size_t kMaxAnnotationTitle = 255;
constexpr size_t kMaxAnnotations = 50;
constexpr size_t kMaxDescriptionChars = 140;
constexpr size_t kMaxCommentChars = 65'536;

const char* TypeName(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

class Checker {
 public:
  explicit Checker(std::string resource) : resource_(std::move(resource)) {}

  void Add(const std::string& field, const std::string& code, const std::string& message) {
    errors_.push_back({resource_, field, code, message});
  }

  // Whether `object[key]` exists with `type` ("string", "integer", "object", "array",
  // "boolean"); complains when it is required and missing or has another type. `null` is
  // accepted for optional fields (GitHub treats it as absent).
  bool Has(const json& object, const std::string& key, const std::string& field,
           const std::string& type, bool required) {
    auto it = object.find(key);
    if (it == object.end() || (!required && it->is_null())) {
      if (required) Add(field, "missing_field", field + " is missing");
      return false;
    }
    bool ok = type == "string"    ? it->is_string()
              : type == "integer" ? it->is_number_integer()
              : type == "object"  ? it->is_object()
              : type == "array"   ? it->is_array()
                                  : it->is_boolean();
    if (!ok) {
      Add(field, "invalid",
          field + " is " + TypeName(*it) + ", not " + (type == "integer" ? "an " : "a ") + type);
    }
    return ok;
  }

  void OneOf(const json& object, const std::string& key, const std::string& field,
             const std::set<std::string>& allowed, bool required) {
    if (!Has(object, key, field, "string", required)) return;
    std::string value = object[key].get<std::string>();
    if (allowed.count(value) == 0) {
      std::string list;
      for (const std::string& item : allowed) list += (list.empty() ? "" : ", ") + item;
      Add(field, "invalid", "\"" + value + "\" is not a member of [" + list + "]");
    }
  }

  void MaxBytes(const json& object, const std::string& key, const std::string& field, size_t limit,
                bool required) {
    if (!Has(object, key, field, "string", required)) return;
    size_t size = object[key].get_ref<const std::string&>().size();
    if (size > limit) {
      Add(field, "too_long",
          field + " is too long (" + std::to_string(size) + " bytes; the maximum is " +
              std::to_string(limit) + ")");
    }
  }

  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::string resource_;
  std::vector<FieldError> errors_;
};

void CheckAnnotation(Checker& check, const json& annotation, const std::string& field) {
  if (!annotation.is_object()) {
    check.Add(field, "invalid", field + " is " + TypeName(annotation) + ", not an object");
    return;
  }
  check.MaxBytes(annotation, "path", field + ".path", 4096, true);
  bool has_start = check.Has(annotation, "start_line", field + ".start_line", "integer", true);
  bool has_end = check.Has(annotation, "end_line", field + ".end_line", "integer", true);
  check.OneOf(annotation, "annotation_level", field + ".annotation_level",
              {"notice", "warning", "failure"}, true);
  check.MaxBytes(annotation, "message", field + ".message", kMaxAnnotationBytes, true);
  check.MaxBytes(annotation, "title", field + ".title", kMaxAnnotationTitle, false);
  check.MaxBytes(annotation, "raw_details", field + ".raw_details", kMaxAnnotationBytes, false);
  bool has_columns = false;
  for (const char* column : {"start_column", "end_column"}) {
    has_columns |= check.Has(annotation, column, field + "." + column, "integer", false);
  }
  if (has_start && has_end) {
    int64_t start = annotation["start_line"].get<int64_t>();
    int64_t end = annotation["end_line"].get<int64_t>();
    if (start < 1) check.Add(field + ".start_line", "invalid", "start_line must be at least 1");
    if (end < start) check.Add(field + ".end_line", "invalid", "end_line is before start_line");
    if (has_columns && start != end) {
      check.Add(field + ".start_column", "invalid",
                "start_column and end_column are only allowed when start_line equals end_line");
    }
  }
}

void CheckOutput(Checker& check, const json& output) {
  check.MaxBytes(output, "title", "output.title", 1024, true);
  check.MaxBytes(output, "summary", "output.summary", kMaxOutputBytes, true);
  check.MaxBytes(output, "text", "output.text", kMaxOutputBytes, false);
  if (check.Has(output, "annotations", "output.annotations", "array", false)) {
    const json& annotations = output["annotations"];
    if (annotations.size() > kMaxAnnotations) {
      check.Add("output.annotations", "too_long",
                "No more than 50 items are allowed; " + std::to_string(annotations.size()) +
                    " were supplied");
    }
    for (size_t index = 0; index < annotations.size(); ++index) {
      CheckAnnotation(check, annotations[index],
                      "output.annotations[" + std::to_string(index) + "]");
    }
  }
  if (check.Has(output, "images", "output.images", "array", false)) {
    for (size_t index = 0; index < output["images"].size(); ++index) {
      const json& image = output["images"][index];
      std::string field = "output.images[" + std::to_string(index) + "]";
      if (!image.is_object()) {
        check.Add(field, "invalid", field + " is not an object");
        continue;
      }
      check.Has(image, "alt", field + ".alt", "string", true);
      check.Has(image, "image_url", field + ".image_url", "string", true);
      check.Has(image, "caption", field + ".caption", "string", false);
    }
  }
}

}  // namespace

std::vector<FieldError> ValidateCheckRun(const json& body, bool create) {
  Checker check("CheckRun");
  check.Has(body, "name", "name", "string", create);
  if (create && check.Has(body, "head_sha", "head_sha", "string", true) &&
      !IsCommitSha(body["head_sha"].get<std::string>())) {
    check.Add("head_sha", "invalid",
              "No commit found for SHA: " + body["head_sha"].get<std::string>());
  }
  check.Has(body, "details_url", "details_url", "string", false);
  check.Has(body, "external_id", "external_id", "string", false);
  check.Has(body, "started_at", "started_at", "string", false);
  check.Has(body, "completed_at", "completed_at", "string", false);
  if (body.contains("status") && body["status"].is_string()) {
    std::string status = body["status"].get<std::string>();
    if (status == "waiting" || status == "requested" || status == "pending") {
      check.Add("status", "invalid", "status " + status + " is reserved for GitHub Actions");
    } else {
      check.OneOf(body, "status", "status", {"queued", "in_progress", "completed"}, false);
    }
  } else {
    check.OneOf(body, "status", "status", {"queued", "in_progress", "completed"}, false);
  }
  check.OneOf(
      body, "conclusion", "conclusion",
      {"action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"},
      false);
  bool has_conclusion = body.contains("conclusion") && !body["conclusion"].is_null();
  bool says_completed = (body.contains("status") && body["status"] == "completed") ||
                        (body.contains("completed_at") && !body["completed_at"].is_null());
  if (create && says_completed && !has_conclusion) {
    check.Add("conclusion", "missing_field",
              "conclusion is required when status is completed or completed_at is given");
  }
  if (check.Has(body, "output", "output", "object", false)) CheckOutput(check, body["output"]);
  if (check.Has(body, "actions", "actions", "array", false)) {
    if (body["actions"].size() > 3) check.Add("actions", "too_long", "at most 3 actions");
    for (size_t index = 0; index < body["actions"].size(); ++index) {
      const json& action = body["actions"][index];
      std::string field = "actions[" + std::to_string(index) + "]";
      if (!action.is_object()) {
        check.Add(field, "invalid", field + " is not an object");
        continue;
      }
      check.MaxBytes(action, "label", field + ".label", 20, true);
      check.MaxBytes(action, "description", field + ".description", 40, true);
      check.MaxBytes(action, "identifier", field + ".identifier", 20, true);
    }
  }
  return check.Take();
}

std::vector<FieldError> ValidateStatus(const json& body) {
  Checker check("Status");
  check.OneOf(body, "state", "state", {"error", "failure", "pending", "success"}, true);
  check.Has(body, "target_url", "target_url", "string", false);
  check.Has(body, "context", "context", "string", false);
  if (check.Has(body, "description", "description", "string", false)) {
    size_t chars = CountCodePoints(body["description"].get<std::string>());
    if (chars > kMaxDescriptionChars) {
      check.Add("description", "custom",
                "description is too long (maximum is 140 characters; it has " +
                    std::to_string(chars) + ")");
    }
  }
  return check.Take();
}

std::vector<FieldError> ValidateCommentBody(const json& body) {
  Checker check("IssueComment");
  if (check.Has(body, "body", "body", "string", true)) {
    size_t chars = CountCodePoints(body["body"].get<std::string>());
    if (chars > kMaxCommentChars) {
      check.Add("body", "custom", "Body is too long (maximum is 65536 characters)");
    }
  }
  return check.Take();
}

bool IsCommitSha(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

std::string Iso8601(int64_t unix_seconds) {
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace fake_github
