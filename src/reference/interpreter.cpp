// The interpreter: runs a graph's nodes in order, each through its operator function, in a scope
// of named values; attribute access for operator functions; the operator table.
#include <algorithm>
#include <climits>
#include <set>
#include <stdexcept>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

std::string DomainOf(const onnx::NodeProto& node) {
  return node.domain() == "ai.onnx" ? "" : node.domain();
}

std::string QualifiedName(const onnx::NodeProto& node) {
  const std::string domain = DomainOf(node);
  return domain.empty() ? node.op_type() : domain + "." + node.op_type();
}

// "node 'conv1' (Conv-11)", or "node #3 (Relu-14)" when the node has no name.
std::string NodeLabel(const onnx::NodeProto& node, int node_idx, int version) {
  const std::string name =
      node.name().empty() ? "#" + std::to_string(node_idx) : "'" + node.name() + "'";
  return "node " + name + " (" + node.op_type() + "-" + std::to_string(version) + ")";
}

Result<const OpEntry*> FindOperator(const onnx::NodeProto& node, const ModelContext& model,
                                    int* version) {
  const std::string domain = DomainOf(node);
  auto opset = model.opsets.find(domain);
  if (opset == model.opsets.end()) {
    return Error("operator " + QualifiedName(node) + ": the model imports no opset for domain '" +
                 domain + "'");
  }
  const OpEntry* entry = Operators().Find(QualifiedName(node), opset->second, version);
  if (!entry) {
    return Error("operator " + QualifiedName(node) + " (opset " + std::to_string(opset->second) +
                 ") not implemented");
  }
  return entry;
}

// The names `node` reads, its subgraphs' reads included (names they produce themselves too, which
// is harmless: those are never in the enclosing scope).
void CollectReads(const onnx::NodeProto& node, std::set<std::string>& reads) {
  for (const std::string& name : node.input())
    if (!name.empty()) reads.insert(name);
  for (const onnx::AttributeProto& attribute : node.attribute()) {
    if (attribute.has_g())
      for (const onnx::NodeProto& inner : attribute.g().node()) CollectReads(inner, reads);
    for (const onnx::GraphProto& subgraph : attribute.graphs())
      for (const onnx::NodeProto& inner : subgraph.node()) CollectReads(inner, reads);
  }
}

void RoundItem(Item& item) {
  if (item.kind == ValueKind::kTensor) {
    RoundToType(item.array);
    return;
  }
  for (Item& element : item.elements) RoundItem(element);
}

Status RunNode(const onnx::NodeProto& node, int node_idx, Scope& scope) {
  int version = 0;
  ZC_ASSIGN_OR_RETURN(const OpEntry* entry, FindOperator(node, scope.model(), &version));
  const std::string label = NodeLabel(node, node_idx, version);

  std::vector<const Item*> inputs;
  for (const std::string& name : node.input()) {
    if (name.empty()) {
      inputs.push_back(nullptr);
      continue;
    }
    const Item* item = scope.Find(name);
    if (!item) return Error(label + ": input '" + name + "' is not computed before this node");
    inputs.push_back(item);
  }
  for (size_t input_idx = 0; input_idx < entry->min_inputs; ++input_idx) {
    if (input_idx >= inputs.size() || !inputs[input_idx]) {
      return Error(label + ": needs at least " + std::to_string(entry->min_inputs) + " input" +
                   (entry->min_inputs == 1 ? "" : "s"));
    }
  }

  OpContext ctx(node, version, std::move(inputs), scope);
  // Operators index scalar inputs with .at(): a malformed node (an empty tensor where a value
  // is needed) ends as this node's error, not as an exception through the worker.
  Result<Outputs> outputs = Error("");
  try {
    outputs = entry->run(ctx);
  } catch (const std::out_of_range&) {
    return Error(label + ": an input holds fewer elements than the operator reads");
  }
  if (!outputs.ok()) return outputs.error().WithContext(label);
  for (int output_idx = 0; output_idx < node.output_size(); ++output_idx) {
    const std::string& name = node.output(output_idx);
    if (name.empty()) continue;
    if (static_cast<size_t>(output_idx) >= outputs->size()) {
      return Error(label + ": output " + std::to_string(output_idx) + " ('" + name +
                   "') not produced");
    }
    Item& item = (*outputs)[output_idx];
    RoundItem(item);
    scope.Set(name, std::move(item));
  }
  return OkStatus();
}

}  // namespace

const Item* Scope::Find(const std::string& name) const {
  for (const Scope* scope = this; scope; scope = scope->outer_) {
    auto it = scope->values_.find(name);
    if (it != scope->values_.end()) return &it->second;
  }
  return nullptr;
}

Status BindInitializers(const onnx::GraphProto& graph, Scope& scope) {
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    ZC_ASSIGN_OR_RETURN(Array array, DecodeTensorProto(initializer, scope.model())
                                         .WithContext("initializer '" + initializer.name() + "'"));
    scope.Set(initializer.name(), std::move(array));
  }
  if (graph.sparse_initializer_size() > 0) return Error("sparse initializers not supported");
  return OkStatus();
}

Status RunNodes(const onnx::GraphProto& graph, Scope& scope) {
  // The last node reading each value; a subgraph's reads count as its node's.
  std::map<std::string, int> last_read;
  for (int node_idx = 0; node_idx < graph.node_size(); ++node_idx) {
    std::set<std::string> reads;
    CollectReads(graph.node(node_idx), reads);
    for (const std::string& name : reads) last_read[name] = node_idx;
  }
  for (const onnx::ValueInfoProto& output : graph.output()) last_read[output.name()] = INT_MAX;
  for (int node_idx = 0; node_idx < graph.node_size(); ++node_idx) {
    const onnx::NodeProto& node = graph.node(node_idx);
    ZC_RETURN_IF_ERROR(RunNode(node, node_idx, scope));
    std::set<std::string> done;
    CollectReads(node, done);
    for (const std::string& output : node.output()) done.insert(output);
    for (const std::string& name : done) {
      auto last = last_read.find(name);
      if (last == last_read.end() || last->second == node_idx) scope.Drop(name);
    }
  }
  return OkStatus();
}

