// Graph structure: names, single assignment with subgraph scoping, definition before use,
// cycles, graph outputs, unused values and dead nodes. Recurses into If/Loop/Scan bodies.
#include <algorithm>
#include <map>

#include "check/internal.h"

namespace zooci::check_internal {
namespace {

struct ForwardUse {
  int consumer;
  int input_index;
  int producer;
};

class GraphChecker {
 public:
  GraphChecker(const onnx::GraphProto& graph, ModelContext& context, const Scope* outer,
               std::string path, int depth)
      : graph_(graph), context_(context), outer_(outer), path_(std::move(path)), depth_(depth) {
    scope_.parent = outer;
  }

  std::unordered_set<std::string> Run() {
    if (graph_.name().empty()) Report(RuleId::kMissingName, Where("name"), "the graph has no name");
    CheckInputs();
    CheckInitializers();
    CheckNodes();
    CheckOutputs();
    for (int index = 0; index < graph_.value_info_size(); ++index) {
      const auto& info = graph_.value_info(index);
      CheckDeclaredType(info.type(), context_, Where("value_info '" + info.name() + "'"));
    }
    CheckUsage();
    return std::move(free_names_);
  }

 private:
  bool is_main() const { return depth_ == 0; }

  void Report(RuleId id, Location where, std::string message) {
    context_.sink->Report(id, std::move(where), std::move(message));
  }
  Location Where(std::string field) const {
    Location where = GraphLocation(context_, path_);
    where.field = std::move(field);
    return where;
  }
  Location NodeWhere(int index, std::string field) const {
    Location where = NodeLocation(context_, path_, graph_.node(index), index);
    where.field = std::move(field);
    return where;
  }
  std::string NodeLabel(int index) const {
    const auto& node = graph_.node(index);
    return "node '" + node.name() + "' (#" + std::to_string(index) + ")";
  }

  // Records that `name` is read here: a local use, or a read of an enclosing graph's value.
  // Returns false when nothing defines it in scope.
  bool Use(const std::string& name) {
    if (scope_.names.count(name) != 0) {
      ++uses_[name];
      return true;
    }
    if (outer_ != nullptr && outer_->Defines(name)) {
      free_names_.insert(name);
      return true;
    }
    return false;
  }

  // Main-graph inputs and outputs must be bindable: a type with elem_type and shape.
  void CheckIoType(const onnx::ValueInfoProto& info, const std::string& field) {
    if (!is_main()) return;
    const auto& type = info.type();
    std::string what;
    if (!info.has_type() || type.value_case() == onnx::TypeProto::VALUE_NOT_SET) {
      what = "has no type";
    } else if (type.has_tensor_type() && type.tensor_type().elem_type() == 0) {
      what = "has a tensor type without elem_type";
    } else if (type.has_tensor_type() && !type.tensor_type().has_shape()) {
      what = "has a tensor type without shape";
    } else if (type.has_sparse_tensor_type() && type.sparse_tensor_type().elem_type() == 0) {
      what = "has a sparse tensor type without elem_type";
    } else if (type.has_sequence_type() && !type.sequence_type().has_elem_type()) {
      what = "has a sequence type without elem_type";
    }
    if (!what.empty())
      Report(RuleId::kMissingIoType, Where(field), "'" + info.name() + "' " + what);
  }

  void CheckInputs() {
    for (int index = 0; index < graph_.input_size(); ++index) {
      const auto& input = graph_.input(index);
      std::string field = "input[" + std::to_string(index) + "]";
      if (input.name().empty()) {
        Report(RuleId::kMissingName, Where(field), "graph input has no name");
        continue;
      }
      if (!scope_.names.insert(input.name()).second) {
        Report(RuleId::kDuplicateDefinition, Where(field),
               "graph input '" + input.name() + "' is declared twice");
      } else if (outer_ != nullptr && outer_->Defines(input.name())) {
        Report(RuleId::kShadowedOuterName, Where(field),
               "subgraph input '" + input.name() + "' hides a value of an enclosing graph");
      }
      graph_inputs_.insert(input.name());
      CheckIoType(input, field);
      CheckDeclaredType(input.type(), context_, Where(field));
    }
  }

