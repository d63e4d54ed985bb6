// Private to the check module: the per-model context the rule implementations share.
#pragma once

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <signal.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "check/check.h"

namespace zooci::check_internal {

// Collects one model's diagnostics, applying the profile: rules outside it are not reported and
// kStrict raises warnings to errors.
class Sink {
 public:
  // At most `max_per_rule` diagnostics of one rule are kept (0: no cap); Finish() adds one note
  // per capped rule with the count of the rest.
  Sink(Profile profile, std::vector<Diagnostic>* out, int max_per_rule = 0)
      : profile_(profile), out_(out), max_per_rule_(max_per_rule) {}

  bool Enabled(RuleId id) const;
  void Report(RuleId id, Location location, std::string message, std::string hint = {});
  // Number of errors found so far (after the profile applied), those over the cap included.
  int errors() const { return errors_; }
  void Finish();

 private:
  Profile profile_;
  std::vector<Diagnostic>* out_;
  int max_per_rule_;
  int errors_ = 0;
  std::map<RuleId, int64_t> reported_;  // per rule, kept and dropped
};

// "ai.onnx" and "" are the same domain; returns "" for both.
std::string NormalizeDomain(const std::string& domain);
// ai.onnx (""), ai.onnx.ml, ai.onnx.training, ai.onnx.preview.training: libonnx has their schemas.
bool IsStandardDomain(const std::string& normalized_domain);
// The newest opset version libonnx knows for a standard domain (ai.onnx: 17 for onnx 1.12).
int NewestKnownOpset(const std::string& normalized_domain);

using OpsetMap = std::unordered_map<std::string, int>;  // normalized domain -> version

// Model-wide facts and state shared by every check of one model.
struct ModelContext {
  const CheckOptions* options = nullptr;
  Sink* sink = nullptr;
  int64_t ir_version = 0;
  OpsetMap opsets;         // first entry wins on duplicates (duplicates are reported)
  fs::path model_dir;      // base for external data; empty when unknown
  std::string graph_name;  // the top-level graph's name, for locations
  // Model-local functions by "domain:name" (overload ignored for lookup).
  std::unordered_map<std::string, const onnx::FunctionProto*> functions;
  std::set<std::string> used_functions;  // "domain:name" of functions some node calls
  std::set<std::string> used_domains;    // normalized domains some node uses
  // (domain, op_type) already reported as custom or as newer than the checker: once per model.
  mutable std::set<std::pair<std::string, std::string>> reported_ops;
  // Nodes whose structure or schema check failed: type inference skips them (and what depends
  // on them) so one problem is reported once, and libonnx never sees a malformed node.
  std::unordered_set<const onnx::NodeProto*> skip_inference;
  // The schema CheckOperator resolved for each node it accepted (inference reuses it).
  std::unordered_map<const onnx::NodeProto*, const onnx::OpSchema*> schemas;
  // Initializers whose tensor has an error: inference neither types nor reads them.
  std::unordered_set<std::string> bad_initializers;
  // Functions inference must not expand: on or reaching a call cycle, or calling too deep.
  std::unordered_set<std::string> unsafe_functions;
  // Domains imported with an invalid version, or no opset_import at all: already reported at
  // the model level, so nodes in them are not reported again as domain-not-imported.
  std::set<std::string> invalid_opset_domains;
  bool opset_import_missing = false;
  bool subgraph_depth_reported = false;  // ZC0218 is reported once per model
  // SHA-1 of whole external-data files already hashed for a checksum ("" when unreadable).
  mutable std::map<std::string, std::string> file_sha1;
};

Location GraphLocation(const ModelContext& context, const std::string& subgraph_path);
Location NodeLocation(const ModelContext& context, const std::string& subgraph_path,
                      const onnx::NodeProto& node, int64_t node_index);

// ---- model.cpp: header (IR version, opsets, metadata, zoo profile) and function declarations.
void CheckModelHeader(const onnx::ModelProto& model, ModelContext& context);
void CheckFunctions(const onnx::ModelProto& model, ModelContext& context);
// After the graph walk: functions no node calls, non-default domains no node uses.
void CheckModelUsage(const onnx::ModelProto& model, const ModelContext& context);

// ---- tensors.cpp: TensorProto / SparseTensorProto / external data. `where` names the tensor.
void CheckTensor(const onnx::TensorProto& tensor, const ModelContext& context,
                 const Location& where);
void CheckSparseTensor(const onnx::SparseTensorProto& sparse, const ModelContext& context,
                       const Location& where);
// Reports findings at `where`. The location already names the field ("initializer 'w'"); when
// it has none, messages are prefixed by `fallback_subject`. Holds references: use within the
// caller's scope.
class TensorReporter {
 public:
  TensorReporter(const ModelContext& context, const Location& where,
                 const std::string& fallback_subject)
      : context_(context),
        where_(where),
        prefix_(where.field.empty() ? fallback_subject + ": " : std::string()) {}
  void operator()(RuleId id, const std::string& message) const {
    context_.sink->Report(id, where_, prefix_ + message);
  }

