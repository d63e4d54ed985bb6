// Operator rules for one node: the op exists in its domain at the imported opset, input and
// output counts, attributes (required, types, unknown, well-formed), deprecated and
// experimental ops, custom domains.
#include "check/internal.h"

namespace zooci::check_internal {
namespace {

using onnx::AttributeProto;
using onnx::OpSchema;

// Experimental ops onnx's checker lets through with a warning (onnx/checker.cc).
bool IsExperimentalOp(const std::string& op_type) {
  static const std::set<std::string> ops = {"ATen",
                                            "Affine",
                                            "ConstantFill",
                                            "Crop",
                                            "DynamicSlice",
                                            "GRUUnit",
                                            "GivenTensorFill",
                                            "ImageScaler",
                                            "ParametricSoftplus",
                                            "Scale",
                                            "ScaledTanh"};
  return ops.count(op_type) != 0;
}

std::string_view AttributeTypeName(int type) {
  static constexpr std::string_view names[] = {
      "UNDEFINED",      "FLOAT",      "INT",        "STRING",  "TENSOR", "GRAPH",
      "FLOATS",         "INTS",       "STRINGS",    "TENSORS", "GRAPHS", "SPARSE_TENSOR",
      "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
  if (type >= 0 && type < static_cast<int>(std::size(names))) return names[type];
  return "UNKNOWN";
}

// Which value field the attribute's declared type requires, and how many value fields it sets.
bool ValueMatchesType(const AttributeProto& attribute, int* fields_set) {
  *fields_set = attribute.has_f() + attribute.has_i() + attribute.has_s() + attribute.has_t() +
                attribute.has_g() + attribute.has_sparse_tensor() + attribute.has_tp() +
                (attribute.floats_size() > 0) + (attribute.ints_size() > 0) +
                (attribute.strings_size() > 0) + (attribute.tensors_size() > 0) +
                (attribute.graphs_size() > 0) + (attribute.sparse_tensors_size() > 0) +
                (attribute.type_protos_size() > 0);
  switch (attribute.type()) {
    case AttributeProto::FLOAT:
      return attribute.has_f();
    case AttributeProto::INT:
      return attribute.has_i();
    case AttributeProto::STRING:
      return attribute.has_s();
    case AttributeProto::TENSOR:
      return attribute.has_t();
    case AttributeProto::GRAPH:
      return attribute.has_g();
    case AttributeProto::SPARSE_TENSOR:
      return attribute.has_sparse_tensor();
    case AttributeProto::TYPE_PROTO:
      return attribute.has_tp();
    // Empty lists are valid values of the list types.
    case AttributeProto::FLOATS:
    case AttributeProto::INTS:
    case AttributeProto::STRINGS:
    case AttributeProto::TENSORS:
    case AttributeProto::GRAPHS:
    case AttributeProto::SPARSE_TENSORS:
    case AttributeProto::TYPE_PROTOS:
      return true;
    default:
      return false;
  }
}

// Attribute well-formedness, independent of any schema. Returns false when one is malformed.
bool CheckAttributesWellFormed(const onnx::NodeProto& node, const ModelContext& context,
                               const Location& where, bool in_function) {
  bool ok = true;
  std::set<std::string> names;
  for (const auto& attribute : node.attribute()) {
    Location at = where;
    at.field = "attribute '" + attribute.name() + "'";
    auto report = [&](std::string message) {
      context.sink->Report(RuleId::kMalformedAttribute, at, std::move(message));
      ok = false;
    };
    if (attribute.name().empty()) {
      report("an attribute has no name");
      continue;
    }
    if (!names.insert(attribute.name()).second) report("the attribute is set twice");
    if (!attribute.ref_attr_name().empty()) {
      if (!in_function) report("ref_attr_name is only allowed inside a function body");
      continue;
    }
    if (attribute.type() == AttributeProto::UNDEFINED) {
      if (context.ir_version >= 2) report("the attribute has no type (required from IR 2)");
      continue;
    }
    int fields_set = 0;
    if (!ValueMatchesType(attribute, &fields_set)) {
      report("declared type " + std::string(AttributeTypeName(attribute.type())) +
             " but the matching value field is not set");
    } else if (fields_set > 1) {
      report("sets " + std::to_string(fields_set) + " value fields; an attribute holds one");
    }
  }
  return ok;
}

// Whether `schema` rejects the attribute too: some schemas accept unchecked attributes, which
// OpSchema does not expose, so a suspected unknown attribute is confirmed with Verify.
bool SchemaRejectsAttribute(const OpSchema& schema, const onnx::NodeProto& node,
                            const std::string& name) {
  try {
    schema.Verify(node);
  } catch (const std::exception& error) {
    return std::string_view(error.what()).find("Unrecognized attribute: " + name) !=
           std::string_view::npos;
  }
  return false;
}

// Conv and pooling attributes libonnx's inference divides by: must be positive (pads >= 0).
bool CheckAttributeValues(const onnx::NodeProto& node, const ModelContext& context,
                          const Location& where) {
  static const std::set<std::string> kWindowOps = {
      "Conv",        "ConvTranspose", "ConvInteger", "QLinearConv", "MaxPool",
      "AveragePool", "LpPool",        "MaxUnpool",   "MaxRoiPool",  "DeformConv"};
  if (!node.domain().empty() && node.domain() != "ai.onnx") return true;
  if (kWindowOps.count(node.op_type()) == 0) return true;
  bool ok = true;
  for (const auto& attribute : node.attribute()) {
    const std::string& name = attribute.name();
    bool positive = name == "strides" || name == "dilations" || name == "kernel_shape";
    if (!positive && name != "pads") continue;
    for (int index = 0; index < attribute.ints_size(); ++index) {
      int64_t value = attribute.ints(index);
      if (positive ? value > 0 : value >= 0) continue;
      Location at = where;
      at.field = "attribute '" + name + "'";
      context.sink->Report(RuleId::kInvalidAttributeValue, at,
                           name + "[" + std::to_string(index) + "] is " + std::to_string(value) +
                               (positive ? "; it must be positive" : "; it must be >= 0"));
      ok = false;
      break;
    }
  }
  return ok;
}

bool CheckCounts(const OpSchema& schema, const onnx::NodeProto& node, const ModelContext& context,
                 const Location& where) {
  bool ok = true;
  auto bounds = [](int min, int max) {
    if (min == max) return std::to_string(min);
    if (max == std::numeric_limits<int>::max()) return std::to_string(min) + " or more";
    return std::to_string(min) + " to " + std::to_string(max);
  };
  auto op = [&] { return node.op_type() + "-" + std::to_string(schema.SinceVersion()); };
  if (node.input_size() < schema.min_input() || node.input_size() > schema.max_input()) {
    context.sink->Report(RuleId::kInputCount, where,
                         "has " + std::to_string(node.input_size()) + " inputs; " + op() +
                             " takes " + bounds(schema.min_input(), schema.max_input()));
    ok = false;
  }
  if (node.output_size() < schema.min_output() || node.output_size() > schema.max_output()) {
    context.sink->Report(RuleId::kOutputCount, where,
                         "has " + std::to_string(node.output_size()) + " outputs; " + op() +
                             " produces " + bounds(schema.min_output(), schema.max_output()));
    ok = false;
  }
  const auto& formals = schema.inputs();
  for (int index = 0; index < node.input_size() && index < static_cast<int>(formals.size());
       ++index) {
    if (node.input(index).empty() &&
        formals[index].GetOption() == OpSchema::FormalParameterOption::Single) {
      Location at = where;
      at.field = "input[" + std::to_string(index) + "]";
      context.sink->Report(
          RuleId::kMissingRequiredInput, at,
          "required input '" + formals[index].GetName() + "' of " + op() + " is empty");
      ok = false;
    }
  }
  return ok;
}

bool CheckSchemaAttributes(const OpSchema& schema, const onnx::NodeProto& node,
                           const ModelContext& context, const Location& where) {
  bool ok = true;
  auto op = [&] { return node.op_type() + "-" + std::to_string(schema.SinceVersion()); };
  std::set<std::string> present;
  for (const auto& attribute : node.attribute()) {
    present.insert(attribute.name());
    if (attribute.name().rfind("__", 0) == 0 || !attribute.ref_attr_name().empty()) continue;
    Location at = where;
    at.field = "attribute '" + attribute.name() + "'";
    auto declared = schema.attributes().find(attribute.name());
    if (declared == schema.attributes().end()) {
      if (SchemaRejectsAttribute(schema, node, attribute.name())) {
        context.sink->Report(RuleId::kUnknownAttribute, at, op() + " has no such attribute");
        ok = false;
      }
      continue;
    }
    if (attribute.type() != AttributeProto::UNDEFINED &&
        attribute.type() != declared->second.type) {
      context.sink->Report(RuleId::kAttributeTypeMismatch, at,
                           "is " + std::string(AttributeTypeName(attribute.type())) + "; " + op() +
                               " declares " +
                               std::string(AttributeTypeName(declared->second.type)));
      ok = false;
    }
  }
  for (const auto& [name, declared] : schema.attributes()) {
    if (declared.required && present.count(name) == 0) {
      Location at = where;
      at.field = "attribute '" + name + "'";
      context.sink->Report(RuleId::kMissingRequiredAttribute, at,
                           "required attribute '" + name + "' of " + op() + " is not set");
      ok = false;
    }
  }
  return ok;
}

}  // namespace

const OpSchema* CheckOperator(const onnx::NodeProto& node, const OpsetMap& opsets,
                              ModelContext& context, const Location& where, bool in_function) {
  bool attributes_ok = CheckAttributesWellFormed(node, context, where, in_function);
  if (node.op_type().empty()) {
    context.sink->Report(RuleId::kMissingOpType, where, "the node has no op_type");
    return nullptr;
  }
  std::string domain = NormalizeDomain(node.domain());
  context.used_domains.insert(domain);
  std::string function_id = node.domain() + ":" + node.op_type();
  if (auto function = context.functions.find(function_id); function != context.functions.end()) {
    context.used_functions.insert(function_id);
    // A call may leave trailing inputs and outputs out (optional), never pass more than declared.
    const onnx::FunctionProto& callee = *function->second;
    if (node.input_size() > callee.input_size()) {
      context.sink->Report(RuleId::kInputCount, where,
                           "calls function '" + function_id + "' with " +
                               std::to_string(node.input_size()) + " inputs; it declares " +
                               std::to_string(callee.input_size()));
      attributes_ok = false;
    }
    if (node.output_size() > callee.output_size()) {
      context.sink->Report(RuleId::kOutputCount, where,
                           "calls function '" + function_id + "' with " +
                               std::to_string(node.output_size()) + " outputs; it declares " +
                               std::to_string(callee.output_size()));
      attributes_ok = false;
    }
  }
  auto imported = opsets.find(domain);
  if (imported == opsets.end() &&
      (context.opset_import_missing || context.invalid_opset_domains.count(domain) != 0)) {
    return nullptr;  // reported once at the model level
  }
  if (imported == opsets.end()) {
    context.sink->Report(RuleId::kDomainNotImported, where,
                         "domain '" + (domain.empty() ? std::string("ai.onnx") : domain) +
                             "' of op '" + node.op_type() + "' is not in opset_import");
    return nullptr;
  }
  if (!IsStandardDomain(domain)) {
    if (context.functions.count(function_id) == 0 &&
        context.reported_ops.emplace(domain, node.op_type()).second) {
      context.sink->Report(RuleId::kCustomDomainOp, where,
                           "op '" + node.op_type() + "' of custom domain '" + domain +
                               "' needs a runtime that provides it; its schema is not checked");
    }
    return nullptr;
  }
  int version = imported->second;
  int newest = NewestKnownOpset(domain);
  std::string domain_label = domain.empty() ? "ai.onnx" : domain;
  if (version > newest) {
    if (context.reported_ops.emplace(domain, node.op_type()).second) {
      context.sink->Report(RuleId::kOpsetNewerThanChecker, where,
                           "op '" + node.op_type() + "' at " + domain_label + " opset " +
                               std::to_string(version) + ": schema, attribute and type checks " +
                               "not made (this checker knows up to opset " +
                               std::to_string(newest) + ")");
    }
    return nullptr;
  }
  if (domain.empty() && IsExperimentalOp(node.op_type())) {
    context.sink->Report(RuleId::kExperimentalOp, where,
                         "op '" + node.op_type() + "' is experimental (no stable schema)");
    return nullptr;
  }
  const OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), version, domain);
  if (schema == nullptr) {
    context.sink->Report(RuleId::kUnknownOp, where,
                         "op '" + node.op_type() + "' does not exist in " + domain_label +
                             " at opset " + std::to_string(version));
    return nullptr;
  }
  if (schema->support_level() == OpSchema::SupportType::EXPERIMENTAL) {
    context.sink->Report(
        RuleId::kExperimentalOp, where,
        node.op_type() + "-" + std::to_string(schema->SinceVersion()) + " is experimental");
    return nullptr;
  }
  if (schema->Deprecated()) {
    context.sink->Report(RuleId::kDeprecatedOp, where,
                         "op '" + node.op_type() + "' is deprecated at " + domain_label +
                             " opset " + std::to_string(version) + " (since opset " +
                             std::to_string(schema->SinceVersion()) + ")");
    return nullptr;
  }
  bool counts_ok = CheckCounts(*schema, node, context, where);
  bool schema_attributes_ok = CheckSchemaAttributes(*schema, node, context, where);
  bool values_ok = CheckAttributeValues(node, context, where);
  if (!attributes_ok || !counts_ok || !schema_attributes_ok || !values_ok) return nullptr;
  context.schemas.emplace(&node, schema);
  return schema;
}

}  // namespace zooci::check_internal