  void CheckInitializerName(const std::string& name, const std::string& field) {
    if (name.empty()) {
      Report(RuleId::kMissingName, Where(field), "initializer has no name");
      return;
    }
    if (!initializers_.insert(name).second) {
      Report(RuleId::kDuplicateDefinition, Where(field),
             "initializer '" + name + "' is defined twice");
      return;
    }
    if (graph_inputs_.count(name) != 0) return;  // an overridable input's default
    if (context_.ir_version > 0 && context_.ir_version <= 3) {
      Report(RuleId::kInitializerNotInput, Where(field),
             "initializer '" + name + "' is not a graph input (required up to IR 3)");
    }
    if (outer_ != nullptr && outer_->Defines(name)) {
      Report(RuleId::kShadowedOuterName, Where(field),
             "subgraph initializer '" + name + "' hides a value of an enclosing graph");
    }
    scope_.names.insert(name);
  }

  void CheckInitializers() {
    for (int index = 0; index < graph_.initializer_size(); ++index) {
      const auto& tensor = graph_.initializer(index);
      CheckInitializerName(tensor.name(), "initializer[" + std::to_string(index) + "]");
      int errors_before = context_.sink->errors();
      CheckTensor(tensor, context_, Where("initializer '" + tensor.name() + "'"));
      if (context_.sink->errors() > errors_before) context_.bad_initializers.insert(tensor.name());
    }
    for (int index = 0; index < graph_.sparse_initializer_size(); ++index) {
      const auto& sparse = graph_.sparse_initializer(index);
      CheckInitializerName(sparse.values().name(),
                           "sparse_initializer[" + std::to_string(index) + "]");
      CheckSparseTensor(sparse, context_,
                        Where("sparse_initializer '" + sparse.values().name() + "'"));
    }
  }

  void CheckSubgraph(int node_index, const onnx::AttributeProto& attribute,
                     const onnx::GraphProto& subgraph) {
    const auto& node = graph_.node(node_index);
    std::string label = (node.name().empty() ? node.op_type() : node.name()) + "#" +
                        std::to_string(node_index) + "." + attribute.name();
    std::string path = path_.empty() ? label : path_ + "/" + label;
    if (depth_ + 1 > context_.options->max_subgraph_depth) {
      if (!context_.subgraph_depth_reported) {  // once per model, at the first body too deep
        context_.subgraph_depth_reported = true;
        Report(RuleId::kSubgraphTooDeep,
               NodeWhere(node_index, "attribute '" + attribute.name() + "'"),
               "subgraphs are nested deeper than the " +
                   std::to_string(context_.options->max_subgraph_depth) +
                   " levels this checker follows (--max-subgraph-depth): the deeper bodies were "
                   "not checked. A limit of the checker, not a defect of the model");
      }
      context_.skip_inference.insert(&node);
      return;
    }
    for (const std::string& name : CheckGraph(subgraph, context_, &scope_, path, depth_ + 1)) {
      Use(name);
    }
  }

  void CheckNodeAttributes(int node_index) {
    const auto& node = graph_.node(node_index);
    for (const auto& attribute : node.attribute()) {
      std::string field = "attribute '" + attribute.name() + "'";
      if (attribute.has_t()) CheckTensor(attribute.t(), context_, NodeWhere(node_index, field));
      for (const auto& tensor : attribute.tensors()) {
        CheckTensor(tensor, context_, NodeWhere(node_index, field));
      }
      if (attribute.has_sparse_tensor()) {
        CheckSparseTensor(attribute.sparse_tensor(), context_, NodeWhere(node_index, field));
      }
      if (attribute.has_g()) CheckSubgraph(node_index, attribute, attribute.g());
      for (const auto& subgraph : attribute.graphs())
        CheckSubgraph(node_index, attribute, subgraph);
    }
  }

