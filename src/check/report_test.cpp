// Tests for the checker's report writers (report.cpp): exact text lines, the JSON document's keys
// and counts, and SARIF 2.1.0's required structure, checked by a small offline validator.
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "check/check.h"

namespace zooci {
namespace {

using json = nlohmann::json;

// A diagnostic with the rule's default severity and hint unless given.
Diagnostic Diag(RuleId id, std::string message, Location location, std::string hint = "") {
  const Rule& rule = GetRule(id);
  return {id, rule.severity, std::move(message), std::move(location),
          hint.empty() ? std::string(rule.hint) : std::move(hint)};
}

Location GraphLoc(std::string field = "") {
  Location location;
  location.graph = "main";
  location.field = std::move(field);
  return location;
}

Location NodeLoc(std::string name, int64_t index, std::string op_type, std::string field = "") {
  Location location = GraphLoc(std::move(field));
  location.node_name = std::move(name);
  location.node_index = index;
  location.op_type = std::move(op_type);
  return location;
}

// 3 errors, 2 warnings, 1 info; one diagnostic inside a subgraph of a model-local function.
ModelReport ResnetReport() {
  ModelReport report;
  report.path = "models/resnet.onnx";
  report.ir_version = 8;
  report.opset_import = {{"", 13}, {"com.microsoft", 1}};
  Location in_function = NodeLoc("", 0, "MatMul");
  in_function.function = "local::f";
  in_function.subgraph_path = "If_1#1.then_branch";
  Location function_only = GraphLoc();
  function_only.function = "local::f";
  report.diagnostics = {
      Diag(RuleId::kDanglingInput, "'w' is produced by nothing",
           NodeLoc("Conv_3", 3, "Conv", "input[1]")),
      Diag(RuleId::kDuplicateDefinition, "'t' is also the output of node 'Relu_1'",
           GraphLoc("initializer 't'"), "Rename the initializer 't'."),
      Diag(RuleId::kUnusedInitializer, "'b' is used by no node", GraphLoc("initializer 'b'")),
      Diag(RuleId::kUnusedFunction, "no node calls it", function_only),
      Diag(RuleId::kUnusedOpsetImport, "domain 'com.microsoft' is imported but never used",
           GraphLoc("opset_import")),
      Diag(RuleId::kInferenceError, "[ShapeInferenceError] incompatible dimensions", in_function),
  };
  return report;
}

ModelReport CleanReport() {
  ModelReport report;
  report.path = "models/clean.onnx";
  report.ir_version = 9;
  report.opset_import = {{"", 17}};
  return report;
}

// One diagnostic with no location at all.
ModelReport BrokenReport() {
  ModelReport report;
  report.path = "broken.onnx";
  report.diagnostics = {Diag(RuleId::kUnparseableModel, "the file is empty", Location{})};
  return report;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  EXPECT_EQ(start, text.size()) << "text must end with a newline";
  return lines;
}

// ---- SARIF 2.1.0 structure validator -----------------------------------------------------------

bool IsString(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string();
}

bool ValidLevel(const json& level) {
  static const std::set<std::string> kLevels = {"none", "note", "warning", "error"};
  return level.is_string() && kLevels.count(level.get<std::string>()) == 1;
}

// RFC 3986 URI-reference: only unreserved, reserved and "%" HEX HEX; a scheme, if any, is
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool ValidUriReference(const std::string& uri) {
  static const std::string kAllowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=";
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%') {
      if (i + 2 >= uri.size() || !std::isxdigit(static_cast<unsigned char>(uri[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(uri[i + 2])))
        return false;
      i += 2;
    } else if (kAllowed.find(uri[i]) == std::string::npos) {
      return false;
    }
  }
  size_t colon = uri.find(':');
  if (colon != std::string::npos && colon < uri.find_first_of("/?#")) {
    if (colon == 0 || !std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
    for (size_t i = 1; i < colon; ++i) {
      if (!std::isalnum(static_cast<unsigned char>(uri[i])) &&
          std::string("+-.").find(uri[i]) == std::string::npos)
        return false;
    }
  }
  return true;
}

// Returns one message per violation of SARIF 2.1.0's required structure (empty when valid).
std::vector<std::string> ValidateSarif(const json& log) {
  std::vector<std::string> errors;
  auto fail = [&errors](std::string message) { errors.push_back(std::move(message)); };
  if (!IsString(log, "version") || log["version"] != "2.1.0") fail("version is not \"2.1.0\"");
  if (!log.is_object() || !log.contains("runs") || !log["runs"].is_array()) {
    fail("runs is not an array");
    return errors;
  }
  for (const json& run : log["runs"]) {
    if (!run.contains("tool") || !run["tool"].contains("driver") ||
        !IsString(run["tool"]["driver"], "name")) {
      fail("run without tool.driver.name");
      continue;
    }
    const json& driver = run["tool"]["driver"];
    json rules = driver.value("rules", json::array());
    std::set<std::string> rule_ids;
    for (const json& rule : rules) {
      if (!IsString(rule, "id")) {
        fail("rule without id");
        continue;
      }
      if (!rule_ids.insert(rule["id"].get<std::string>()).second)
        fail("duplicate rule id " + rule["id"].get<std::string>());
      if (rule.contains("defaultConfiguration") &&
          !ValidLevel(rule["defaultConfiguration"].value("level", json())))
        fail("rule " + rule["id"].get<std::string>() + ": invalid defaultConfiguration.level");
    }
    json artifacts = run.value("artifacts", json::array());
    for (const json& artifact : artifacts) {
      if (!artifact.contains("location") || !IsString(artifact["location"], "uri") ||
          !ValidUriReference(artifact["location"]["uri"]))
        fail("artifact without a valid location.uri");
    }
    if (!run.contains("results")) continue;  // results is optional (a run that did not analyze)
    if (!run["results"].is_array()) fail("results is not an array");
    for (const json& result : run["results"]) {
      if (!result.contains("message") || !IsString(result["message"], "text") ||
          result["message"]["text"].get<std::string>().empty())
        fail("result without a non-empty message.text");
      if (!IsString(result, "ruleId") || rule_ids.count(result["ruleId"]) == 0) {
        fail("result ruleId not among tool.driver.rules");
      } else if (result.contains("ruleIndex")) {
        const json& index = result["ruleIndex"];
        if (!index.is_number_unsigned() || index.get<size_t>() >= rules.size() ||
            rules[index.get<size_t>()]["id"] != result["ruleId"])
          fail("ruleIndex does not point at rule " + result["ruleId"].get<std::string>());
      }
      if (result.contains("level") && !ValidLevel(result["level"])) fail("invalid result level");
      for (const json& location : result.value("locations", json::array())) {
        if (!location.contains("physicalLocation")) continue;
        const json& artifact = location["physicalLocation"].value("artifactLocation", json());
        if (!IsString(artifact, "uri") || !ValidUriReference(artifact["uri"]))
          fail("artifactLocation.uri is not a URI reference: " + artifact.dump());
        if (artifact.contains("index") && (!artifact["index"].is_number_unsigned() ||
                                           artifact["index"].get<size_t>() >= artifacts.size()))
          fail("artifactLocation.index refers to no artifact");
      }
      json fingerprints = result.value("partialFingerprints", json::object());
      for (const auto& [key, value] : fingerprints.items())
        if (!value.is_string()) fail("partialFingerprints[" + key + "] is not a string");
    }
  }
  return errors;
}

// ---- Text --------------------------------------------------------------------------------------

TEST(FormatCheckTextTest, ExactLinesForSeveralModels) {
  std::vector<std::string> lines =
      Lines(FormatCheckText({ResnetReport(), CleanReport(), BrokenReport()}));
  std::vector<std::string> expected = {
      "models/resnet.onnx: error[ZC0203 dangling-input] node 'Conv_3' (#3) input[1] 'w' is "
      "produced by nothing",
      "  hint: " + std::string(GetRule(RuleId::kDanglingInput).hint),
      "models/resnet.onnx: error[ZC0202 duplicate-definition] initializer 't': 't' is also the "
      "output of node 'Relu_1'",
      "  hint: Rename the initializer 't'.",
      "models/resnet.onnx: warning[ZC0211 unused-initializer] initializer 'b': 'b' is used by no "
      "node",
      "  hint: " + std::string(GetRule(RuleId::kUnusedInitializer).hint),
      "models/resnet.onnx: warning[ZC0705 unused-function] function 'local::f': no node calls it",
      "  hint: " + std::string(GetRule(RuleId::kUnusedFunction).hint),
      "models/resnet.onnx: info[ZC0113 unused-opset-import] opset_import: domain 'com.microsoft' "
      "is imported but never used",
      "  hint: " + std::string(GetRule(RuleId::kUnusedOpsetImport).hint),
      "models/resnet.onnx: error[ZC0601 inference-error] function 'local::f' subgraph "
      "'If_1#1.then_branch' node '' (#0) [ShapeInferenceError] incompatible dimensions",
      "  hint: " + std::string(GetRule(RuleId::kInferenceError).hint),
      "models/resnet.onnx: 3 errors, 2 warnings, 1 info",
      "models/clean.onnx: ok",
      "broken.onnx: error[ZC0001 unparseable-model] the file is empty",
      "  hint: " + std::string(GetRule(RuleId::kUnparseableModel).hint),
      "broken.onnx: 1 error, 0 warnings, 0 infos",
      "checked 3 models: 4 errors, 2 warnings, 1 info",
  };
  EXPECT_EQ(lines, expected);
}

TEST(FormatCheckTextTest, SingleModelHasNoTotalLine) {
  EXPECT_EQ(FormatCheckText({CleanReport()}), "models/clean.onnx: ok\n");
  EXPECT_EQ(FormatCheckText({}), "");
  ModelReport report = ResnetReport();
  report.diagnostics.erase(report.diagnostics.begin() + 1, report.diagnostics.begin() + 3);
  report.diagnostics.pop_back();
  std::vector<std::string> lines = Lines(FormatCheckText({report}));
  EXPECT_EQ(lines.back(), "models/resnet.onnx: 1 error, 1 warning, 1 info");
}

TEST(FormatCheckTextTest, EscapesControlCharactersFromTheModel) {
  ModelReport report = CleanReport();
  report.diagnostics = {Diag(RuleId::kDanglingInput,
                             "'a\nmodels/clean.onnx: ok\x1b[2J' is produced by nothing",
                             NodeLoc("n\r", 0, "Add", "input[0]"))};
  std::vector<std::string> lines = Lines(FormatCheckText({report}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "models/clean.onnx: error[ZC0203 dangling-input] node 'n\\x0d' (#0) input[0] "
            "'a\\x0amodels/clean.onnx: ok\\x1b[2J' is produced by nothing");
}

// ---- JSON --------------------------------------------------------------------------------------

TEST(FormatCheckJsonTest, DocumentedKeysAndCounts) {
  std::string text = FormatCheckJson({ResnetReport(), CleanReport()});
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("\n  \"models\""), std::string::npos) << "2-space indent";
  json doc = json::parse(text);
  EXPECT_EQ(doc["summary"], json({{"models", 2}, {"errors", 3}, {"warnings", 2}, {"infos", 1}}));
  ASSERT_EQ(doc["models"].size(), 2u);

  const json& resnet = doc["models"][0];
  EXPECT_EQ(resnet["path"], "models/resnet.onnx");
  EXPECT_EQ(resnet["ir_version"], 8);
  EXPECT_EQ(resnet["opset_import"], json::parse(R"([{"domain": "", "version": 13},
                                                    {"domain": "com.microsoft", "version": 1}])"));
  EXPECT_EQ(resnet["summary"], json({{"errors", 3}, {"warnings", 2}, {"infos", 1}}));
  ASSERT_EQ(resnet["diagnostics"].size(), 6u);

  const json& dangling = resnet["diagnostics"][0];
  EXPECT_EQ(dangling["rule"], "ZC0203");
  EXPECT_EQ(dangling["name"], "dangling-input");
  EXPECT_EQ(dangling["category"], "graph");
  EXPECT_EQ(dangling["severity"], "error");
  EXPECT_EQ(dangling["message"], "'w' is produced by nothing");
  EXPECT_EQ(dangling["hint"], GetRule(RuleId::kDanglingInput).hint);
  EXPECT_EQ(dangling["location"], json::parse(R"({"graph": "main", "field": "input[1]",
      "node": {"name": "Conv_3", "index": 3, "op_type": "Conv"}})"));

  // Graph-level: no node, no subgraph_path, no function.
  EXPECT_EQ(resnet["diagnostics"][2]["location"],
            json({{"graph", "main"}, {"field", "initializer 'b'"}}));
  EXPECT_EQ(resnet["diagnostics"][4]["severity"], "info");
  EXPECT_EQ(resnet["diagnostics"][5]["location"], json::parse(R"({"graph": "main",
      "function": "local::f", "subgraph_path": "If_1#1.then_branch",
      "node": {"name": "", "index": 0, "op_type": "MatMul"}})"));

  const json& clean = doc["models"][1];
  EXPECT_EQ(clean["diagnostics"], json::array());
  EXPECT_EQ(clean["summary"], json({{"errors", 0}, {"warnings", 0}, {"infos", 0}}));
}

TEST(FormatCheckJsonTest, LocationWithNothingHasOnlyGraph) {
  json doc = json::parse(FormatCheckJson({BrokenReport()}));
  EXPECT_EQ(doc["models"][0]["diagnostics"][0]["location"], json({{"graph", ""}}));
  EXPECT_EQ(doc["summary"]["models"], 1);
}

TEST(FormatCheckJsonTest, InvalidUtf8BecomesReplacementCharacter) {
  ModelReport report = CleanReport();
  report.path = "bad\xff.onnx";
  report.diagnostics = {Diag(RuleId::kDanglingInput, "'\xfe\xff' is produced by nothing",
                             NodeLoc("n\xc3", 0, "Add", "input[0]"))};
  std::string text = FormatCheckJson({report});
  json doc = json::parse(text);  // throws on invalid UTF-8
  EXPECT_EQ(doc["models"][0]["path"], "bad\xEF\xBF\xBD.onnx");
  EXPECT_EQ(doc["models"][0]["diagnostics"][0]["message"],
            "'\xEF\xBF\xBD\xEF\xBF\xBD' is produced by nothing");
}

// ---- SARIF -------------------------------------------------------------------------------------

TEST(FormatCheckSarifTest, PassesStructureValidation) {
  std::string text = FormatCheckSarif({ResnetReport(), CleanReport(), BrokenReport()}, "1.4.0");
  EXPECT_EQ(text.back(), '\n');
  json log = json::parse(text);
  EXPECT_EQ(ValidateSarif(log), std::vector<std::string>());
  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(log["runs"].size(), 1u);
  const json& run = log["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "zooci");
  EXPECT_EQ(driver["version"], "1.4.0");
  EXPECT_EQ(driver["informationUri"], "https://github.com/zooci/zooci");

  // Only the rules that fired, sorted by ID.
  std::vector<std::string> ids;
  for (const json& rule : driver["rules"]) ids.push_back(rule["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"ZC0001", "ZC0113", "ZC0202", "ZC0203", "ZC0211",
                                           "ZC0601", "ZC0705"}));
  const json& dangling = driver["rules"][3];
  EXPECT_EQ(dangling["name"], "dangling-input");
  EXPECT_EQ(dangling["shortDescription"]["text"], GetRule(RuleId::kDanglingInput).summary);
  EXPECT_EQ(dangling["fullDescription"]["text"], GetRule(RuleId::kDanglingInput).summary);
  EXPECT_NE(dangling["help"]["text"].get<std::string>().find(GetRule(RuleId::kDanglingInput).hint),
            std::string::npos);
  EXPECT_NE(dangling["help"]["markdown"].get<std::string>().find("```"), std::string::npos);
  EXPECT_EQ(dangling["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(dangling["properties"], json::parse(R"({"category": "graph", "tags": ["graph"]})"));
  EXPECT_EQ(driver["rules"][1]["defaultConfiguration"]["level"], "note");  // info -> note

  // One artifact per model, with or without results.
  EXPECT_EQ(run["artifacts"], json::parse(R"([{"location": {"uri": "models/resnet.onnx"}},
      {"location": {"uri": "models/clean.onnx"}}, {"location": {"uri": "broken.onnx"}}])"));

  ASSERT_EQ(run["results"].size(), 7u);
  const json& first = run["results"][0];
  EXPECT_EQ(first["ruleId"], "ZC0203");
  EXPECT_EQ(first["ruleIndex"], 3);
  EXPECT_EQ(first["level"], "error");
  EXPECT_EQ(first["message"]["text"], "node 'Conv_3' (#3) input[1] 'w' is produced by nothing");
  const json& location = first["locations"][0];
  EXPECT_EQ(location["physicalLocation"],
            json::parse(R"({"artifactLocation": {"uri": "models/resnet.onnx", "index": 0}})"));
  EXPECT_EQ(location["logicalLocations"],
            json::parse(R"([{"fullyQualifiedName": "main/Conv_3", "kind": "member"}])"));
  EXPECT_EQ(run["results"][4]["level"], "note");
  EXPECT_EQ(run["results"][2]["locations"][0]["logicalLocations"][0],
            json({{"fullyQualifiedName", "main"}, {"kind", "module"}}));
  EXPECT_EQ(run["results"][5]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "main/local::f/If_1#1.then_branch/#0");
  // No location at all: message only, no logical location; artifact index of broken.onnx.
  const json& broken = run["results"][6];
  EXPECT_EQ(broken["message"]["text"], "the file is empty");
  EXPECT_FALSE(broken["locations"][0].contains("logicalLocations"));
  EXPECT_EQ(broken["locations"][0]["physicalLocation"]["artifactLocation"]["index"], 2);
}

TEST(FormatCheckSarifTest, NothingFiredStillHasRulesAndResults) {
  json log = json::parse(FormatCheckSarif({CleanReport()}, "1.4.0"));
  EXPECT_EQ(ValidateSarif(log), std::vector<std::string>());
  EXPECT_EQ(log["runs"][0]["tool"]["driver"]["rules"], json::array());
  EXPECT_EQ(log["runs"][0]["results"], json::array());
  EXPECT_EQ(log["runs"][0]["artifacts"].size(), 1u);
}

TEST(FormatCheckSarifTest, FingerprintsAreStableAndDistinct) {
  json a = json::parse(FormatCheckSarif({ResnetReport()}, "1"));
  json b = json::parse(FormatCheckSarif({ResnetReport()}, "2"));
  std::set<std::string> seen;
  for (size_t i = 0; i < a["runs"][0]["results"].size(); ++i) {
    const json& fingerprint = a["runs"][0]["results"][i]["partialFingerprints"]["zooci/v1"];
    EXPECT_EQ(fingerprint, b["runs"][0]["results"][i]["partialFingerprints"]["zooci/v1"]);
    EXPECT_EQ(fingerprint.get<std::string>().size(), 16u);
    EXPECT_TRUE(seen.insert(fingerprint).second);
  }
  // Pinned: FNV-1a 64 of "ZC0203\0models/resnet.onnx\0node 'Conv_3' (#3) input[1]\0'w' is produced
  // by nothing\0". Changing the scheme re-opens every alert on GitHub; bump "zooci/v1" instead.
  EXPECT_EQ(a["runs"][0]["results"][0]["partialFingerprints"]["zooci/v1"], "99469c354b74a03d");
}

TEST(FormatCheckSarifTest, PathsWithSpacesAndInvalidUtf8) {
  ModelReport relative = ResnetReport();
  relative.path = "my models/res net#1.onnx";
  relative.diagnostics[0].location.node_name = "Conv\xff\xfe";
  relative.diagnostics[0].message = "'w\xc3' is produced by nothing";
  ModelReport absolute = CleanReport();
  absolute.path = "/data/zoo/a b\xff\\c.onnx";
  absolute.diagnostics = {Diag(RuleId::kMissingProducer, "producer_name is empty", GraphLoc())};
  ModelReport colon = BrokenReport();
  colon.path = "c:model.onnx";

  std::string text = FormatCheckSarif({relative, absolute, colon}, "1.4.0");
  json log = json::parse(text);  // throws on invalid UTF-8
  EXPECT_EQ(ValidateSarif(log), std::vector<std::string>());
  const json& run = log["runs"][0];
  EXPECT_EQ(run["artifacts"][0]["location"]["uri"], "my%20models/res%20net%231.onnx");
  EXPECT_EQ(run["artifacts"][1]["location"]["uri"], "file:///data/zoo/a%20b%FF%5Cc.onnx");
  EXPECT_EQ(run["artifacts"][2]["location"]["uri"], "c%3Amodel.onnx");
  EXPECT_EQ(run["results"][0]["message"]["text"],
            "node 'Conv\xEF\xBF\xBD\xEF\xBF\xBD' (#3) input[1] 'w\xEF\xBF\xBD' is produced by "
            "nothing");
  EXPECT_EQ(run["results"][6]["locations"][0]["physicalLocation"]["artifactLocation"],
            json({{"uri", "file:///data/zoo/a%20b%FF%5Cc.onnx"}, {"index", 1}}));
}

// The validator must reject what it claims to check, or the tests above prove nothing.
TEST(SarifValidatorTest, RejectsBrokenLogs) {
  json good = json::parse(FormatCheckSarif({ResnetReport()}, "1.4.0"));
  ASSERT_EQ(ValidateSarif(good), std::vector<std::string>());
  auto broken = [&good](auto mutate) {
    json log = good;
    mutate(log["runs"][0]);
    return ValidateSarif(log).size();
  };
  EXPECT_GT(broken([](json& run) { run["results"][0]["ruleIndex"] = 0; }), 0u);
  EXPECT_GT(broken([](json& run) { run["results"][0]["ruleId"] = "ZC9999"; }), 0u);
  EXPECT_GT(broken([](json& run) { run["results"][0]["level"] = "info"; }), 0u);
  EXPECT_GT(broken([](json& run) { run["results"][0]["message"]["text"] = ""; }), 0u);
  EXPECT_GT(broken([](json& run) { run["tool"]["driver"].erase("name"); }), 0u);
  EXPECT_GT(broken([](json& run) {
              run["tool"]["driver"]["rules"][1] = run["tool"]["driver"]["rules"][0];
            }),
            0u);
  EXPECT_GT(broken([](json& run) {
              run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] = "info";
            }),
            0u);
  EXPECT_GT(broken([](json& run) {
              run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
                  "a b.onnx";
            }),
            0u);
  EXPECT_GT(broken([](json& run) {
              run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
                  "a\\b.onnx";
            }),
            0u);
  EXPECT_GT(broken([](json& run) {
              run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["index"] =
                  5;
            }),
            0u);
  json wrong_version = good;
  wrong_version["version"] = "2.0.0";
  EXPECT_GT(ValidateSarif(wrong_version).size(), 0u);
  EXPECT_FALSE(ValidUriReference("1c:model.onnx"));
  EXPECT_FALSE(ValidUriReference("a%2"));
  EXPECT_TRUE(ValidUriReference("file:///a%20b.onnx"));
}

}  // namespace
}  // namespace zooci
