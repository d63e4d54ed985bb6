// Tests for the `zooci validate` report writers (report.cpp, markdown.cpp, junit.cpp, html.cpp):
// exact text lines, the JSON document's fields, the Markdown comment's structure, JUnit XML
// checked by a small well-formedness checker, and the HTML page's tag balance — on a hand-built
// report with hostile bytes in its messages, on an empty report and on random bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "report/report.h"

namespace zooci {
namespace {

using json = nlohmann::json;

// A message with markup, a table separator, an ANSI escape, invalid UTF-8 and a forged line.
const std::string kHostile = "<script>alert(1)</script> a|b & c > d \x1b[31m\xff\xfe\nforged";

Reason MakeReason(std::string step, std::string message, std::string file = "", int line = 0,
                  std::string node = "", bool declines = true) {
  return {std::move(step),    std::move(message),
          std::move(file),    line,
          std::move(node),    declines ? ReasonLevel::kDecline : ReasonLevel::kWarning};
}

StepResult Step(std::string name, StepStatus status, std::string summary, double seconds,
                std::string details = "{}") {
  StepResult step;
  step.name = std::move(name);
  step.status = status;
  step.summary = std::move(summary);
  step.seconds = seconds;
  step.details_json = std::move(details);
  return step;
}

std::string BenchDetails(int samples) {
  json details = json::parse(R"({"result": "VALID", "samples_per_s": 790.5, "latency_ms":
      {"p50": 1.25, "p90": 1.5, "p99": 2.0, "mean": 1.3, "cv": 0.04, "count": 0}})");
  details["latency_ms"]["count"] = samples;
  std::vector<double> values;
  for (int i = 0; i < samples; ++i) values.push_back(1.0 + (i % 37) * 0.03);
  details["samples_ms"] = values;
  return details.dump();
}

ValidateReport MakeReport() {
  ValidateReport report;
  report.zoo = "zoo";
  report.changed_since = "origin/main";
  report.zooci_version = "0.3.0";
  report.runtime = "onnxruntime 1.30.0";
  report.seconds = 12.5;
  report.verdict = Verdict::kDecline;

  ModelReview digits;
  digits.folder = "validated/vision/classification/digits";
  digits.change = "added";
  digits.steps.push_back(Step("artifacts", StepStatus::kPass, "3 files", 0.001));
  digits.steps.push_back(Step("integrity", StepStatus::kPass, "sha256 matches", 0.02));
  StepResult check = Step("check", StepStatus::kPass, "no errors", 0.12,
                          R"({"errors": 0, "warnings": 1, "infos": 0})");
  check.cached = true;
  check.reasons.push_back(MakeReason("check", "initializer 'b' is unused", "model/digits.onnx", 0,
                                     "", /*declines=*/false));
  digits.steps.push_back(check);
  digits.steps.push_back(Step("test", StepStatus::kPass, "2 of 2 cases passed", 0.4,
                              R"({"passed": 2, "failed": 0, "cases": [
                                  {"id": "test_data_set_0", "status": "pass", "message": ""},
                                  {"id": "test_data_set_1", "status": "pass", "message": ""}]})"));
  digits.steps.push_back(Step("eval", StepStatus::kPass, "top-1 98 % (claimed 97.8 %)", 3.5,
                              R"({"top1_percent": 98.0, "topk_percent": 99.8, "top_k": 5,
                                  "total": 450, "top1_correct": 441, "images_per_s": 1200,
                                  "claims": [{"metric": "top-1", "claimed_percent": 97.8,
                                  "measured_percent": 98.0, "tolerance_pp": 0.5, "passed": true,
                                  "source": "README.md:14"}]})"));
  digits.steps.push_back(Step("bench", StepStatus::kPass, "p50 1.25 ms", 2.0, BenchDetails(500)));
  report.models.push_back(digits);

