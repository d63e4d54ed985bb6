// GitHub Actions workflow commands for a review (`zooci validate --format github`): one
// `::error`/`::warning`/`::notice` line per reason, placed on its file and line, and a closing
// notice with the verdict. Reason text comes from the submission, so every value is escaped as
// GitHub's toolkit does (`%`, CR, LF in data; also `:` and `,` in properties): a message can never
// end its command early or start another one.
#include <string>

#include "report/report.h"

namespace zooci {
namespace {

using report_internal::CleanText;

std::string EscapeData(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeProperty(std::string_view text) {
  std::string out;
  for (char c : EscapeData(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

const char* CommandFor(ReasonLevel level) {
  switch (level) {
    case ReasonLevel::kDecline:
      return "error";
    case ReasonLevel::kUnverified:
    case ReasonLevel::kWarning:
      return "warning";
  }
  return "warning";
}

// "::error file=zoo/m/README.md,line=12,title=DECLINE m (artifacts)::message"
std::string CommandLine(const Reason& reason, const std::string& folder,
                        const std::string& path_prefix) {
  std::string properties;
  if (!reason.file.empty()) {
    properties = "file=" + EscapeProperty(CleanText(path_prefix + reason.file, false, true));
    if (reason.line > 0) properties += ",line=" + std::to_string(reason.line);
    properties += ",";
  }
  const char* what = reason.declines()     ? "declines"
                     : reason.unverified() ? "not verified"
                                           : "warning";
  std::string title = (folder.empty() ? std::string("zoo") : folder) + " (" + reason.step + ", " +
                      what + ")";
  properties += "title=" + EscapeProperty(CleanText(title, false, true));
  std::string message = reason.message;
  if (!reason.node.empty()) message += " [" + reason.node + "]";
  return std::string("::") + CommandFor(reason.level) + " " + properties +
         "::" + EscapeData(CleanText(message, true, true)) + "\n";
}

}  // namespace

std::string FormatValidateGithub(const ValidateReport& report, const std::string& path_prefix) {
  std::string out;
  for (const Reason& reason : report.zoo_reasons) out += CommandLine(reason, "", path_prefix);
  for (const ModelReview& model : report.models) {
    for (const StepResult& step : model.steps) {
      for (const Reason& reason : step.reasons) {
        out += CommandLine(reason, model.folder, path_prefix);
      }
    }
  }
  const std::string verdict = VerdictName(report.verdict);
  out += (report.verdict == Verdict::kAccept ? "::notice title=zooci validate::"
                                             : "::error title=zooci validate::") +
         EscapeData(verdict + ": " + report_internal::VerdictCounts(report)) + "\n";
  return out;
}

}  // namespace zooci
