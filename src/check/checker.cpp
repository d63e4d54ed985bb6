// The checker's driver: loads a model with bounded parsing, runs every rule family in order and
// collects the diagnostics.
#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>

#include <climits>
#include <exception>

#include "check/internal.h"

namespace zooci {
namespace check_internal {

bool Sink::Enabled(RuleId id) const {
  return static_cast<int>(GetRule(id).min_profile) <= static_cast<int>(profile_);
}

void Sink::Report(RuleId id, Location location, std::string message, std::string hint) {
  if (!Enabled(id)) return;
  const Rule& rule = GetRule(id);
  Severity severity = rule.severity;
  if (profile_ == Profile::kStrict && severity == Severity::kWarning) severity = Severity::kError;
  if (severity == Severity::kError) ++errors_;
  out_->push_back({id, severity, std::move(message), std::move(location),
                   hint.empty() ? std::string(rule.hint) : std::move(hint)});
}

std::string NormalizeDomain(const std::string& domain) {
  return domain == "ai.onnx" ? std::string() : domain;
}

bool IsStandardDomain(const std::string& normalized_domain) {
  return normalized_domain.empty() || normalized_domain == "ai.onnx.ml" ||
         normalized_domain == "ai.onnx.training" || normalized_domain == "ai.onnx.preview.training";
}

int NewestKnownOpset(const std::string& normalized_domain) {
  const auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = ranges.find(normalized_domain);
  return it == ranges.end() ? 0 : it->second.second;
}

Location GraphLocation(const ModelContext& context, const std::string& subgraph_path) {
  Location location;
  location.graph = context.graph_name;
  location.subgraph_path = subgraph_path;
  return location;
}

Location NodeLocation(const ModelContext& context, const std::string& subgraph_path,
                      const onnx::NodeProto& node, int64_t node_index) {
  Location location = GraphLocation(context, subgraph_path);
  location.node_name = node.name();
  location.node_index = node_index;
  location.op_type = node.op_type();
  return location;
}

}  // namespace check_internal

using namespace check_internal;

std::string Location::Describe() const {
  std::string text;
  if (!function.empty()) text += "function '" + function + "' ";
  if (!subgraph_path.empty()) text += "subgraph '" + subgraph_path + "' ";
  if (node_index >= 0) {
    text += "node '" + node_name + "' (#" + std::to_string(node_index) + ")";
    if (!field.empty()) text += " ";
  }
  text += field;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

DiagnosticCounts ModelReport::Counts() const {
  DiagnosticCounts counts;
  for (const Diagnostic& diagnostic : diagnostics) {
    switch (diagnostic.severity) {
      case Severity::kError:
        ++counts.errors;
        break;
      case Severity::kWarning:
        ++counts.warnings;
        break;
      case Severity::kInfo:
        ++counts.infos;
        break;
    }
  }
  return counts;
}

bool ReachesSeverity(const std::vector<ModelReport>& reports, Severity fail_on) {
  for (const ModelReport& report : reports) {
    for (const Diagnostic& diagnostic : report.diagnostics) {
      if (static_cast<int>(diagnostic.severity) >= static_cast<int>(fail_on)) return true;
    }
  }
  return false;
}

namespace {

// Parses with protobuf's recursion limit; returns false (with a reason) for non-models.
bool ParseModel(std::string_view bytes, const CheckOptions& options, onnx::ModelProto* model,
                std::string* reason) {
  if (bytes.empty()) {
    *reason = "the file is empty";
    return false;
  }
  if (bytes.size() > options.max_file_bytes || bytes.size() > static_cast<size_t>(INT_MAX)) {
    *reason = "the file is " + std::to_string(bytes.size()) +
              " bytes, over protobuf's 2 GiB limit; store large tensors as external data";
    return false;
  }
  google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                static_cast<int>(bytes.size()));
  stream.SetRecursionLimit(options.max_proto_depth);
  if (!model->MergeFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    *reason = "not a valid ModelProto: truncated or corrupt protobuf, or nested deeper than " +
              std::to_string(options.max_proto_depth) + " levels";
    return false;
  }
  if (model->ir_version() == 0 && !model->has_graph() && model->opset_import_size() == 0) {
    *reason =
        "parses as protobuf but has none of ModelProto's fields (ir_version, graph, "
        "opset_import): not an ONNX model";
    return false;
  }
  return true;
}

void CheckParsedModel(onnx::ModelProto& model, ModelContext& context) {
  CheckModelHeader(model, context);
  CheckFunctions(model, context);
  if (!model.has_graph()) {
    context.sink->Report(RuleId::kMissingGraph, GraphLocation(context, ""),
                         "the model has no graph");
    return;
  }
  CheckGraph(model.graph(), context, nullptr, "", 0);
  CheckFunctionBodies(model, context);
  CheckModelUsage(model, context);
  InferTypes(model, context);
}

}  // namespace

ModelReport CheckModelBytes(std::string_view bytes, const fs::path& model_dir,
                            const CheckOptions& options, std::string display_path) {
  ModelReport report;
  report.path = std::move(display_path);
  Sink sink(options.profile, &report.diagnostics);
  ModelContext context;
  context.options = &options;
  context.sink = &sink;
  context.model_dir = model_dir;
  // An arena makes parsing and freeing the thousands of small messages of a model cheap.
  google::protobuf::Arena arena;
  onnx::ModelProto& model = *google::protobuf::Arena::CreateMessage<onnx::ModelProto>(&arena);
  std::string reason;
  if (!ParseModel(bytes, options, &model, &reason)) {
    sink.Report(RuleId::kUnparseableModel, Location{}, reason);
    return report;
  }
  report.ir_version = model.ir_version();
  for (const auto& opset : model.opset_import()) {
    report.opset_import.emplace_back(opset.domain(), opset.version());
  }
  context.graph_name = model.graph().name();
  try {
    CheckParsedModel(model, context);
  } catch (const std::exception& error) {
    // Rules catch what libonnx throws per node; reaching here is a checker defect, reported
    // rather than hidden.
    sink.Report(RuleId::kInferenceError, GraphLocation(context, ""),
                std::string("internal checker error: ") + error.what());
  }
  return report;
}

ModelReport CheckModelFile(const fs::path& path, const CheckOptions& options) {
  auto bytes = ReadFile(path, options.max_file_bytes);
  if (!bytes.ok()) {
    ModelReport report;
    report.path = path.string();
    Sink sink(options.profile, &report.diagnostics);
    sink.Report(RuleId::kUnparseableModel, Location{}, bytes.error().message());
    return report;
  }
  return CheckModelBytes(*bytes, path.parent_path(), options, path.string());
}

}  // namespace zooci