  ModelReview mnist;
  mnist.folder = "validated/vision/mnist";
  mnist.change = "modified";
  mnist.verdict = Verdict::kDecline;
  mnist.steps.push_back(Step("artifacts", StepStatus::kPass, "2 files", 0.0));
  StepResult failing = Step("check", StepStatus::kFail, "1 error", 0.3,
                            R"({"errors": 1, "warnings": 0, "infos": 0})");
  failing.reasons.push_back(MakeReason("check", "input 'w' is produced by nothing",
                                       "model/mnist-8.onnx", 0, "node 'Conv_3' (#3)"));
  failing.reasons.push_back(MakeReason("check", kHostile, "README.md", 14));
  failing.reasons.push_back(
      MakeReason("check", "opset 8 is old", "model/mnist-8.onnx", 0, "", /*declines=*/false));
  mnist.steps.push_back(failing);
  mnist.steps.push_back(Step("test", StepStatus::kFail, "1 of 2 cases failed", 0.5,
                             R"({"passed": 1, "failed": 1, "cases": [
                                 {"id": "set_0", "status": "pass", "message": ""},
                                 {"id": "set|1", "status": "fail", "message": "<&>"}]})"));
  mnist.steps.push_back(Step("eval", StepStatus::kPass, "no claims", 0.1, "{not json"));
  mnist.steps.push_back(Step("bench", StepStatus::kSkipped, "skipped: --no-bench", 0));
  report.models.push_back(mnist);

  report.zoo_reasons.push_back(
      MakeReason("zoo", "README links to the removed model 'squeezenet'", "README.md", 40));
  report.zoo_reasons.push_back(
      MakeReason("zoo", "ONNX_HUB_MANIFEST.json is not sorted", "", 0, "", false));
  return report;
}

// The lines of `text`, without the empty string after its final newline.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = SplitString(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

bool Contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// Well-formed UTF-8 with no C0 control other than tab, LF and CR, and no DEL.
bool CleanUtf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      if ((lead < 0x20 && lead != '\t' && lead != '\n' && lead != '\r') || lead == 0x7f) {
        return false;
      }
      ++i;
      continue;
    }
    const size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                          : lead >= 0xE0 && lead <= 0xEF ? 3
                          : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                         : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

// ---- A small XML well-formedness checker ---------------------------------------------------

struct Element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;  // raw (escaped) values
  std::string Attribute(const std::string& key) const {
    for (const auto& [name, value] : attributes) {
      if (name == key) return value;
    }
    return "";
  }
};

bool ValidReference(const std::string& text, size_t at) {
  const size_t end = text.find(';', at);
  if (end == std::string::npos) return false;
  const std::string name = text.substr(at + 1, end - at - 1);
  if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
    return true;
  }
  if (name.size() < 2 || name[0] != '#') return false;
  const bool hex = name[1] == 'x';
  const std::string digits = name.substr(hex ? 2 : 1);
  if (digits.empty()) return false;
  return std::all_of(digits.begin(), digits.end(), [hex](char c) {
    return hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(c);
  });
}

