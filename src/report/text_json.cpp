// `zooci validate` reports: the plain-text and JSON views, and the helpers shared with the
// Markdown, JUnit and HTML writers (report_internal).
//
// Contract: every writer accepts any ValidateReport — empty, inconsistent (a passing step with
// declining reasons), with messages holding invalid UTF-8 or control characters, with
// details_json that is "{}", malformed or deeply nested — and never throws. Text output is valid
// UTF-8 with control characters escaped, so a message cannot forge lines or drive a terminal;
// JSON output is valid UTF-8 JSON.
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "report/report.h"

namespace zooci {
namespace report_internal {
namespace {

// Appends `code_point` (< 0x110000, not a surrogate) as UTF-8.
void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes one UTF-8 sequence at text[*index] and advances past it; an ill-formed sequence gives
// U+FFFD and advances by one byte.
uint32_t DecodeUtf8(std::string_view text, size_t* index) {
  const auto lead = static_cast<unsigned char>(text[*index]);
  if (lead < 0x80) {
    ++*index;
    return lead;
  }
  const size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                        : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                       : 0;
  uint32_t code_point = lead & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
  bool valid = length > 0 && *index + length <= text.size();
  for (size_t offset = 1; valid && offset < length; ++offset) {
    const auto next = static_cast<unsigned char>(text[*index + offset]);
    valid = (next & 0xC0) == 0x80;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  valid = valid && !(length == 3 && code_point < 0x800) &&
          !(length == 4 && (code_point < 0x10000 || code_point > 0x10FFFF)) &&
          !(code_point >= 0xD800 && code_point <= 0xDFFF);
  if (!valid) {
    ++*index;
    return 0xFFFD;
  }
  *index += length;
  return code_point;
}

bool NeedsEscape(uint32_t code_point, bool keep_whitespace) {
  if (code_point == '\t' || code_point == '\n' || code_point == '\r') return !keep_whitespace;
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F) || code_point == 0xFFFE ||
         code_point == 0xFFFF || (code_point >= 0x202A && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

}  // namespace

std::string CleanText(std::string_view text, bool keep_whitespace, bool drop) {
  std::string out;
  out.reserve(text.size());
  for (size_t index = 0; index < text.size();) {
    const uint32_t code_point = DecodeUtf8(text, &index);
    if (!NeedsEscape(code_point, keep_whitespace)) {
      AppendUtf8(code_point, out);
    } else if (!drop) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, code_point < 0x80 ? "\\x%02x" : "\\u%04x",
                    static_cast<unsigned>(code_point));
      out += escaped;
    }
  }
  return out;
}

std::string ReasonLocation(const Reason& reason) {
  if (reason.file.empty()) return "";
  return reason.line > 0 ? reason.file + ":" + std::to_string(reason.line) : reason.file;
}

std::string VerdictCounts(const ValidateReport& report) {
  size_t declined = 0;
  for (const ModelReview& model : report.models) declined += model.verdict == Verdict::kDecline;
  size_t zoo_declining = 0;
  for (const Reason& reason : report.zoo_reasons) zoo_declining += reason.declines();
  size_t incomplete = 0;
  for (const ModelReview& model : report.models) {
    incomplete += model.verdict == Verdict::kIncomplete;
  }
  const size_t total = report.models.size();
  std::string counts;
  if (declined > 0 || (report.verdict == Verdict::kDecline && total > 0)) {
    counts = std::to_string(declined) + " of " + Plural(total, "model") + " declined";
    if (incomplete > 0) counts += ", " + std::to_string(incomplete) + " incomplete";
  } else if (incomplete > 0) {
    counts = std::to_string(incomplete) + " of " + Plural(total, "model") +
             " not fully reviewed";
  } else if (total > 0) {
    counts = Plural(total, "model") + " accepted";
  } else {
    counts = "no models to review";
  }
  if (zoo_declining > 0) counts += ", " + Plural(zoo_declining, "zoo reason");
  return counts;
}

std::string FormatSeconds(double seconds) {
  if (!std::isfinite(seconds)) return "? s";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
  return buffer;
}

}  // namespace report_internal

namespace {

using report_internal::CleanText;
using report_internal::ReasonLocation;
using ojson = nlohmann::ordered_json;

// ---- Text --------------------------------------------------------------------------------------

// One line of the text report: control characters and newlines are escaped.
std::string Line(std::string_view text) {
  return CleanText(text, /*keep_whitespace=*/false);
}

std::string PadRight(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// "file:line message (node ...)", or the message alone when the reason has no file.
std::string ReasonText(const Reason& reason) {
  const std::string location = ReasonLocation(reason);
  std::string text =
      location.empty() ? Line(reason.message) : Line(location) + " " + Line(reason.message);
  if (!reason.node.empty()) text += " (" + Line(reason.node) + ")";
  return text;
}

// The reasons, declining ones first, each on a line indented by `indent`.
void AppendReasons(const std::vector<Reason>& reasons, const std::string& indent,
                   std::string& out) {
  for (ReasonLevel level :
       {ReasonLevel::kDecline, ReasonLevel::kUnverified, ReasonLevel::kWarning}) {
    const char* prefix = level == ReasonLevel::kDecline      ? "- "
                         : level == ReasonLevel::kUnverified ? "not verified: "
                                                             : "warning: ";
    for (const Reason& reason : reasons) {
      if (reason.level == level) out += indent + prefix + ReasonText(reason) + "\n";
    }
  }
}

// The matrix step's figures under the step: the plan, a line per runtime and per output, and each
// runtime against the primary.
void AppendMatrix(const StepResult& step, std::string& out) {
  const StepDetails details = ParseStepDetails(step.details_json);
  if (!details.matrix) return;
  const RuntimeMatrix& matrix = *details.matrix;
  out += "    " + Line(report_internal::MatrixPlanText(matrix)) + "\n";
  for (const MatrixRow& row : matrix.rows) {
    out += "    " + Line(report_internal::MatrixRowText(row)) + "\n";
    for (const MatrixOutput& output : row.outputs) {
      out += "      " + Line(report_internal::MatrixOutputText(output, "reference", row.runtime)) +
             "\n";
    }
  }
  for (const MatrixAgreement& agreement : matrix.agreement) {
    out += "    " + Line(report_internal::MatrixAgreementText(agreement)) + "\n";
    for (const MatrixOutput& output : agreement.outputs) {
      out += "      " +
             Line(report_internal::MatrixOutputText(output, agreement.against, agreement.runtime)) +
             "\n";
    }
  }
}

// ---- JSON --------------------------------------------------------------------------------------

ojson ReasonJson(const Reason& reason) {
  return {{"step", reason.step}, {"message", reason.message}, {"file", reason.file},
          {"line", reason.line}, {"node", reason.node},       {"declines", reason.declines()},
          {"level", ReasonLevelName(reason.level)}};
}

ojson ReasonsJson(const std::vector<Reason>& reasons) {
  ojson array = ojson::array();
  for (const Reason& reason : reasons) array.push_back(ReasonJson(reason));
  return array;
}

}  // namespace

std::string FormatValidateText(const ValidateReport& report) {
  std::string out = "zooci validate " + Line(report.zoo) + ": " + VerdictName(report.verdict) +
                    " (" + report_internal::VerdictCounts(report) + ")\n";
  std::vector<std::string> context;
  if (!report.zooci_version.empty()) context.push_back("zooci " + Line(report.zooci_version));
  if (!report.runtime.empty()) context.push_back(Line(report.runtime));
  context.push_back(report.changed_since.empty()
                        ? "all models"
                        : "models changed since " + Line(report.changed_since));
  out += "  " + JoinStrings(context, ", ") + "\n";
  for (size_t runtime_idx = 0; runtime_idx < report.runtimes.size(); ++runtime_idx) {
    out += std::string(runtime_idx == 0 ? "  runtimes: " : "            ") +
           Line(report_internal::ReviewRuntimeText(report.runtimes[runtime_idx])) + "\n";
  }

  size_t declining = 0, unverified = 0, warnings = 0;
  auto count = [&](const Reason& reason) {
    (reason.declines() ? declining : reason.unverified() ? unverified : warnings) += 1;
  };
  for (const ModelReview& model : report.models) {
    out += "\n" + PadRight(VerdictName(model.verdict), 7) + " " +
           (model.folder.empty() ? "." : Line(model.folder));
    if (!model.change.empty()) out += " (" + Line(model.change) + ")";
    out += "\n";
    for (const StepResult& step : model.steps) {
      out += "  " + PadRight(Line(step.name), 9) + " " + PadRight(StepStatusName(step.status), 7) +
             " " + report_internal::FormatSeconds(step.seconds) + "  " + Line(step.summary) +
             (step.cached ? " (cached)" : "") + "\n";
      AppendReasons(step.reasons, "    ", out);
      for (const Reason& reason : step.reasons) count(reason);
      if (step.name == "matrix") AppendMatrix(step, out);
    }
  }
  if (!report.zoo_reasons.empty()) {
    out += "\nzoo\n";
    AppendReasons(report.zoo_reasons, "    ", out);
    for (const Reason& reason : report.zoo_reasons) count(reason);
  }
  const size_t models = report.models.size();
  size_t declined = 0, incomplete = 0;
  for (const ModelReview& model : report.models) {
    declined += model.verdict == Verdict::kDecline;
    incomplete += model.verdict == Verdict::kIncomplete;
  }
  out += "\n" + Plural(models, "model") + " reviewed in " +
         report_internal::FormatSeconds(report.seconds) + ": " +
         std::to_string(models - declined - incomplete) + " accepted, " +
         std::to_string(declined) + " declined" +
         (incomplete > 0 ? ", " + std::to_string(incomplete) + " incomplete" : "") + "; " +
         Plural(declining, "declining reason") + ", " +
         (unverified > 0 ? Plural(unverified, "unverified check") + ", " : "") +
         Plural(warnings, "warning") + "\n";
  return out;
}

// Every field of the report. A step's details are embedded as JSON when details_json parses,
// else as the original string. Strings holding invalid UTF-8 get U+FFFD; never throws.
std::string FormatValidateJson(const ValidateReport& report) {
  ojson models = ojson::array();
  size_t declined = 0, incomplete = 0;
  for (const ModelReview& model : report.models) {
    declined += model.verdict == Verdict::kDecline;
    incomplete += model.verdict == Verdict::kIncomplete;
    ojson steps = ojson::array();
    for (const StepResult& step : model.steps) {
      std::optional<ojson> details = ParseDetailsJson(step.details_json);
      steps.push_back({{"name", step.name},
                       {"status", StepStatusName(step.status)},
                       {"summary", step.summary},
                       {"seconds", step.seconds},
                       {"cached", step.cached},
                       {"reasons", ReasonsJson(step.reasons)},
                       {"details", details ? std::move(*details) : ojson(step.details_json)}});
    }
    models.push_back({{"folder", model.folder},
                      {"change", model.change},
                      {"verdict", VerdictName(model.verdict)},
                      {"steps", std::move(steps)}});
  }
  ojson runtimes = ojson::array();
  for (const ReviewRuntime& runtime : report.runtimes) {
    runtimes.push_back({{"name", runtime.name},
                        {"backend", runtime.backend},
                        {"required", runtime.required},
                        {"primary", runtime.primary},
                        {"role_source", runtime.role_source},
                        {"scope", runtime.scope},
                        {"not_checked", runtime.not_checked}});
  }
  ojson root = {{"zoo", report.zoo},
                {"changed_since", report.changed_since},
                {"zooci_version", report.zooci_version},
                {"runtime", report.runtime},
                {"runtimes", std::move(runtimes)},
                {"verdict", VerdictName(report.verdict)},
                {"seconds", report.seconds},
                {"summary",
                 {{"models", report.models.size()},
                  {"accepted", report.models.size() - declined - incomplete},
                  {"declined", declined},
                  {"incomplete", incomplete},
                  {"text", report_internal::VerdictCounts(report)}}},
                {"models", std::move(models)},
                {"zoo_reasons", ReasonsJson(report.zoo_reasons)}};
  return root.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace zooci
