// Model-local function bodies: definitions before use, single assignment, operators checked
// against the function's own opset imports, subgraphs, and call cycles between functions.
#include <functional>

#include "check/internal.h"

namespace zooci::check_internal {
namespace {

std::string FunctionId(const std::string& domain, const std::string& name) {
  return domain + ":" + name;
}

// The function's opset imports over the model's: a function may import domains of its own.
OpsetMap FunctionOpsets(const onnx::FunctionProto& function, const OpsetMap& model_opsets) {
  OpsetMap opsets = model_opsets;
  for (const auto& opset : function.opset_import()) {
    if (opset.version() > 0 && opset.version() <= INT32_MAX) {
      opsets[NormalizeDomain(opset.domain())] = static_cast<int>(opset.version());
    }
  }
  return opsets;
}

void CheckBody(const onnx::FunctionProto& function, ModelContext& context) {
  std::string label = function.domain() + "::" + function.name();
  OpsetMap opsets = FunctionOpsets(function, context.opsets);
  Scope scope;
  for (const std::string& input : function.input()) scope.names.insert(input);
  for (int index = 0; index < function.node_size(); ++index) {
    const onnx::NodeProto& node = function.node(index);
    Location where;
    where.graph = context.graph_name;
    where.function = label;
    where.node_name = node.name();
    where.node_index = index;
    where.op_type = node.op_type();
    int errors_before = context.sink->errors();
    for (int input_index = 0; input_index < node.input_size(); ++input_index) {
      const std::string& input = node.input(input_index);
      if (input.empty() || scope.names.count(input) != 0) continue;
      Location at = where;
      at.field = "input[" + std::to_string(input_index) + "]";
      context.sink->Report(RuleId::kDanglingInput, at,
                           "'" + input + "' is defined by no function input or earlier node");
    }
    CheckOperator(node, opsets, context, where, /*in_function=*/true);
    for (const auto& attribute : node.attribute()) {
      if (attribute.has_g()) CheckGraph(attribute.g(), context, &scope, label, 1);
      for (const auto& graph : attribute.graphs()) CheckGraph(graph, context, &scope, label, 1);
    }
    for (int output_index = 0; output_index < node.output_size(); ++output_index) {
      const std::string& output = node.output(output_index);
      if (output.empty()) continue;
      if (!scope.names.insert(output).second) {
        Location at = where;
        at.field = "output[" + std::to_string(output_index) + "]";
        context.sink->Report(RuleId::kDuplicateDefinition, at,
                             "'" + output + "' is already defined in the function");
      }
    }
    if (context.sink->errors() > errors_before) context.skip_inference.insert(&node);
  }
  for (int index = 0; index < function.output_size(); ++index) {
    if (scope.names.count(function.output(index)) != 0) continue;
    Location where;
    where.graph = context.graph_name;
    where.function = label;
    where.field = "output[" + std::to_string(index) + "]";
    context.sink->Report(RuleId::kUndefinedGraphOutput, where,
                         "function output '" + function.output(index) + "' is produced by nothing");
  }
}

// Calls from `function`'s nodes (and their subgraphs) to other model-local functions.
void CollectCalls(const google::protobuf::RepeatedPtrField<onnx::NodeProto>& nodes,
                  const ModelContext& context, std::set<std::string>* calls) {
  for (const auto& node : nodes) {
    std::string id = FunctionId(node.domain(), node.op_type());
    if (context.functions.count(id) != 0) calls->insert(id);
    for (const auto& attribute : node.attribute()) {
      if (attribute.has_g()) CollectCalls(attribute.g().node(), context, calls);
      for (const auto& graph : attribute.graphs()) CollectCalls(graph.node(), context, calls);
    }
  }
}

// Inference expands function calls recursively: a function that reaches a cycle, or whose calls
// nest deeper than onnx's own limit, is not expanded (and a too-deep chain is reported).
void MarkUnsafeCallers(std::map<std::string, std::set<std::string>>& calls, ModelContext& context) {
  constexpr int kMaxCallDepth = 100;
  constexpr int kUnsafe = -1;
  std::map<std::string, int> depth;
  std::function<int(const std::string&)> depth_of = [&](const std::string& id) -> int {
    if (context.unsafe_functions.count(id) != 0) return kUnsafe;
    auto known = depth.find(id);
    if (known != depth.end()) return known->second;
    depth[id] = kUnsafe;  // a cycle the walk above missed stays unsafe
    int result = 1;
    for (const std::string& callee : calls[id]) {
      int callee_depth = depth_of(callee);
      if (callee_depth == kUnsafe) {
        result = kUnsafe;
        break;
      }
      result = std::max(result, callee_depth + 1);
    }
    if (result > kMaxCallDepth) {
      Location where;
      where.graph = context.graph_name;
      const auto* function = context.functions.at(id);
      where.function = function->domain() + "::" + function->name();
      context.sink->Report(RuleId::kMalformedFunction, where,
                           "function calls nest " + std::to_string(result) + " deep; at most " +
                               std::to_string(kMaxCallDepth) + " are allowed");
      result = kUnsafe;
    }
    depth[id] = result;
    return result;
  };
  for (const auto& [id, function] : context.functions) {
    if (depth_of(id) == kUnsafe) context.unsafe_functions.insert(id);
  }
}

void CheckCallCycles(ModelContext& context) {
  std::map<std::string, std::set<std::string>> calls;
  for (const auto& [id, function] : context.functions) {
    CollectCalls(function->node(), context, &calls[id]);
    for (const std::string& callee : calls[id]) context.used_functions.insert(callee);
  }
  enum class Mark { kNone, kActive, kDone };
  std::map<std::string, Mark> marks;
  std::set<std::string> reported;
  std::vector<std::string> stack;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    marks[id] = Mark::kActive;
    stack.push_back(id);
    for (const std::string& callee : calls[id]) {
      if (marks[callee] == Mark::kActive) {
        auto start = std::find(stack.begin(), stack.end(), callee);
        std::vector<std::string> cycle(start, stack.end());
        context.unsafe_functions.insert(cycle.begin(), cycle.end());
        cycle.push_back(callee);
        if (reported.insert(callee).second) {
          Location where;
          where.graph = context.graph_name;
          const auto* function = context.functions.at(callee);
          where.function = function->domain() + "::" + function->name();
          context.sink->Report(
              RuleId::kFunctionCallCycle, where,
              "functions call each other in a cycle: " + JoinStrings(cycle, " -> "));
        }
      } else if (marks[callee] == Mark::kNone) {
        visit(callee);
      }
    }
    stack.pop_back();
    marks[id] = Mark::kDone;
  };
  // Depth is bounded by the number of functions, itself bounded by the 2 GiB file limit.
  for (const auto& [id, function] : context.functions) {
    if (marks[id] == Mark::kNone) visit(id);
  }
  MarkUnsafeCallers(calls, context);
}

}  // namespace

void CheckFunctionBodies(const onnx::ModelProto& model, ModelContext& context) {
  // Over the limit, CheckFunctions registered none and reported why.
  if (context.functions.empty()) return;
  for (const auto& function : model.functions()) CheckBody(function, context);
  CheckCallCycles(context);
}

}  // namespace zooci::check_internal