// Character data: no '<', and every '&' starts a valid reference.
bool ValidCharData(const std::string& text, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (text[i] == '<') return false;
    if (text[i] == '&' && !ValidReference(text, i)) return false;
  }
  return true;
}

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// Parses an XML document (prolog, elements, attributes, text). Returns false with `error` set
// when it is not well-formed; `elements` receives every start tag in document order. With `html`,
// the doctype is skipped, void elements need no end tag and <style> content is raw text.
bool CheckXml(const std::string& xml, std::vector<Element>* elements, std::string* error,
              bool html = false) {
  static const std::vector<std::string> kVoid = {"meta", "br", "hr", "img", "link", "input"};
  if (!CleanUtf8(xml)) return Fail(error, "not clean UTF-8");
  size_t pos = 0;
  if (xml.rfind("<?xml", 0) == 0) pos = xml.find("?>") + 2;
  std::vector<std::string> stack;
  bool seen_root = false;
  while (pos < xml.size()) {
    const size_t lt = xml.find('<', pos);
    const size_t text_end = lt == std::string::npos ? xml.size() : lt;
    if (!ValidCharData(xml, pos, text_end))
      return Fail(error, "bad text at " + std::to_string(pos));
    if (stack.empty() && xml.find_first_not_of(" \t\r\n", pos) < text_end) {
      return Fail(error, "text outside the root");
    }
    if (lt == std::string::npos) break;
    const size_t gt = xml.find('>', lt);
    if (gt == std::string::npos) return Fail(error, "unterminated tag");
    std::string tag = xml.substr(lt + 1, gt - lt - 1);
    pos = gt + 1;
    if (html && !tag.empty() && tag[0] == '!') continue;
    if (!tag.empty() && tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return Fail(error, "mismatched </" + tag);
      stack.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (self_closing) tag.pop_back();
    Element element;
    size_t i = 0;
    while (i < tag.size() && !std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
    element.name = tag.substr(0, i);
    if (element.name.empty()) return Fail(error, "empty tag name");
    while (true) {
      while (i < tag.size() && std::isspace(static_cast<unsigned char>(tag[i]))) ++i;
      if (i >= tag.size()) break;
      const size_t eq = tag.find('=', i);
      if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"') {
        return Fail(error, "bad attribute in <" + tag);
      }
      const size_t close = tag.find('"', eq + 2);
      if (close == std::string::npos) return Fail(error, "unterminated attribute");
      const std::string key = tag.substr(i, eq - i);
      for (const auto& [name, value] : element.attributes) {
        if (name == key) return Fail(error, "duplicate attribute " + key);
      }
      if (!ValidCharData(tag, eq + 2, close)) return Fail(error, "bad attribute value");
      element.attributes.emplace_back(key, tag.substr(eq + 2, close - eq - 2));
      i = close + 1;
    }
    if (stack.empty() && seen_root) return Fail(error, "second root element");
    seen_root = true;
    elements->push_back(element);
    if (html && element.name == "style") pos = xml.find("</style>", pos);
    const bool is_void = std::find(kVoid.begin(), kVoid.end(), element.name) != kVoid.end();
    if (!self_closing && !(html && is_void)) stack.push_back(element.name);
  }
  if (!stack.empty()) return Fail(error, "unclosed <" + stack.back());
  return seen_root || Fail(error, "no root");
}

// ---- Names and reasons ---------------------------------------------------------------------

TEST(ValidateReportTest, NamesAndDecliningReasons) {
  EXPECT_EQ(StepStatusName(StepStatus::kPass), "pass");
  EXPECT_EQ(StepStatusName(StepStatus::kFail), "fail");
  EXPECT_EQ(StepStatusName(StepStatus::kSkipped), "skipped");
  EXPECT_EQ(VerdictName(Verdict::kAccept), "ACCEPT");
  EXPECT_EQ(VerdictName(Verdict::kDecline), "DECLINE");
  const ValidateReport report = MakeReport();
  EXPECT_TRUE(report.models[0].DecliningReasons().empty());
  const std::vector<const Reason*> declining = report.models[1].DecliningReasons();
  ASSERT_EQ(declining.size(), 2u);
  EXPECT_EQ(declining[0]->node, "node 'Conv_3' (#3)");
  EXPECT_EQ(declining[1]->line, 14);
}

TEST(ValidateReportTest, ParseStepDetailsToleratesOddInput) {
  
  for (const char* odd : {"", "{}", "null", "[]", "{not json", "\"text\"", "{\"cases\": 3}",
                          "{\"latency_ms\": [1], \"samples_ms\": [1, \"x\", null, 2]}"}) {
    EXPECT_NO_THROW(ParseStepDetails(odd)) << odd;
  }
  EXPECT_FALSE(ParseStepDetails("{not json").valid);
  EXPECT_EQ(ParseStepDetails(R"({"samples_ms": [1, "x", null, [], 2]})").samples_ms.size(), 2u);
  EXPECT_NO_THROW(ParseStepDetails(R"({"samples_ms": [2e400], "errors": 1e300})"));
  EXPECT_FALSE(ParseStepDetails(std::string(100000, '[') + std::string(100000, ']')).valid);
  const auto details = ParseStepDetails(R"({"errors": 2.0, "warnings": 1.5, "infos": -1})");
  EXPECT_EQ(details.errors, 2);
  EXPECT_FALSE(details.warnings.has_value());
  EXPECT_EQ(details.infos, -1);
}

// ---- Text ----------------------------------------------------------------------------------

TEST(FormatValidateTextTest, VerdictStepsReasonsAndSummary) {
  const std::string text = FormatValidateText(MakeReport());
  const std::vector<std::string> lines = Lines(text);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "zooci validate zoo: DECLINE (1 of 2 models declined, 1 zoo reason)");
  EXPECT_EQ(lines[1], "  zooci 0.3.0, onnxruntime 1.30.0, models changed since origin/main");
  EXPECT_TRUE(Contains(lines, "ACCEPT  validated/vision/classification/digits (added)"));
  EXPECT_TRUE(Contains(lines, "DECLINE validated/vision/mnist (modified)"));
  EXPECT_TRUE(Contains(lines, "  check     pass    0.12 s  no errors (cached)"));
  EXPECT_TRUE(Contains(lines, "    warning: model/digits.onnx initializer 'b' is unused"));
  EXPECT_TRUE(Contains(lines, "  check     fail    0.30 s  1 error"));
  EXPECT_TRUE(Contains(lines,
                       "    - model/mnist-8.onnx input 'w' is produced by nothing "
                       "(node 'Conv_3' (#3))"));
  EXPECT_TRUE(Contains(lines,
                       "    - README.md:14 <script>alert(1)</script> a|b & c > d "
                       "\\x1b[31m\xEF\xBF\xBD\xEF\xBF\xBD\\x0aforged"));
  EXPECT_TRUE(Contains(lines, "  bench     skipped 0.00 s  skipped: --no-bench"));
  EXPECT_TRUE(Contains(lines, "    - README.md:40 README links to the removed model 'squeezenet'"));
  EXPECT_TRUE(Contains(lines, "    warning: ONNX_HUB_MANIFEST.json is not sorted"));
  EXPECT_EQ(lines.back(),
            "2 models reviewed in 12.50 s: 1 accepted, 1 declined; 3 declining reasons, "
            "3 warnings");
  EXPECT_TRUE(CleanUtf8(text));
  for (const std::string& line : lines) EXPECT_NE(line.rfind("forged", 0), 0u);  // not split
}