  void CheckNodes() {
    for (int index = 0; index < graph_.node_size(); ++index) {
      for (const std::string& output : graph_.node(index).output()) {
        if (!output.empty()) producer_.emplace(output, index);
      }
    }
    std::unordered_map<std::string, int> node_names;
    for (int index = 0; index < graph_.node_size(); ++index) {
      const auto& node = graph_.node(index);
      int errors_before = context_.sink->errors();
      if (node.input_size() == 0 && node.output_size() == 0) {
        Report(RuleId::kEmptyNode, NodeWhere(index, ""), "the node has no inputs and no outputs");
      }
      if (node.name().empty()) {
        Report(RuleId::kMissingNodeName, NodeWhere(index, ""), "the node has no name");
      } else if (auto [it, inserted] = node_names.emplace(node.name(), index); !inserted) {
        Report(
            RuleId::kDuplicateNodeName, NodeWhere(index, ""),
            "node name '" + node.name() + "' is also used by node #" + std::to_string(it->second));
      }
      for (int input_index = 0; input_index < node.input_size(); ++input_index) {
        const std::string& input = node.input(input_index);
        if (input.empty() || Use(input)) continue;
        auto producer = producer_.find(input);
        if (producer != producer_.end() && producer->second >= index) {
          forward_uses_.push_back({index, input_index, producer->second});
          continue;
        }
        Report(RuleId::kDanglingInput,
               NodeWhere(index, "input[" + std::to_string(input_index) + "]"),
               "'" + input + "' is produced by nothing");
      }
      CheckOperator(node, context_.opsets, context_, NodeWhere(index, ""), /*in_function=*/false);
      CheckNodeAttributes(index);
      for (int output_index = 0; output_index < node.output_size(); ++output_index) {
        const std::string& output = node.output(output_index);
        if (output.empty()) continue;
        std::string field = "output[" + std::to_string(output_index) + "]";
        if (scope_.names.count(output) != 0) {
          Report(RuleId::kDuplicateDefinition, NodeWhere(index, field),
                 "'" + output + "' is already defined" + DefinedBy(output));
        } else if (outer_ != nullptr && outer_->Defines(output)) {
          Report(RuleId::kDuplicateDefinition, NodeWhere(index, field),
                 "'" + output + "' redefines a value of an enclosing graph");
        }
        scope_.names.insert(output);
        defined_by_node_.emplace(output, index);
      }
      if (context_.sink->errors() > errors_before) context_.skip_inference.insert(&node);
    }
    CheckOrder();
  }

  std::string DefinedBy(const std::string& name) const {
    auto node = defined_by_node_.find(name);
    if (node != defined_by_node_.end()) return " by " + NodeLabel(node->second);
    if (graph_inputs_.count(name) != 0) return " as a graph input";
    return " as an initializer";
  }

  // Nodes on a cycle (or between cycles): what Kahn's algorithm cannot order from either end.
  std::vector<bool> NodesOnCycles() const {
    int count = graph_.node_size();
    std::vector<std::vector<int>> successors(count), predecessors(count);
    for (int index = 0; index < count; ++index) {
      for (const std::string& input : graph_.node(index).input()) {
        auto producer = producer_.find(input);
        if (input.empty() || producer == producer_.end()) continue;
        if (initializers_.count(input) != 0 || graph_inputs_.count(input) != 0) continue;
        successors[producer->second].push_back(index);
        predecessors[index].push_back(producer->second);
      }
    }
    std::vector<bool> remaining(count, true);
    auto prune = [&](const std::vector<std::vector<int>>& incoming,
                     const std::vector<std::vector<int>>& outgoing) {
      std::vector<int> degree(count, 0), ready;
      for (int index = 0; index < count; ++index) {
        if (!remaining[index]) continue;
        for (int from : incoming[index]) degree[index] += remaining[from] ? 1 : 0;
        if (degree[index] == 0) ready.push_back(index);
      }
      while (!ready.empty()) {
        int index = ready.back();
        ready.pop_back();
        remaining[index] = false;
        for (int next : outgoing[index]) {
          if (remaining[next] && --degree[next] == 0) ready.push_back(next);
        }
      }
    };
    prune(predecessors, successors);
    prune(successors, predecessors);
    return remaining;
  }

