// The checker's report writers: compiler-style text, JSON and SARIF 2.1.0.
//
// Contract: every writer accepts any ModelReport, including names and messages holding bytes
// copied from a hostile model (control characters, invalid UTF-8). Text output escapes control
// characters so a model cannot forge lines or terminal escapes; JSON and SARIF output is always
// valid UTF-8 (invalid bytes become U+FFFD) and never throws.
#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "check/check.h"

namespace zooci {
namespace {

using json = nlohmann::json;

// ---- Shared helpers ----------------------------------------------------------------------------

std::string Plural(int count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string CountsText(const DiagnosticCounts& counts) {
  return Plural(counts.errors, "error") + ", " + Plural(counts.warnings, "warning") + ", " +
         Plural(counts.infos, "info");
}

void Accumulate(const DiagnosticCounts& counts, DiagnosticCounts* total) {
  total->errors += counts.errors;
  total->warnings += counts.warnings;
  total->infos += counts.infos;
}

// "<location.Describe()> <message>" without a leading, trailing or doubled separator. A node's
// location reads as the message's subject ("node 'c' (#3) input[1] 'w' is ..."); a model or
// graph field is a label ("ir_version: the model has no ir_version").
std::string LocatedMessage(const Diagnostic& diagnostic) {
  std::string where = diagnostic.location.Describe();
  std::string separator = diagnostic.location.node_index >= 0 ? " " : ": ";
  std::string text = where.empty() || diagnostic.message.empty()
                         ? where + diagnostic.message
                         : where + separator + diagnostic.message;
  return std::string(Trim(text));
}

// Serializes without throwing on invalid UTF-8 (bytes from the model become U+FFFD).
std::string DumpJson(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// ---- Text --------------------------------------------------------------------------------------

// Replaces ASCII control characters (including newline and ESC) with "\xNN" so that bytes from a
// model can neither split a diagnostic into several lines nor drive the terminal.
std::string EscapeControl(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

// ---- JSON --------------------------------------------------------------------------------------

json CountsJson(const DiagnosticCounts& counts) {
  return {{"errors", counts.errors}, {"warnings", counts.warnings}, {"infos", counts.infos}};
}

// `graph` always; the other members only when they apply.
json LocationJson(const Location& location) {
  json object = {{"graph", location.graph}};
  if (!location.subgraph_path.empty()) object["subgraph_path"] = location.subgraph_path;
  if (!location.function.empty()) object["function"] = location.function;
  if (location.node_index >= 0) {
    object["node"] = {{"name", location.node_name},
                      {"index", location.node_index},
                      {"op_type", location.op_type}};
  }
  if (!location.field.empty()) object["field"] = location.field;
  return object;
}

json DiagnosticJson(const Diagnostic& diagnostic) {
  const Rule& rule = GetRule(diagnostic.rule);
  return {{"rule", RuleCode(diagnostic.rule)},
          {"name", rule.name},
          {"category", CategoryName(rule.category)},
          {"severity", SeverityName(diagnostic.severity)},
          {"message", diagnostic.message},
          {"location", LocationJson(diagnostic.location)},
          {"hint", diagnostic.hint}};
}

// ---- SARIF -------------------------------------------------------------------------------------

std::string_view SarifLevel(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "error";
}

// A file path as a URI reference (RFC 3986). Relative paths stay relative; absolute paths become
// file:// URIs. Every byte other than an unreserved character or '/' is percent-encoded, so the
// result is ASCII, has no spaces or backslashes, and a ':' in the first segment cannot be read as
// a scheme.
std::string PathToUri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = StartsWith(path, "/") ? "file://" : "";
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || c == '/') {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 0xf];
    }
  }
  return uri;
}

// FNV-1a 64-bit over the parts, each terminated by NUL; stable across compilers and runs.
std::string Fingerprint(const std::vector<std::string_view>& parts) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  };
  for (std::string_view part : parts) {
    for (char c : part) mix(static_cast<unsigned char>(c));
    mix(0);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

// "graph[/function][/subgraph_path][/node]"; a node is named by its name, or "#index" without
// one. The function precedes the subgraph path because a subgraph can sit inside a function body
// (Describe() orders them the same way). Empty when nothing is known (e.g. unparseable model).
std::string FullyQualifiedName(const Location& location) {
  std::vector<std::string> parts;
  for (const std::string* part : {&location.graph, &location.function, &location.subgraph_path}) {
    if (!part->empty()) parts.push_back(*part);
  }
  if (location.node_index >= 0) {
    parts.push_back(location.node_name.empty() ? "#" + std::to_string(location.node_index)
                                               : location.node_name);
  }
  return JoinStrings(parts, "/");
}

std::string HelpText(const Rule& rule) {
  return std::string(rule.hint) + "\n\nFails:\n" + std::string(rule.failing_example) +
         "\n\nPasses:\n" + std::string(rule.passing_example);
}

std::string HelpMarkdown(const Rule& rule) {
  return std::string(rule.hint) + "\n\n**Fails:**\n\n```\n" + std::string(rule.failing_example) +
         "\n```\n\n**Passes:**\n\n```\n" + std::string(rule.passing_example) + "\n```";
}

json SarifRule(const Rule& rule) {
  std::string_view category = CategoryName(rule.category);
  return {{"id", RuleCode(rule.id)},
          {"name", rule.name},
          {"shortDescription", {{"text", rule.summary}}},
          {"fullDescription", {{"text", rule.summary}}},
          {"help", {{"text", HelpText(rule)}, {"markdown", HelpMarkdown(rule)}}},
          {"defaultConfiguration", {{"level", SarifLevel(rule.severity)}}},
          {"properties", {{"category", category}, {"tags", json::array({category})}}}};
}

json SarifResult(const ModelReport& report, const Diagnostic& diagnostic, size_t rule_index,
                 size_t artifact_index) {
  std::string code = RuleCode(diagnostic.rule);
  std::string text = LocatedMessage(diagnostic);
  // SARIF requires a non-empty message; a diagnostic without one falls back to the rule's name.
  if (text.empty()) text = std::string(GetRule(diagnostic.rule).name);

  // ONNX files are binary protobuf: there is no line/column to point at, so the physical location
  // names the file only and carries no "region". SARIF 2.1.0 makes region optional and GitHub code
  // scanning accepts such results (shown at the file level); the node is in logicalLocations.
  json location = {
      {"physicalLocation",
       {{"artifactLocation", {{"uri", PathToUri(report.path)}, {"index", artifact_index}}}}}};
  std::string name = FullyQualifiedName(diagnostic.location);
  if (!name.empty()) {
    // SARIF has no "node" kind: a node is a "member" of its graph, a graph is a "module".
    location["logicalLocations"] =
        json::array({{{"fullyQualifiedName", name},
                      {"kind", diagnostic.location.node_index >= 0 ? "member" : "module"}}});
  }

  json result = {{"ruleId", code},
                 {"ruleIndex", rule_index},
                 {"level", SarifLevel(diagnostic.severity)},
                 {"message", {{"text", text}}},
                 {"locations", json::array({location})},
                 {"partialFingerprints",
                  {{"zooci/v1", Fingerprint({code, report.path, diagnostic.location.Describe(),
                                             diagnostic.message})}}}};
  // The finding's own hint may be more specific than the rule's help text.
  if (!diagnostic.hint.empty()) result["properties"] = {{"hint", diagnostic.hint}};
  return result;
}

}  // namespace