TEST(FormatValidateTextTest, EmptyReport) {
  const std::vector<std::string> lines = Lines(FormatValidateText(ValidateReport{}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "zooci validate : ACCEPT (no models to review)");
  EXPECT_EQ(lines[1], "  all models");
  EXPECT_EQ(lines[3],
            "0 models reviewed in 0.00 s: 0 accepted, 0 declined; "
            "0 declining reasons, 0 warnings");
}

// ---- JSON ----------------------------------------------------------------------------------

TEST(FormatValidateJsonTest, ParsesAndRoundTripsKeyFields) {
  const ValidateReport report = MakeReport();
  const json doc = json::parse(FormatValidateJson(report));  // throws on invalid JSON or UTF-8
  EXPECT_EQ(doc["verdict"], "DECLINE");
  EXPECT_EQ(doc["zoo"], "zoo");
  EXPECT_EQ(doc["changed_since"], "origin/main");
  EXPECT_EQ(doc["runtime"], "onnxruntime 1.30.0");
  EXPECT_EQ(doc["seconds"], 12.5);
  EXPECT_EQ(doc["summary"]["declined"], 1);
  ASSERT_EQ(doc["models"].size(), 2u);
  const json& digits = doc["models"][0];
  EXPECT_EQ(digits["folder"], report.models[0].folder);
  EXPECT_EQ(digits["change"], "added");
  EXPECT_EQ(digits["verdict"], "ACCEPT");
  EXPECT_EQ(digits["steps"][2]["cached"], true);
  EXPECT_EQ(digits["steps"][4]["details"]["claims"][0]["claimed_percent"], 97.8);
  EXPECT_EQ(digits["steps"][5]["details"]["samples_ms"].size(), 500u);
  const json& mnist = doc["models"][1];
  EXPECT_EQ(mnist["steps"][1]["status"], "fail");
  const json& reason = mnist["steps"][1]["reasons"][0];
  EXPECT_EQ(reason["file"], "model/mnist-8.onnx");
  EXPECT_EQ(reason["node"], "node 'Conv_3' (#3)");
  EXPECT_EQ(reason["declines"], true);
  EXPECT_EQ(mnist["steps"][1]["reasons"][1]["line"], 14);
  EXPECT_EQ(mnist["steps"][1]["reasons"][1]["message"],
            "<script>alert(1)</script> a|b & c > d \x1b[31m\xEF\xBF\xBD\xEF\xBF\xBD\nforged");
  EXPECT_EQ(mnist["steps"][3]["details"], "{not json");  // kept as a string
  EXPECT_EQ(mnist["steps"][4]["status"], "skipped");
  ASSERT_EQ(doc["zoo_reasons"].size(), 2u);
  EXPECT_EQ(doc["zoo_reasons"][1]["declines"], false);
  EXPECT_NO_THROW(json::parse(FormatValidateJson(ValidateReport{})));
}

// ---- Markdown ------------------------------------------------------------------------------

// Cells of a Markdown table row: unescaped '|' separators minus the outer two.
int CellCount(const std::string& row) {
  int pipes = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
    } else if (row[i] == '|') {
      ++pipes;
    }
  }
  return pipes - 1;
}