Result<Outputs> RunGraph(const onnx::GraphProto& graph, const Scope& outer,
                         std::vector<Item> inputs) {
  Scope scope(outer.model(), &outer);
  ZC_RETURN_IF_ERROR(BindInitializers(graph, scope));
  if (inputs.size() != static_cast<size_t>(graph.input_size())) {
    return Error("subgraph '" + graph.name() + "' takes " + std::to_string(graph.input_size()) +
                 " inputs, given " + std::to_string(inputs.size()));
  }
  for (int input_idx = 0; input_idx < graph.input_size(); ++input_idx)
    scope.Set(graph.input(input_idx).name(), std::move(inputs[input_idx]));
  ZC_RETURN_IF_ERROR(RunNodes(graph, scope).WithContext("subgraph '" + graph.name() + "'"));
  Outputs outputs;
  for (const onnx::ValueInfoProto& output : graph.output()) {
    const Item* item = scope.Find(output.name());
    if (!item)
      return Error("subgraph '" + graph.name() + "' output '" + output.name() +
                   "' is never computed");
    outputs.push_back(*item);
  }
  return outputs;
}

Status CheckOperators(const onnx::GraphProto& graph, const ModelContext& model) {
  for (const onnx::NodeProto& node : graph.node()) {
    int version = 0;
    ZC_RETURN_IF_ERROR(FindOperator(node, model, &version));
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_g()) ZC_RETURN_IF_ERROR(CheckOperators(attribute.g(), model));
      for (const onnx::GraphProto& subgraph : attribute.graphs())
        ZC_RETURN_IF_ERROR(CheckOperators(subgraph, model));
    }
  }
  return OkStatus();
}

// ---- OpContext
// ------------------------------------------------------------------------------------

const onnx::AttributeProto* OpContext::FindAttr(const std::string& name) const {
  for (const onnx::AttributeProto& attribute : node_.attribute())
    if (attribute.name() == name) return &attribute;
  return nullptr;
}

int64_t OpContext::Int(const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  return attribute ? attribute->i() : fallback;
}

double OpContext::Float(const std::string& name, double fallback) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  return attribute ? attribute->f() : fallback;
}

std::string OpContext::String(const std::string& name, const std::string& fallback) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  return attribute ? attribute->s() : fallback;
}

std::vector<int64_t> OpContext::Ints(const std::string& name, std::vector<int64_t> fallback) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  if (!attribute) return fallback;
  return {attribute->ints().begin(), attribute->ints().end()};
}

std::vector<double> OpContext::Floats(const std::string& name, std::vector<double> fallback) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  if (!attribute) return fallback;
  return {attribute->floats().begin(), attribute->floats().end()};
}

std::vector<std::string> OpContext::Strings(const std::string& name) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  if (!attribute) return {};
  return {attribute->strings().begin(), attribute->strings().end()};
}

Result<Array> OpContext::TensorAttr(const std::string& name) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  if (!attribute || !attribute->has_t()) return Error("attribute '" + name + "' missing");
  return DecodeTensorProto(attribute->t(), scope_.model()).WithContext("attribute '" + name + "'");
}

const onnx::GraphProto* OpContext::GraphAttr(const std::string& name) const {
  const onnx::AttributeProto* attribute = FindAttr(name);
  return attribute && attribute->has_g() ? &attribute->g() : nullptr;
}

Result<Outputs> OpContext::RunSubgraph(const onnx::GraphProto& graph,
                                       std::vector<Item> inputs) const {
  return RunGraph(graph, scope_, std::move(inputs));
}

// ---- OpTable
// ----------------------------------------------------------------------------------------

void OpTable::Add(const std::string& op_type, std::vector<int> versions, OpFunction run,
                  size_t min_inputs) {
  std::sort(versions.begin(), versions.end());
  entries_[op_type] = OpEntry{std::move(versions), run, min_inputs};
}

const OpEntry* OpTable::Find(const std::string& op_type, int64_t opset, int* version) const {
  auto it = entries_.find(op_type);
  if (it == entries_.end()) return nullptr;
  // The schema in force is the newest one whose since_version is at most the opset.
  const std::vector<int>& versions = it->second.versions;
  auto newest = std::upper_bound(versions.begin(), versions.end(), opset);
  if (newest == versions.begin()) return nullptr;
  *version = *std::prev(newest);
  return &it->second;
}

const OpTable& Operators() {
  static const OpTable table = [] {
    OpTable built;
    RegisterElementwiseOps(built);
    RegisterMathOps(built);
    RegisterActivationOps(built);
    RegisterConvOps(built);
    RegisterPoolOps(built);
    RegisterNormalizationOps(built);
    RegisterMatrixOps(built);
    RegisterShapeOps(built);
    RegisterTensorOps(built);
    RegisterIndexOps(built);
    RegisterOrderOps(built);
    RegisterReduceOps(built);
    RegisterResizeOps(built);
    RegisterSequenceOps(built);
    RegisterControlFlowOps(built);
    RegisterLossOps(built);
    RegisterRecurrentOps(built);
    RegisterQuantizationOps(built);
    RegisterSignalOps(built);
    RegisterDetectionOps(built);
    RegisterTextOps(built);
    RegisterTrainingOps(built);
    return built;
  }();
  return table;
}

}  // namespace zooci::reference