std::string FormatCheckText(const std::vector<ModelReport>& reports) {
  std::string out;
  DiagnosticCounts total;
  for (const ModelReport& report : reports) {
    std::string path = EscapeControl(report.path);
    for (const Diagnostic& diagnostic : report.diagnostics) {
      const Rule& rule = GetRule(diagnostic.rule);
      out += path + ": " + std::string(SeverityName(diagnostic.severity)) + "[" +
             RuleCode(diagnostic.rule) + " " + std::string(rule.name) + "]";
      std::string text = LocatedMessage(diagnostic);
      if (!text.empty()) out += " " + EscapeControl(text);
      out += "\n";
      if (!diagnostic.hint.empty()) out += "  hint: " + EscapeControl(diagnostic.hint) + "\n";
    }
    DiagnosticCounts counts = report.Counts();
    Accumulate(counts, &total);
    out += path + ": " + (report.diagnostics.empty() ? "ok" : CountsText(counts)) + "\n";
  }
  if (reports.size() > 1) {
    out += "checked " + Plural(static_cast<int>(reports.size()), "model") + ": " +
           CountsText(total) + "\n";
  }
  return out;
}

std::string FormatCheckJson(const std::vector<ModelReport>& reports) {
  // Built by moving each part into place: nlohmann's initializer lists copy their values, which
  // cost as much as parsing the models on the 1,072-model corpus.
  json models = json::array();
  DiagnosticCounts total;
  for (const ModelReport& report : reports) {
    json opsets = json::array();
    for (const auto& [domain, version] : report.opset_import) {
      json opset = json::object();
      opset["domain"] = domain;
      opset["version"] = version;
      opsets.push_back(std::move(opset));
    }
    json diagnostics = json::array();
    for (const Diagnostic& diagnostic : report.diagnostics)
      diagnostics.push_back(DiagnosticJson(diagnostic));
    DiagnosticCounts counts = report.Counts();
    Accumulate(counts, &total);
    json model = json::object();
    model["path"] = report.path;
    model["ir_version"] = report.ir_version;
    model["opset_import"] = std::move(opsets);
    model["diagnostics"] = std::move(diagnostics);
    model["summary"] = CountsJson(counts);
    models.push_back(std::move(model));
  }
  json summary = CountsJson(total);
  summary["models"] = reports.size();
  json root = json::object();
  root["models"] = std::move(models);
  root["summary"] = std::move(summary);
  return DumpJson(root);
}

std::string FormatCheckSarif(const std::vector<ModelReport>& reports,
                             std::string_view tool_version) {
  // Rules that fired, by ID (std::map keeps them sorted), then their indices in the rules array.
  std::map<RuleId, size_t> rule_index;
  for (const ModelReport& report : reports) {
    for (const Diagnostic& diagnostic : report.diagnostics) rule_index[diagnostic.rule] = 0;
  }
  json rules = json::array();
  for (auto& [id, index] : rule_index) {
    index = rules.size();
    rules.push_back(SarifRule(GetRule(id)));
  }

  // One artifact per distinct model path, in report order.
  std::map<std::string, size_t> artifact_index;
  json artifacts = json::array();
  for (const ModelReport& report : reports) {
    if (artifact_index.emplace(report.path, artifacts.size()).second)
      artifacts.push_back({{"location", {{"uri", PathToUri(report.path)}}}});
  }

  json results = json::array();
  for (const ModelReport& report : reports) {
    for (const Diagnostic& diagnostic : report.diagnostics) {
      results.push_back(SarifResult(report, diagnostic, rule_index.at(diagnostic.rule),
                                    artifact_index.at(report.path)));
    }
  }

  json driver = {{"name", "zooci"}, {"informationUri", "https://github.com/zooci/zooci"}};
  if (!tool_version.empty()) driver["version"] = tool_version;
  driver["rules"] = rules;
  json run = {{"tool", {{"driver", driver}}}, {"results", results}, {"artifacts", artifacts}};
  return DumpJson({{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", json::array({run})}});
}

}  // namespace zooci