TEST(FormatValidateMarkdownTest, CommentStructure) {
  const std::string md = FormatValidateMarkdown(MakeReport());
  const std::vector<std::string> lines = Lines(md);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "## ZooCI: ❌ DECLINE");
  EXPECT_EQ(lines[2].rfind("1 of 2 models declined, 1 zoo reason (3 declining reasons", 0), 0u)
      << lines[2];
  EXPECT_TRUE(Contains(lines, "### validated/vision/mnist"));
  EXPECT_TRUE(Contains(lines, "| Step | Result | Time | Summary |"));
  EXPECT_TRUE(Contains(lines, "| check | ✅ pass | 0.12 s | no errors (cached) |"));
  EXPECT_TRUE(Contains(lines,
                       "- **check**: `model/mnist-8.onnx` input 'w' is produced by nothing "
                       "(node 'Conv\\_3' (#&#8203;3))"));
  // Tables: every row of a table has the header's cell count.
  int columns = -1;
  int tables = 0;
  for (const std::string& line : lines) {
    if (line.empty() || line[0] != '|') {
      columns = -1;
      continue;
    }
    if (columns < 0) {
      columns = CellCount(line);
      ++tables;
    }
    EXPECT_EQ(CellCount(line), columns) << line;
  }
  EXPECT_EQ(tables, 3);  // two step tables and the eval claims
  EXPECT_EQ(CountOf(md, "<details>"), CountOf(md, "</details>"));
  EXPECT_EQ(CountOf(md, "<details>"), 2u);
  EXPECT_EQ(md.find("<script"), std::string::npos);
  EXPECT_NE(md.find("&lt;script&gt;alert(1)&lt;/script&gt; a\\|b &amp; c &gt; d"),
            std::string::npos);
  EXPECT_NE(md.find("`README.md:14`"), std::string::npos);
  EXPECT_NE(md.find("p50 1.25 ms, p90 1.5 ms, p99 2 ms"), std::string::npos);
  EXPECT_NE(md.find("`set|1` fail: &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(md.find("| top-1 | 97.8 % | 98 % | ±0.5 pp | ✅ met | README.md:14 |"),
            std::string::npos);
  EXPECT_TRUE(CleanUtf8(md));
  EXPECT_EQ(Lines(FormatValidateMarkdown(ValidateReport{}))[0], "## ZooCI: ✅ ACCEPT");
}

// Text quoted from a submission pings, references and links nothing in the PR comment.
TEST(FormatValidateMarkdownTest, QuotedTextReferencesNothing) {
  ValidateReport report = MakeReport();
  report.models[1].steps[1].reasons.push_back(MakeReason(
      "check", "ask @alice and @org/team, see #12, owner/repo#3, GH-5, commit 1a2b3c4d5e6f7a8, "
               "https://evil.example and www.evil.example"));
  const std::string out = FormatValidateMarkdown(report);
  for (const char* raw : {"@alice", "@org", "#12", "repo#3", "GH-5", "1a2b3c4d5e6f7a8", "https://",
                          "www.evil"}) {
    EXPECT_EQ(out.find(raw), std::string::npos) << raw;
  }
  EXPECT_NE(out.find("@&#8203;alice"), std::string::npos) << out;
  EXPECT_NE(out.find("#&#8203;12"), std::string::npos);
  EXPECT_NE(out.find("1a2b3c&#8203;4d5e6f&#8203;7a8"), std::string::npos);
}

