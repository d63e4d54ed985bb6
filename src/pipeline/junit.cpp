// `zooci validate` as JUnit XML, for CI systems that display test results.
//
// Contract: a well-formed XML 1.0 document in UTF-8. <testsuites name="zooci validate"> counts
// every testcase (tests, failures, skipped; errors is always 0); one <testsuite name="<folder>">
// per model with one <testcase classname="<folder>" name="<step>"> per step. A failed step
// carries <failure message="<summary>" type="DECLINE"> listing its declining reasons; a skipped
// step carries <skipped message="<summary>"/>; other reasons go to <system-out>. Zoo-level reasons
// form a testsuite "zoo" with one testcase "zoo" (failed when any of them declines). So that a CI
// gate on failures agrees with the verdict, a declined model without a failed step gets a failed
// testcase "verdict", and a declined report without any failure gets a failed "zoo" testcase.
// All text is escaped; characters XML 1.0 cannot hold (C0 controls other than tab, LF and CR,
// invalid UTF-8) are dropped or replaced.
#include <cmath>
#include <cstdio>
#include <utility>

#include "pipeline/pipeline.h"

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
  size_t tests = 0, failures = 0, skipped = 0;
  double seconds = 0;
};

// One <testcase>. `failure` set: a <failure> with `message` and `body`; else `skipped` set: a
// <skipped> with `message`. A non-empty `system_out` becomes <system-out>.
struct Case {
  Case(std::string classname_in, std::string name_in, double seconds_in = 0)
      : classname(std::move(classname_in)), name(std::move(name_in)), seconds(seconds_in) {}
  std::string classname, name;
  double seconds = 0;
  bool failure = false, skipped = false;
  std::string message, body, system_out;
};

void AppendCase(const Case& test_case, Counts& counts, std::string& out) {
  ++counts.tests;
  counts.failures += test_case.failure;
  counts.skipped += !test_case.failure && test_case.skipped;
  if (std::isfinite(test_case.seconds) && test_case.seconds > 0) {
    counts.seconds += test_case.seconds;
  }
  out += "    <testcase classname=\"" + Attr(test_case.classname) + "\" name=\"" +
         Attr(test_case.name) + "\" time=\"" + Time(test_case.seconds) + "\"";
  if (!test_case.failure && !test_case.skipped && test_case.system_out.empty()) {
    out += "/>\n";
    return;
  }
  out += ">\n";
  if (test_case.failure) {
    out += "      <failure message=\"" + Attr(test_case.message) + "\" type=\"DECLINE\">" +
           Xml(test_case.body) + "</failure>\n";
  } else if (test_case.skipped) {
    out += "      <skipped message=\"" + Attr(test_case.message) + "\"/>\n";
  }
  if (!test_case.system_out.empty()) {
    out += "      <system-out>" + Xml(test_case.system_out) + "</system-out>\n";
  }
  out += "    </testcase>\n";
}

// Splits `reasons` into the failure body (declining) and system-out (the rest, or all of them
// when `fails` is false).
void SplitReasons(const std::vector<Reason>& reasons, bool fails, Case& test_case) {
  for (const Reason& reason : reasons) {
    if (reason.declines && fails) {
      test_case.body += ReasonLine(reason) + "\n";
    } else {
      test_case.system_out +=
          (reason.declines ? "declines: " : "warning: ") + ReasonLine(reason) + "\n";
    }
  }
}

// A <testsuite> around the already formatted `cases`.
void AppendSuite(const std::string& name, const Counts& counts, const std::string& properties,
                 const std::string& cases, std::string& out) {
  out += "  <testsuite name=\"" + Attr(name) + "\" tests=\"" + std::to_string(counts.tests) +
         "\" failures=\"" + std::to_string(counts.failures) + "\" errors=\"0\" skipped=\"" +
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
    total.skipped += counts.skipped;
  };
  for (const ModelReview& model : report.models) {
    const std::string folder = model.folder.empty() ? "." : model.folder;
    Counts counts;
    std::string cases;
    for (const StepResult& step : model.steps) {
      Case test_case{folder, step.name, step.seconds};
      test_case.failure = step.status == StepStatus::kFail;
      test_case.skipped = step.status == StepStatus::kSkipped;
      test_case.message = step.summary + (step.cached ? " (cached)" : "");
      SplitReasons(step.reasons, test_case.failure, test_case);
      if (test_case.failure && test_case.body.empty()) test_case.body = test_case.message;
      if (test_case.failure && test_case.message.empty()) {
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
    }
    std::string properties = "    <properties>\n" +
                             Property("verdict", VerdictName(model.verdict)) +
                             Property("change", model.change) + "    </properties>\n";
    AppendSuite(folder, counts, properties, cases, suites);
    add(counts);
  }
  bool zoo_declines = false;
  for (const Reason& reason : report.zoo_reasons) zoo_declines = zoo_declines || reason.declines;
  const bool force_failure = report.verdict == Verdict::kDecline && total.failures == 0;
  if (!report.zoo_reasons.empty() || force_failure) {
    Case zoo{"zoo", "zoo"};
    zoo.failure = zoo_declines || force_failure;
    SplitReasons(report.zoo_reasons, zoo.failure, zoo);
    if (zoo.body.empty() && zoo.failure) zoo.body = "the zoo is declined";
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
         "\" errors=\"0\" skipped=\"" + std::to_string(total.skipped) + "\" time=\"" +
         Time(seconds) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace zooci
