// `zooci validate` as JUnit XML, for CI systems that display test results.
//
// Contract: a well-formed XML 1.0 document in UTF-8. <testsuites name="zooci validate"> counts
// every testcase (tests, failures, errors, skipped); one <testsuite name="<folder>"> per model
// with one <testcase classname="<folder>" name="<step>"> per step. A failed step carries
// <failure message="<summary>" type="DECLINE"> listing its declining reasons; a step that is not
// failed but has unverified reasons (something required could not be checked) carries
// <error message="<summary>" type="INCOMPLETE"> listing them; a skipped step carries
// <skipped message="<summary>"/>; other reasons go to <system-out>. Zoo-level reasons
// form a testsuite "zoo" with one testcase "zoo" (failed when any of them declines). So that a CI
// gate on failures agrees with the verdict, a declined model without a failed step gets a failed
// testcase "verdict", and a declined report without any failure gets a failed "zoo" testcase;
// likewise an INCOMPLETE model or report gets an <error> testcase.
// All text is escaped; characters XML 1.0 cannot hold (C0 controls other than tab, LF and CR,
// invalid UTF-8) are dropped or replaced.
#include <cmath>
#include <cstdio>
#include <utility>

#include "report/report.h"

namespace zooci {
namespace {

using report_internal::CleanText;
using report_internal::ReasonLocation;

// XML character data or attribute value. In attributes, tab/LF/CR become character references
// so that attribute-value normalization keeps them.
std::string Xml(std::string_view raw, bool attribute = false) {
  const std::string escaped = EscapeXml(CleanText(raw, /*keep_whitespace=*/true, /*drop=*/true));
  std::string out;
  out.reserve(escaped.size());
  for (char c : escaped) {
    if (c == '\r') {
      out += "&#13;";  // a raw CR in content would be normalized away
    } else if (attribute && (c == '\t' || c == '\n')) {
      out += c == '\t' ? "&#9;" : "&#10;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Attr(std::string_view raw) {
  return Xml(raw, /*attribute=*/true);
}

// Seconds with millisecond precision; 0 for a negative or non-finite value.
std::string Time(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f",
                std::isfinite(seconds) && seconds > 0 && seconds < 1e15 ? seconds : 0.0);
  return buffer;
}

std::string ReasonLine(const Reason& reason) {
  const std::string location = ReasonLocation(reason);
  std::string line = location.empty() ? reason.message : location + " " + reason.message;
  if (!reason.node.empty()) line += " (" + reason.node + ")";
  return line;
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
};

// One <testcase>. `failure` set: a <failure> with `message` and `body`; else `error` set: an
// <error> with them; else `skipped` set: a <skipped> with `message`. A non-empty `system_out`
// becomes <system-out>.
struct Case {
  Case(std::string classname_in, std::string name_in, double seconds_in = 0)
      : classname(std::move(classname_in)), name(std::move(name_in)), seconds(seconds_in) {}
  std::string classname, name;
  double seconds = 0;
  bool failure = false, error = false, skipped = false;
  std::string message, body, system_out;
};

void AppendCase(const Case& test_case, Counts& counts, std::string& out) {
  ++counts.tests;
  counts.failures += test_case.failure;
  counts.errors += !test_case.failure && test_case.error;
  counts.skipped += !test_case.failure && !test_case.error && test_case.skipped;
  if (std::isfinite(test_case.seconds) && test_case.seconds > 0) {
    counts.seconds += test_case.seconds;
  }
  out += "    <testcase classname=\"" + Attr(test_case.classname) + "\" name=\"" +
         Attr(test_case.name) + "\" time=\"" + Time(test_case.seconds) + "\"";
  if (!test_case.failure && !test_case.error && !test_case.skipped &&
      test_case.system_out.empty()) {
    out += "/>\n";
    return;
  }
  out += ">\n";
  if (test_case.failure) {
    out += "      <failure message=\"" + Attr(test_case.message) + "\" type=\"DECLINE\">" +
           Xml(test_case.body) + "</failure>\n";
  } else if (test_case.error) {
    out += "      <error message=\"" + Attr(test_case.message) + "\" type=\"INCOMPLETE\">" +
           Xml(test_case.body) + "</error>\n";
  } else if (test_case.skipped) {
    out += "      <skipped message=\"" + Attr(test_case.message) + "\"/>\n";
  }
  if (!test_case.system_out.empty()) {
    out += "      <system-out>" + Xml(test_case.system_out) + "</system-out>\n";
  }
  out += "    </testcase>\n";
}

// Splits `reasons` into the failure or error body (declining reasons when the case fails,
// unverified ones when it is in error) and system-out (the rest).
void SplitReasons(const std::vector<Reason>& reasons, Case& test_case) {
  for (const Reason& reason : reasons) {
    if ((reason.declines() && test_case.failure) ||
        (reason.unverified() && test_case.error && !test_case.failure)) {
      test_case.body += ReasonLine(reason) + "\n";
    } else {
      test_case.system_out += ReasonLevelName(reason.level) + ": " + ReasonLine(reason) + "\n";
    }
  }
}

bool AnyUnverified(const std::vector<Reason>& reasons) {
  for (const Reason& reason : reasons) {
    if (reason.unverified()) return true;
  }
  return false;
}

// A <testsuite> around the already formatted `cases`.
void AppendSuite(const std::string& name, const Counts& counts, const std::string& properties,
                 const std::string& cases, std::string& out) {
  out += "  <testsuite name=\"" + Attr(name) + "\" tests=\"" + std::to_string(counts.tests) +
         "\" failures=\"" + std::to_string(counts.failures) + "\" errors=\"" +
         std::to_string(counts.errors) + "\" skipped=\"" +
         std::to_string(counts.skipped) + "\" time=\"" + Time(counts.seconds) + "\">\n" +
         properties + cases + "  </testsuite>\n";
}

std::string Property(std::string_view name, std::string_view value) {
  return "      <property name=\"" + Attr(name) + "\" value=\"" + Attr(value) + "\"/>\n";
}

}  // namespace

std::string FormatValidateJunit(const ValidateReport& report) {
  std::string suites;
  Counts total;
  auto add = [&total](const Counts& counts) {
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
  };
  for (const ModelReview& model : report.models) {
    const std::string folder = model.folder.empty() ? "." : model.folder;
    Counts counts;
    std::string cases;
    for (const StepResult& step : model.steps) {
      Case test_case{folder, step.name, step.seconds};
      test_case.failure = step.status == StepStatus::kFail;
      test_case.error = !test_case.failure && AnyUnverified(step.reasons);
      test_case.skipped = step.status == StepStatus::kSkipped;
      test_case.message = step.summary + (step.cached ? " (cached)" : "");
      SplitReasons(step.reasons, test_case);
      if ((test_case.failure || test_case.error) && test_case.body.empty()) {
        test_case.body = test_case.message;
      }
      if ((test_case.failure || test_case.error) && test_case.message.empty()) {
        test_case.message = test_case.body.substr(0, test_case.body.find('\n'));
      }
      AppendCase(test_case, counts, cases);
    }
    if (model.verdict == Verdict::kDecline && counts.failures == 0) {
      Case verdict{folder, "verdict"};
      verdict.failure = true;
      verdict.message = "the model is declined";
      verdict.body = verdict.message;
      AppendCase(verdict, counts, cases);
    } else if (model.verdict == Verdict::kIncomplete && counts.errors == 0) {
      Case verdict{folder, "verdict"};
      verdict.error = true;
      verdict.message = "the model was not fully reviewed";
      verdict.body = verdict.message;
      AppendCase(verdict, counts, cases);
    }
    std::string properties = "    <properties>\n" +
                             Property("verdict", VerdictName(model.verdict)) +
                             Property("change", model.change) + "    </properties>\n";
    AppendSuite(folder, counts, properties, cases, suites);
    add(counts);
  }
  bool zoo_declines = false;
  for (const Reason& reason : report.zoo_reasons) zoo_declines = zoo_declines || reason.declines();
  const bool force_failure = report.verdict == Verdict::kDecline && total.failures == 0;
  const bool force_error = report.verdict == Verdict::kIncomplete && total.errors == 0;
  if (!report.zoo_reasons.empty() || force_failure || force_error) {
    Case zoo{"zoo", "zoo"};
    zoo.failure = zoo_declines || force_failure;
    zoo.error = !zoo.failure && (AnyUnverified(report.zoo_reasons) || force_error);
    SplitReasons(report.zoo_reasons, zoo);
    if (zoo.body.empty() && zoo.failure) zoo.body = "the zoo is declined";
    if (zoo.body.empty() && zoo.error) zoo.body = "the review is incomplete";
    zoo.message = zoo.body.substr(0, zoo.body.find('\n'));
    Counts counts;
    std::string cases;
    AppendCase(zoo, counts, cases);
    AppendSuite("zoo", counts, "", cases, suites);
    add(counts);
  }
  const double seconds = std::isfinite(report.seconds) && report.seconds > 0 ? report.seconds : 0;
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"zooci validate\" "
         "tests=\"" +
         std::to_string(total.tests) + "\" failures=\"" + std::to_string(total.failures) +
         "\" errors=\"" + std::to_string(total.errors) + "\" skipped=\"" +
         std::to_string(total.skipped) + "\" time=\"" +
         Time(seconds) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace zooci
