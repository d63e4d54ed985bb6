// Strict type and shape inference through libonnx, run node by node over the main graph so
// that a node's failure is reported against that node and does not hide the others. Bodies of
// If/Loop/Scan are inferred by libonnx's graph inferencer from their node's inference function.
#include <onnx/shape_inference/implementation.h>

#include "check/internal.h"
#include "onnx/onnx_io.h"

namespace zooci::check_internal {
namespace {

using onnx::TypeProto;
namespace si = onnx::shape_inference;

std::string DescribeType(const TypeProto& type) {
  switch (type.value_case()) {
    case TypeProto::kTensorType: {
      const auto& tensor = type.tensor_type();
      std::string text = "tensor(" + ElemTypeName(static_cast<ElemType>(tensor.elem_type())) + ")";
      if (!tensor.has_shape()) return text;
      text += "[";
      for (int index = 0; index < tensor.shape().dim_size(); ++index) {
        const auto& dim = tensor.shape().dim(index);
        if (index > 0) text += ",";
        text += dim.has_dim_value() ? std::to_string(dim.dim_value())
                                    : (dim.has_dim_param() ? dim.dim_param() : "?");
      }
      return text + "]";
    }
    case TypeProto::kSequenceType:
      return "seq(" + DescribeType(type.sequence_type().elem_type()) + ")";
    case TypeProto::kOptionalType:
      return "optional(" + DescribeType(type.optional_type().elem_type()) + ")";
    case TypeProto::kSparseTensorType:
      return "sparse_tensor(" +
             ElemTypeName(static_cast<ElemType>(type.sparse_tensor_type().elem_type())) + ")";
    case TypeProto::kMapType:
      return "map";
    default:
      return "unknown";
  }
}

// libonnx prefixes messages with "(op_type:X, node name: Y): "; the location says that already.
std::string CleanMessage(std::string message) {
  auto start = message.find("(op_type:");
  if (start != std::string::npos) {
    auto end = message.find("): ", start);
    if (end != std::string::npos) message.erase(start, end + 3 - start);
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

TypeProto TensorType(const onnx::TensorProto& tensor) {
  TypeProto type;
  auto* tensor_type = type.mutable_tensor_type();
  tensor_type->set_elem_type(tensor.data_type());
  auto* shape = tensor_type->mutable_shape();
  for (int64_t dim : tensor.dims()) shape->add_dim()->set_dim_value(dim);
  return type;
}

class GraphInference {
 public:
  GraphInference(onnx::ModelProto& model, const ModelContext& context)
      : graph_(*model.mutable_graph()), context_(context) {
    for (const auto& [domain, version] : context.opsets) opsets_[domain] = version;
    if (opsets_.count("") != 0) opsets_["ai.onnx"] = opsets_[""];
    // Unsafe functions stay unknown to libonnx, which would expand them without bound.
    for (const auto& [id, function] : context.functions) {
      if (context.unsafe_functions.count(id) == 0) functions_[id] = function;
    }
    symbols_.addFromGraph(graph_);
  }

  void Run() {
    SeedGraphValues();
    si::GraphInferenceContext graph_context(types_, opsets_, &symbols_, functions_,
                                            onnx::OpSchemaRegistry::Instance(), nullptr,
                                            static_cast<int>(context_.ir_version));
    for (int index = 0; index < graph_.node_size(); ++index) InferNode(index, graph_context);
    for (int index = 0; index < graph_.output_size(); ++index) {
      if (types_.count(graph_.output(index).name()) == 0) {
        Location where = GraphLocation(context_, "");
        where.field = "output[" + std::to_string(index) + "]";
        context_.sink->Report(
            RuleId::kInferenceIncomplete, where,
            "the type of '" + graph_.output(index).name() + "' could not be inferred");
      }
    }
  }

 private:
  void SetType(const std::string& name, TypeProto type) {
    TypeProto& slot = owned_[name];
    slot = std::move(type);
    types_[name] = &slot;
  }

  void SeedGraphValues() {
    std::unordered_map<std::string, const onnx::ValueInfoProto*> inputs;
    for (const auto& input : graph_.input()) {
      if (input.has_type()) SetType(input.name(), input.type());
      inputs[input.name()] = &input;
    }
    for (int index = 0; index < graph_.initializer_size(); ++index) {
      const auto& tensor = graph_.initializer(index);
      if (context_.bad_initializers.count(tensor.name()) != 0) {
        types_.erase(tensor.name());  // consumers are not inferred
        continue;
      }
      TypeProto type = TensorType(tensor);
      auto input = inputs.find(tensor.name());
      if (input == inputs.end()) {
        SetType(tensor.name(), type);
        data_[tensor.name()] = &tensor;
        continue;
      }
      // An initializer that is also a graph input is a default the caller may override.
      if (context_.ir_version <= 3) data_[tensor.name()] = &tensor;
      if (!input->second->has_type()) continue;
      try {
        si::checkShapesAndTypes(type, input->second->type());
      } catch (const std::exception& error) {
        Location where = GraphLocation(context_, "");
        where.field = "initializer '" + tensor.name() + "'";
        context_.sink->Report(RuleId::kInitializerInputMismatch, where,
                              "initializer is " + DescribeType(type) + " but graph input '" +
                                  tensor.name() + "' declares " +
                                  DescribeType(input->second->type()) + " (" +
                                  CleanMessage(error.what()) + ")");
      }
    }
    for (const auto& info : graph_.value_info()) declared_[info.name()] = &info.type();
    for (const auto& output : graph_.output()) {
      if (output.has_type()) declared_outputs_[output.name()] = &output.type();
    }
  }

  bool InputsKnown(const onnx::NodeProto& node) const {
    for (const std::string& input : node.input()) {
      if (!input.empty() && types_.count(input) == 0) return false;
    }
    return true;
  }

  void Report(RuleId id, int index, std::string field, std::string message) {
    Location where = NodeLocation(context_, "", graph_.node(index), index);
    where.field = std::move(field);
    context_.sink->Report(id, where, std::move(message));
  }

  void InferNode(int index, si::GraphInferenceContext& graph_context) {
    onnx::NodeProto& node = *graph_.mutable_node(index);
    if (context_.skip_inference.count(&node) != 0 || !InputsKnown(node)) return;
    std::string domain = NormalizeDomain(node.domain());
    auto function = functions_.find(node.domain() + ":" + node.op_type());
    auto checked = context_.schemas.find(&node);
    const onnx::OpSchema* schema = checked == context_.schemas.end() ? nullptr : checked->second;
    if (schema == nullptr && function == functions_.end()) {
      AdoptDeclaredOutputs(node);
      return;
    }
    // Leaked, not destroyed, if libonnx faults while using it (see fault_guard.cpp).
    auto* inference =
        new si::InferenceContextImpl(node, types_, data_, {}, nullptr, &graph_context);
    std::string error;
    bool adopt_declared = false;
    auto infer = [&] {
      try {
        if (schema != nullptr && schema->has_type_and_shape_inference_function()) {
          schema->GetTypeAndShapeInferenceFunction()(*inference);
        } else if (schema != nullptr && schema->HasFunction()) {
          si::InferShapeForFunctionNode(*schema->GetFunction(), onnx::OpSchemaRegistry::Instance(),
                                        *inference, {true, 1, false}, functions_, &symbols_);
        } else if (schema == nullptr) {
          std::unordered_map<std::string, int> function_opsets = opsets_;
          for (const auto& opset : function->second->opset_import()) {
            function_opsets[opset.domain()] = static_cast<int>(opset.version());
          }
          si::InferShapeForFunctionNode(*function->second, function_opsets,
                                        onnx::OpSchemaRegistry::Instance(), *inference,
                                        {true, 1, false}, functions_, &symbols_);
        } else {
          adopt_declared = true;
        }
        if (schema != nullptr && !adopt_declared) {
          try {
            schema->CheckInputOutputType(*inference);
          } catch (const std::exception& constraint) {
            error = std::string("\x01") + constraint.what();  // marks a type-constraint failure
          }
        }
      } catch (const std::exception& thrown) {
        error = thrown.what();
      }
    };
    int fault = CallWithFaultGuard(infer);
    if (fault != 0) {
      AbandonAfterFault(inference);
      Report(RuleId::kInferenceError, index, "",
             "libonnx's type inference for " + node.op_type() + " crashed with " +
                 FaultName(fault) +
                 ": the node's input shapes or attributes are outside what it assumes");
      return;
    }
    std::unique_ptr<si::InferenceContextImpl> owned(inference);
    if (adopt_declared) {
      AdoptDeclaredOutputs(node);
      return;
    }
    if (!error.empty() && error[0] == '\x01') {
      ReportTypeConstraint(index, *schema, *inference, CleanMessage(error.substr(1)));
      return;
    }
    if (!error.empty()) {
      Report(RuleId::kInferenceError, index, "", CleanMessage(error));
      return;
    }
    for (int output_index = 0; output_index < node.output_size(); ++output_index) {
      const std::string& name = node.output(output_index);
      if (name.empty() || output_index >= static_cast<int>(inference->allOutputTypes_.size())) {
        continue;
      }
      RecordOutput(index, output_index, name, inference->allOutputTypes_[output_index]);
    }
    // Like libonnx, a Constant's value feeds shape computations downstream (Reshape, Expand).
    if (node.op_type() == "Constant" && domain.empty() && node.output_size() == 1) {
      for (const auto& attribute : node.attribute()) {
        if (attribute.name() == "value" && attribute.has_t())
          data_[node.output(0)] = &attribute.t();
      }
    }
  }

  // A type outside the constraint at this opset is an error, unless the op's newest version
  // accepts it (a constraint later widened): then runtimes run it and it is a warning.
  void ReportTypeConstraint(int index, const onnx::OpSchema& schema,
                            si::InferenceContextImpl& inference, const std::string& message) {
    const onnx::NodeProto& node = graph_.node(index);
    const onnx::OpSchema* newest = onnx::OpSchemaRegistry::Schema(node.op_type(), schema.domain());
    if (newest != nullptr && newest != &schema) {
      try {
        newest->CheckInputOutputType(inference);
        Report(RuleId::kTypeAllowedByLaterOpset, index, "",
               node.op_type() + "-" + std::to_string(schema.SinceVersion()) + ": " + message +
                   "; " + node.op_type() + "-" + std::to_string(newest->SinceVersion()) +
                   " allows it");
        return;
      } catch (const std::exception&) {
        // The newest version rejects it too: a plain violation.
      }
    }
    Report(RuleId::kTypeConstraintViolation, index, "", message);
  }

  // Without a schema (custom ops), an output's type is what the model declares, if anything.
  void AdoptDeclaredOutputs(const onnx::NodeProto& node) {
    for (const std::string& name : node.output()) {
      auto declared = declared_.find(name);
      if (declared != declared_.end()) SetType(name, *declared->second);
      auto output = declared_outputs_.find(name);
      if (output != declared_outputs_.end()) SetType(name, *output->second);
    }
  }

  // Takes the inferred type over (it is the abandoned context's); copies only when merging.
  void RecordOutput(int index, int output_index, const std::string& name, TypeProto& inferred) {
    bool has_inferred = inferred.value_case() != TypeProto::VALUE_NOT_SET;
    bool declared_any = declared_.count(name) != 0 || declared_outputs_.count(name) != 0;
    if (!declared_any) {
      if (has_inferred) SetType(name, std::move(inferred));
      return;
    }
    TypeProto merged = inferred;
    for (auto [declared_map, rule, what] :
         {std::tuple{&declared_, RuleId::kValueInfoMismatch, "value_info"},
          std::tuple{&declared_outputs_, RuleId::kGraphOutputMismatch, "graph output"}}) {
      auto declared = declared_map->find(name);
      if (declared == declared_map->end()) continue;
      if (!has_inferred) {
        merged = *declared->second;
        has_inferred = true;
        continue;
      }
      try {
        si::checkShapesAndTypes(inferred, *declared->second);
        TypeProto combined = *declared->second;
        si::mergeShapesAndTypes(inferred, &combined);
        merged = combined;
      } catch (const std::exception& error) {
        Report(rule, index, "output[" + std::to_string(output_index) + "]",
               "'" + name + "': " + what + " declares " + DescribeType(*declared->second) +
                   ", inference gives " + DescribeType(inferred) + " (" +
                   CleanMessage(error.what()) + ")");
      }
    }
    if (has_inferred) SetType(name, std::move(merged));
  }

  onnx::GraphProto& graph_;
  const ModelContext& context_;
  std::unordered_map<std::string, int> opsets_;
  si::ModelLocalFunctionsMap functions_;
  si::SymbolTableImpl symbols_;
  std::unordered_map<std::string, TypeProto> owned_;
  std::unordered_map<std::string, TypeProto*> types_;
  std::unordered_map<std::string, const onnx::TensorProto*> data_;
  std::unordered_map<std::string, const TypeProto*> declared_, declared_outputs_;
};

}  // namespace

void InferTypes(onnx::ModelProto& model, const ModelContext& context) {
  if (!model.has_graph()) return;
  FaultGuardScope guard;
  GraphInference(model, context).Run();
}

}  // namespace zooci::check_internal