TEST(FormatValidateMarkdownTest, LongListsAreCutAndDeepDetailsKeptAsText) {
  json cases = json::array();
  for (int i = 0; i < 60; ++i) cases.push_back({{"id", std::to_string(i)}, {"status", "fail"}});
  ValidateReport report;
  ModelReview model;
  model.steps.push_back(
      Step("test", StepStatus::kFail, "60 failed", 1, json{{"cases", cases}}.dump()));
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  model.steps.push_back(Step("bench", StepStatus::kPass, "", 1, deep));
  report.models.push_back(model);
  const std::string md = FormatValidateMarkdown(report);
  EXPECT_EQ(CountOf(md, "` fail\n"), 50u);
  EXPECT_NE(md.find("- … and 10 more\n"), std::string::npos);
  EXPECT_EQ(json::parse(FormatValidateJson(report))["models"][0]["steps"][1]["details"], deep);
}

// ---- JUnit ---------------------------------------------------------------------------------

TEST(FormatValidateJunitTest, WellFormedWithMatchingCounts) {
  const std::string xml = FormatValidateJunit(MakeReport());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  std::vector<Element> elements;
  std::string error;
  ASSERT_TRUE(CheckXml(xml, &elements, &error)) << error << "\n" << xml;
  ASSERT_FALSE(elements.empty());
  const Element& root = elements[0];
  EXPECT_EQ(root.name, "testsuites");
  EXPECT_EQ(root.Attribute("name"), "zooci validate");
  size_t testcases = 0, failures = 0, skipped = 0;
  std::vector<std::string> suites;
  for (const Element& element : elements) {
    testcases += element.name == "testcase";
    failures += element.name == "failure";
    skipped += element.name == "skipped";
    if (element.name == "testsuite") suites.push_back(element.Attribute("name"));
  }
  EXPECT_EQ(root.Attribute("tests"), std::to_string(testcases));
  EXPECT_EQ(root.Attribute("failures"), std::to_string(failures));
  EXPECT_EQ(root.Attribute("skipped"), std::to_string(skipped));
  EXPECT_EQ(root.Attribute("time"), "12.500");
  EXPECT_EQ(testcases, 12u);  // 6 + 5 steps, and the zoo
  EXPECT_EQ(failures, 3u);    // check, test, zoo
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(suites, (std::vector<std::string>{"validated/vision/classification/digits",
                                              "validated/vision/mnist", "zoo"}));
  EXPECT_NE(xml.find("<testcase classname=\"validated/vision/mnist\" name=\"check\" time=\"0.300\">"
                     "\n      <failure message=\"1 error\" type=\"DECLINE\">"),
            std::string::npos);
  EXPECT_NE(xml.find("README.md:14 &lt;script&gt;alert(1)&lt;/script&gt; a|b &amp; c &gt; d "
                     "[31m\xEF\xBF\xBD\xEF\xBF\xBD\nforged"),
            std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"skipped: --no-bench\"/>"), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
}

TEST(FormatValidateJunitTest, DeclinedModelWithoutFailedStepStillFails) {
  ValidateReport report;
  report.verdict = Verdict::kDecline;
  ModelReview model;
  model.folder = "m";
  model.verdict = Verdict::kDecline;
  report.models.push_back(model);
  std::vector<Element> elements;
  std::string error;
  ASSERT_TRUE(CheckXml(FormatValidateJunit(report), &elements, &error)) << error;
  EXPECT_EQ(elements[0].Attribute("failures"), "1");
  elements.clear();
  ASSERT_TRUE(CheckXml(FormatValidateJunit(ValidateReport{}), &elements, &error)) << error;
  EXPECT_EQ(elements[0].Attribute("tests"), "0");
}

// ---- HTML ----------------------------------------------------------------------------------

TEST(FormatValidateHtmlTest, SelfContainedPage) {
  const std::string html = FormatValidateHtml(MakeReport());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0u);
  EXPECT_NE(html.find("<span class=\"badge decline\">DECLINE</span></h1>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge accept\">ACCEPT</span>"), std::string::npos);
  EXPECT_EQ(CountOf(html, "<svg"), 1u);  // the one bench step with samples
  std::string lower = html;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("src="), std::string::npos);
  EXPECT_EQ(lower.find("href="), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("\\x1b[31m"), std::string::npos);
  EXPECT_NE(html.find("p50 1.25 ms · p90 1.5 ms · p99 2 ms"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"pass\">met</td>"), std::string::npos);
  EXPECT_LT(html.find("<code>set|1</code>"), html.find("<code>set_0</code>"));  // failures first
  EXPECT_TRUE(CleanUtf8(html));
  std::vector<Element> elements;
  std::string error;
  ASSERT_TRUE(CheckXml(html, &elements, &error, /*html=*/true)) << error;
  EXPECT_EQ(elements[0].name, "html");
  EXPECT_EQ(std::count_if(elements.begin(), elements.end(),
                          [](const Element& e) { return e.name == "section"; }),
            3);  // zoo and two models
  EXPECT_TRUE(CheckXml(FormatValidateHtml(ValidateReport{}), &elements, &error, true)) << error;
}

