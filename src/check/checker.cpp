// The checker's driver: loads a model with bounded parsing, runs every rule family in order and
// collects the diagnostics.
#include <fcntl.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <functional>

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
  if (max_per_rule_ > 0 && ++reported_[id] > max_per_rule_) return;
  out_->push_back({id, severity, std::move(message), std::move(location),
                   hint.empty() ? std::string(rule.hint) : std::move(hint)});
}

void Sink::Finish() {
  for (const auto& [id, count] : reported_) {
    if (count <= max_per_rule_) continue;
    const Rule& rule = GetRule(id);
    Severity severity = rule.severity;
    if (profile_ == Profile::kStrict && severity == Severity::kWarning) severity = Severity::kError;
    out_->push_back({id, severity,
                     std::to_string(count - max_per_rule_) + " more " + RuleCode(id) + " " +
                         std::string(rule.name) + " diagnostics in this model not shown (" +
                         std::to_string(count) + " in all; at most " +
                         std::to_string(max_per_rule_) + " per rule: --max-per-rule)",
                     Location{}, std::string(rule.hint)});
  }
  reported_.clear();
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

constexpr std::string_view kLfsPointerPrefix = "version https://git-lfs.github.com/spec/";

// The reason for a file that is a Git LFS pointer (its first bytes `head`), or "".
std::string LfsPointerReason(std::string_view head) {
  if (!head.starts_with(kLfsPointerPrefix)) return "";
  return "a Git LFS pointer, not the model: the repository was cloned without its LFS content "
         "(run git lfs pull, or git lfs fetch for this file)";
}

std::string TooLargeReason(uint64_t bytes) {
  return "the file is " + std::to_string(bytes) +
         " bytes, over protobuf's 2 GiB limit; store large tensors as external data";
}

// Parses with protobuf's recursion limit; returns false (with a reason) for non-models.
bool ParseModel(google::protobuf::io::CodedInputStream& stream, const CheckOptions& options,
                onnx::ModelProto* model, std::string* reason) {
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

// Fills `model` (false with a reason for anything that is not a model).
using ModelParser = std::function<bool(onnx::ModelProto* model, std::string* reason)>;

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

namespace {

ModelReport CheckWith(const ModelParser& parse, const fs::path& model_dir,
                      const CheckOptions& options, std::string display_path) {
  ModelReport report;
  report.path = std::move(display_path);
  Sink sink(options.profile, &report.diagnostics, options.max_diagnostics_per_rule);
  ModelContext context;
  context.options = &options;
  context.sink = &sink;
  context.model_dir = model_dir;
  // An arena makes parsing and freeing the thousands of small messages of a model cheap.
  google::protobuf::Arena arena;
  onnx::ModelProto& model = *google::protobuf::Arena::CreateMessage<onnx::ModelProto>(&arena);
  std::string reason;
  if (!parse(&model, &reason)) {
    // The rule's hint is about broken exports; an LFS pointer needs fetching instead.
    const bool lfs = reason.starts_with("a Git LFS pointer");
    sink.Report(RuleId::kUnparseableModel, Location{}, reason,
                lfs ? "Fetch the object (git lfs pull --include PATH) and check the real file."
                    : "");
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
  sink.Finish();
  return report;
}

ModelReport Unreadable(const fs::path& path, const CheckOptions& options, std::string reason) {
  ModelReport report;
  report.path = path.string();
  Sink sink(options.profile, &report.diagnostics);
  sink.Report(RuleId::kUnparseableModel, Location{}, std::move(reason));
  return report;
}


}  // namespace

ModelReport CheckModelBytes(std::string_view bytes, const fs::path& model_dir,
                            const CheckOptions& options, std::string display_path) {
  auto parse = [&](onnx::ModelProto* model, std::string* reason) {
    if (bytes.empty()) {
      *reason = "the file is empty";
      return false;
    }
    if (bytes.size() > options.max_file_bytes || bytes.size() > static_cast<size_t>(INT_MAX)) {
      *reason = TooLargeReason(bytes.size());
      return false;
    }
    if (std::string lfs = LfsPointerReason(bytes.substr(0, 64)); !lfs.empty()) {
      *reason = std::move(lfs);
      return false;
    }
    google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                  static_cast<int>(bytes.size()));
    return ParseModel(stream, options, model, reason);
  };
  return CheckWith(parse, model_dir, options, std::move(display_path));
}

// The file is opened without blocking (a FIFO is refused, never waited on), its type and size are
// checked before a byte is read, and it is parsed as a stream: a 1 GiB file of zeros is refused
// after its first bytes, with no copy of it in memory.
ModelReport CheckModelFile(const fs::path& path, const CheckOptions& options) {
  UniqueFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) {
    return Unreadable(path, options, "cannot open " + path.string() + ": " +
                                         (errno == ELOOP ? std::string("a symbolic link loop (ELOOP)")
                                                         : std::string(std::strerror(errno))));
  }
  struct stat st {};
  if (fstat(file.get(), &st) != 0) {
    return Unreadable(path, options, "cannot stat " + path.string() + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                                              : "not a regular file";
    return Unreadable(path, options, path.string() + " is " + what + ", not a model file");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  fs::path model_dir = path.parent_path();
  if (model_dir.empty()) model_dir = ".";  // a bare name: external data beside it, in "."
  auto parse = [&](onnx::ModelProto* model, std::string* reason) {
    if (size == 0) {
      *reason = "the file is empty";
      return false;
    }
    if (size > options.max_file_bytes || size > static_cast<uint64_t>(INT_MAX)) {
      *reason = TooLargeReason(size);
      return false;
    }
    char head[64];
    const ssize_t got = pread(file.get(), head, sizeof(head), 0);
    if (got > 0) {
      if (std::string lfs = LfsPointerReason(std::string_view(head, static_cast<size_t>(got)));
          !lfs.empty()) {
        *reason = std::move(lfs);
        return false;
      }
    }
    google::protobuf::io::FileInputStream input(file.get(), 1 << 20);
    google::protobuf::io::CodedInputStream stream(&input);
    stream.SetTotalBytesLimit(INT_MAX);
    const bool parsed = ParseModel(stream, options, model, reason);
    if (input.GetErrno() != 0) {
      *reason = "read " + path.string() + ": " + std::strerror(input.GetErrno());
      return false;
    }
    return parsed;
  };
  return CheckWith(parse, model_dir, options, path.string());
}

}  // namespace zooci