  void CheckOrder() {
    if (forward_uses_.empty()) return;
    std::vector<bool> on_cycle = NodesOnCycles();
    for (const ForwardUse& use : forward_uses_) {
      context_.skip_inference.insert(&graph_.node(use.consumer));
      if (on_cycle[use.consumer] && on_cycle[use.producer]) continue;
      const std::string& input = graph_.node(use.consumer).input(use.input_index);
      Report(RuleId::kUseBeforeDefinition,
             NodeWhere(use.consumer, "input[" + std::to_string(use.input_index) + "]"),
             "'" + input + "' is produced later, by " + NodeLabel(use.producer) +
                 ": nodes are not in topological order");
    }
    std::vector<std::string> members;
    int first = -1;
    for (int index = 0; index < graph_.node_size(); ++index) {
      if (!on_cycle[index]) continue;
      if (first < 0) first = index;
      if (members.size() < 8) members.push_back(NodeLabel(index));
      context_.skip_inference.insert(&graph_.node(index));
    }
    if (first >= 0) {
      Report(RuleId::kGraphCycle, NodeWhere(first, ""),
             "the node depends on itself through a cycle: " + JoinStrings(members, ", "));
    }
  }

  void CheckOutputs() {
    std::unordered_set<std::string> seen;
    for (int index = 0; index < graph_.output_size(); ++index) {
      const auto& output = graph_.output(index);
      std::string field = "output[" + std::to_string(index) + "]";
      if (output.name().empty()) {
        Report(RuleId::kMissingName, Where(field), "graph output has no name");
        continue;
      }
      if (!seen.insert(output.name()).second) {
        Report(RuleId::kDuplicateGraphOutput, Where(field),
               "'" + output.name() + "' is listed twice among the graph outputs");
      }
      graph_outputs_.insert(output.name());
      if (!Use(output.name())) {
        Report(RuleId::kUndefinedGraphOutput, Where(field),
               "graph output '" + output.name() + "' is produced by nothing");
      }
      CheckIoType(output, field);
      CheckDeclaredType(output.type(), context_, Where(field));
    }
  }

  void CheckUsage() {
    auto unused = [&](const std::string& name) {
      return uses_.count(name) == 0 && graph_outputs_.count(name) == 0;
    };
    for (const auto& tensor : graph_.initializer()) {
      if (!tensor.name().empty() && unused(tensor.name())) {
        Report(RuleId::kUnusedInitializer, Where("initializer '" + tensor.name() + "'"),
               "initializer '" + tensor.name() + "' is used by no node");
      }
    }
    if (is_main()) {
      for (int index = 0; index < graph_.input_size(); ++index) {
        const std::string& name = graph_.input(index).name();
        if (!name.empty() && initializers_.count(name) == 0 && unused(name)) {
          Report(RuleId::kUnusedInput, Where("input[" + std::to_string(index) + "]"),
                 "graph input '" + name + "' is used by no node");
        }
      }
    }
    for (int index = 0; index < graph_.node_size(); ++index) {
      const auto& node = graph_.node(index);
      bool any_output = false, any_used = false;
      for (const std::string& output : node.output()) {
        if (output.empty()) continue;
        any_output = true;
        any_used = any_used || !unused(output);
      }
      if (any_output && !any_used) {
        Report(RuleId::kDeadNode, NodeWhere(index, ""),
               "no node or graph output uses the outputs of this node");
      }
    }
  }

  const onnx::GraphProto& graph_;
  ModelContext& context_;
  const Scope* outer_;
  std::string path_;
  int depth_;
  Scope scope_;
  std::unordered_set<std::string> graph_inputs_, initializers_, graph_outputs_, free_names_;
  std::unordered_map<std::string, int> uses_, producer_, defined_by_node_;
  std::vector<ForwardUse> forward_uses_;
};

}  // namespace

std::unordered_set<std::string> CheckGraph(const onnx::GraphProto& graph, ModelContext& context,
                                           const Scope* outer, const std::string& subgraph_path,
                                           int depth) {
  return GraphChecker(graph, context, outer, subgraph_path, depth).Run();
}

}  // namespace zooci::check_internal