// ---- Any input -----------------------------------------------------------------------------

// Each reason is one workflow command on its file and line; nothing from a message can end the
// command early or start another (GitHub's toolkit escaping: % CR LF in data, also : , in
// properties).
TEST(FormatValidateGithubTest, OneCommandPerReasonAndNoInjection) {
  ValidateReport report = MakeReport();
  report.models[1].steps[1].reasons.push_back(
      MakeReason("check", "50% done\n::error::forged\r", "dir,a:b/model.onnx", 3));
  const std::string out = FormatValidateGithub(report, "zoo/");
  std::vector<std::string> lines;
  for (size_t start = 0; start < out.size();) {
    size_t end = out.find('\n', start);
    lines.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  for (const std::string& line : lines) {
    EXPECT_TRUE(line.rfind("::error ", 0) == 0 || line.rfind("::warning ", 0) == 0 ||
                line.rfind("::notice ", 0) == 0)
        << line;
    EXPECT_NE(line.rfind("::error::forged", 0), 0u) << line;  // never at a line start
  }
  EXPECT_NE(out.find("::error file=zoo/README.md,line=14,"), std::string::npos)
      << out;  // the hostile message's file, prefixed
  EXPECT_NE(out.find("::error file=zoo/dir%2Ca%3Ab/model.onnx,line=3,title=validated/vision/mnist "
                     "(check%2C declines)::50%25 done%0A::error::forged"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("::warning file=zoo/model/digits.onnx"), std::string::npos) << out;
  EXPECT_EQ(lines.back().rfind("::error title=zooci validate::DECLINE: ", 0), 0u) << lines.back();
  EXPECT_EQ(out.find('\x1b'), std::string::npos);  // control characters dropped
}

TEST(ValidateReportsTest, RandomBytesNeverBreakTheFormats) {
  std::mt19937 random(20240611);
  auto bytes = [&random] {
    std::string text(random() % 24, '\0');
    for (char& c : text) c = static_cast<char>(random() % 256);
    return text;
  };
  for (int round = 0; round < 50; ++round) {
    ValidateReport report;
    report.zoo = bytes();
    report.changed_since = bytes();
    report.runtime = bytes();
    report.seconds = round % 7 == 0 ? std::nan("") : -1.0 * round;
    report.verdict = round % 2 ? Verdict::kDecline : Verdict::kAccept;
    for (int m = 0; m < 2; ++m) {
      ModelReview model;
      model.folder = bytes();
      model.change = bytes();
      model.verdict = m ? Verdict::kDecline : Verdict::kAccept;
      for (int s = 0; s < 3; ++s) {
        StepResult step = Step(bytes(), static_cast<StepStatus>(random() % 3), bytes(), 1e300,
                               s == 0 ? bytes() : BenchDetails(s));
        step.reasons.push_back(MakeReason(bytes(), bytes(), bytes(), static_cast<int>(random()),
                                          bytes(), random() % 2));
        model.steps.push_back(step);
      }
      report.models.push_back(model);
    }
    report.zoo_reasons.push_back(MakeReason("zoo", bytes(), bytes(), -3, bytes(), random() % 2));

    EXPECT_TRUE(CleanUtf8(FormatValidateText(report)));
    EXPECT_NO_THROW(json::parse(FormatValidateJson(report)));
    EXPECT_TRUE(CleanUtf8(FormatValidateMarkdown(report)));
    std::vector<Element> elements;
    std::string error;
    EXPECT_TRUE(CheckXml(FormatValidateJunit(report), &elements, &error)) << error;
    const std::string html = FormatValidateHtml(report);
    EXPECT_TRUE(CheckXml(html, &elements, &error, /*html=*/true)) << error;
  }
}

}  // namespace
}  // namespace zooci