 private:
  const ModelContext& context_;
  const Location& where_;
  std::string prefix_;
};

std::string DescribeTensor(const onnx::TensorProto& tensor);  // "float[2,3]"

// external_data.cpp: the external-data rules (ZC05xx) for a tensor stored as EXTERNAL;
// `expected_bytes` is the tensor's size when computable. Never opens the file.
void CheckExternalData(const onnx::TensorProto& tensor, const ModelContext& context,
                       const TensorReporter& report, std::optional<uint64_t> expected_bytes);

// Declared shapes (graph inputs/outputs/value_info): negative dims.
void CheckDeclaredType(const onnx::TypeProto& type, const ModelContext& context,
                       const Location& where);

// ---- operators.cpp: schema checks for one node. Returns the schema when the node matched it
// closely enough for type inference to run on it; nullptr otherwise (unknown op, custom domain,
// newer than the checker, count or attribute errors).
const onnx::OpSchema* CheckOperator(const onnx::NodeProto& node, const OpsetMap& opsets,
                                    ModelContext& context, const Location& where, bool in_function);

// ---- graph.cpp: structure of a graph and its subgraphs. `outer` lists the names visible from
// enclosing graphs; the returned set holds the outer names this graph reads.
struct Scope {
  const Scope* parent = nullptr;
  std::unordered_set<std::string> names;
  bool Defines(const std::string& name) const {
    for (const Scope* scope = this; scope != nullptr; scope = scope->parent) {
      if (scope->names.count(name) != 0) return true;
    }
    return false;
  }
};
std::unordered_set<std::string> CheckGraph(const onnx::GraphProto& graph, ModelContext& context,
                                           const Scope* outer, const std::string& subgraph_path,
                                           int depth);

// Bodies of model-local functions: definitions, uses, operators, call cycles.
void CheckFunctionBodies(const onnx::ModelProto& model, ModelContext& context);

// ---- fault_guard.cpp: turns a fault inside a libonnx inference call into a return value.
// Makes CallWithFaultGuard usable on this thread: installs the process's fault handlers (once)
// and this thread's alternate signal stack (once per thread). Cheap after the first use.
class FaultGuardScope {
 public:
  FaultGuardScope();
};
// Runs `call(argument)` (which must not throw) and returns 0, or the signal number of a fault
// inside it. Only valid while a FaultGuardScope is alive on this thread.
int CallWithFaultGuard(void (*call)(void*), void* argument);
template <typename Callable>
int CallWithFaultGuard(Callable& callable) {
  return CallWithFaultGuard([](void* target) { (*static_cast<Callable*>(target))(); }, &callable);
}
std::string FaultName(int signal_number);  // "an invalid memory access"
// Tells LeakSanitizer (fuzz builds) that `object`, abandoned after a fault, is leaked on purpose.
void AbandonAfterFault(const void* object);

// ---- inference.cpp: strict type and shape inference over the main graph, node by node.
void InferTypes(onnx::ModelProto& model, const ModelContext& context);

}  // namespace zooci::check_internal
