// ProtoComparer: two parsed models compared field by field, metadata set aside (what counts is
// documented at CompareModelFiles in onnx_io.h).
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>

#include "onnx/model_compare_internal.h"
#include "onnx/proto_helpers.h"

namespace zooci {
namespace {

using google::protobuf::Message;
using google::protobuf::RepeatedPtrField;
using google::protobuf::UnknownFieldSet;
using google::protobuf::util::MessageDifferencer;

// metadata_props fields that onnx.proto gained after 1.12 (IR 10). This build's classes keep them
// as unknown fields; every other unknown field (NodeProto.overload, FunctionProto.attribute_proto,
// ...) is compared.
constexpr int kNoMetadataField = 0;
constexpr int kNewerValueInfoMetadataField = 4;
constexpr int kNewerNodeMetadataField = 9;
constexpr int kNewerFunctionMetadataField = 14;
constexpr int kNewerGraphMetadataField = 16;

// "" and "ai.onnx" name the same domain.
std::string DomainLabel(const std::string& domain) {
  return domain.empty() ? "ai.onnx" : domain;
}

uint32_t FloatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// "[1,2,3]", or "[1,2,...] (20 values)" for long lists.
template <typename List, typename Format>
std::string ListText(const List& list, Format format) {
  constexpr int kMaxShown = 8;
  std::string text = "[";
  for (int value_idx = 0; value_idx < std::min(list.size(), kMaxShown); ++value_idx) {
    text += (value_idx > 0 ? "," : "") + format(list.Get(value_idx));
  }
  if (list.size() <= kMaxShown) return text + "]";
  return text + ",...] (" + std::to_string(list.size()) + " values)";
}

template <typename List, typename Equal>
bool SameList(const List& a, const List& b, Equal equal) {
  if (a.size() != b.size()) return false;
  for (int value_idx = 0; value_idx < a.size(); ++value_idx) {
    if (!equal(a.Get(value_idx), b.Get(value_idx))) return false;
  }
  return true;
}

template <typename Proto>
bool SameMessages(const RepeatedPtrField<Proto>& a, const RepeatedPtrField<Proto>& b) {
  return SameList(a, b,
                  [](const Proto& x, const Proto& y) { return MessageDifferencer::Equals(x, y); });
}

}  // namespace

std::string JoinWhere(const std::string& where, const std::string& what) {
  return where.empty() ? what : where + ": " + what;
}

Result<ModelComparison> ProtoComparer::Compare(const onnx::ModelProto& a, const onnx::ModelProto& b,
                                               bool identical_bytes) {
  const bool same = SameModel(a, b);
  if (error_) return *error_;
  if (!same) return ModelComparison{ModelSameness::kDifferent, difference_};
  if (identical_bytes) return ModelComparison{ModelSameness::kIdenticalBytes, ""};
  return ModelComparison{ModelSameness::kSameGraphAndWeights, Summary()};
}

bool ProtoComparer::Differ(std::string difference) {
  difference_ = std::move(difference);
  return false;
}
bool ProtoComparer::Fail(const Error& error) {
  error_ = error;
  return false;
}
void ProtoComparer::NoteMetadata(std::string note) {
  if (noted_.insert(note).second) metadata_notes_.push_back(std::move(note));
}

void ProtoComparer::NoteEncoding(std::string note) {
  if (noted_.insert(note).second) encoding_notes_.push_back(std::move(note));
}

std::string ProtoComparer::Summary() const {
  auto join = [](const std::vector<std::string>& notes) {
    constexpr size_t kMaxNotes = 6;
    std::vector<std::string> shown(notes.begin(),
                                   notes.begin() + std::min(notes.size(), kMaxNotes));
    std::string text = JoinStrings(shown, ", ");
    if (notes.size() > kMaxNotes)
      text += " and " + std::to_string(notes.size() - kMaxNotes) + " more";
    return text;
  };
  if (!metadata_notes_.empty()) {
    std::string text = "metadata only: " + join(metadata_notes_);
    return encoding_notes_.empty() ? text : text + "; encoding: " + join(encoding_notes_);
  }
  if (!encoding_notes_.empty()) return "encoding only: " + join(encoding_notes_);
  return "serialization only: the same fields, serialized differently";
}

// Unknown fields (onnx.proto newer than this build's 1.12) are compared as serialized, except
// `metadata_field`, which is only noted.
bool ProtoComparer::SameUnknownFields(const Message& a, const Message& b, int metadata_field,
                                      const std::string& where) {
  const UnknownFieldSet& fields_a = a.GetReflection()->GetUnknownFields(a);
  const UnknownFieldSet& fields_b = b.GetReflection()->GetUnknownFields(b);
  if (fields_a.empty() && fields_b.empty()) return true;
  auto split = [metadata_field](const UnknownFieldSet& fields, std::string* semantic,
                                std::string* metadata) {
    UnknownFieldSet semantic_fields, metadata_fields;
    for (int field_idx = 0; field_idx < fields.field_count(); ++field_idx) {
      const bool is_metadata = fields.field(field_idx).number() == metadata_field;
      (is_metadata ? metadata_fields : semantic_fields).AddField(fields.field(field_idx));
    }
    semantic_fields.SerializeToString(semantic);
    metadata_fields.SerializeToString(metadata);
  };
  std::string semantic_a, metadata_a, semantic_b, metadata_b;
  split(fields_a, &semantic_a, &metadata_a);
  split(fields_b, &semantic_b, &metadata_b);
  if (semantic_a != semantic_b) {
    return Differ(JoinWhere(where, "fields newer than onnx 1.12 (unknown to this build) differ"));
  }
  if (metadata_a != metadata_b) NoteMetadata("metadata_props");
  return true;
}

void ProtoComparer::NoteModelMetadata(const onnx::ModelProto& a, const onnx::ModelProto& b) {
  if (a.producer_name() != b.producer_name()) {
    NoteMetadata("producer_name " + QuotedText(a.producer_name()) + " vs " +
                 QuotedText(b.producer_name()));
  }
  if (a.producer_version() != b.producer_version()) {
    NoteMetadata("producer_version " + QuotedText(a.producer_version()) + " vs " +
                 QuotedText(b.producer_version()));
  }
  if (a.domain() != b.domain()) {
    NoteMetadata("domain " + QuotedText(a.domain()) + " vs " + QuotedText(b.domain()));
  }
  if (a.model_version() != b.model_version()) {
    NoteMetadata("model_version " + std::to_string(a.model_version()) + " vs " +
                 std::to_string(b.model_version()));
  }
  if (a.doc_string() != b.doc_string()) NoteMetadata("doc_string");
  if (!SameMessages(a.metadata_props(), b.metadata_props())) NoteMetadata("metadata_props");
}

bool ProtoComparer::SameModel(const onnx::ModelProto& a, const onnx::ModelProto& b) {
  NoteModelMetadata(a, b);
  if (a.ir_version() != b.ir_version()) {
    return Differ("ir_version " + std::to_string(a.ir_version()) + " vs " +
                  std::to_string(b.ir_version()));
  }
  if (!SameOpsets(a.opset_import(), b.opset_import(), "opset_import")) return false;
  if (!SameGraph(a.graph(), b.graph(), "graph", /*is_main=*/true)) return false;
  if (!SameFunctions(a.functions(), b.functions())) return false;
  if (!SameMessages(a.training_info(), b.training_info())) return Differ("training_info differs");
  return SameUnknownFields(a, b, kNoMetadataField, "model");
}

bool ProtoComparer::SameOpsets(const RepeatedPtrField<onnx::OperatorSetIdProto>& a,
                               const RepeatedPtrField<onnx::OperatorSetIdProto>& b,
                               const std::string& what) {
  auto versions = [](const RepeatedPtrField<onnx::OperatorSetIdProto>& list) {
    std::map<std::string, int64_t> by_domain;
    for (const auto& opset : list) by_domain[DomainLabel(opset.domain())] = opset.version();
    return by_domain;
  };
  const auto versions_a = versions(a), versions_b = versions(b);
  for (const auto& [domain, version] : versions_a) {
    auto other = versions_b.find(domain);
    if (other == versions_b.end()) return Differ(what + " " + domain + " only in the first model");
    if (other->second != version) {
      return Differ(what + " " + domain + " " + std::to_string(version) + " vs " +
                    std::to_string(other->second));
    }
  }
  for (const auto& [domain, version] : versions_b) {
    if (versions_a.count(domain) == 0)
      return Differ(what + " " + domain + " only in the second model");
  }
  return true;
}

// The top-level graph's initializers are named without a prefix ("initializer 'w' ...").
bool ProtoComparer::SameGraph(const onnx::GraphProto& a, const onnx::GraphProto& b,
                              const std::string& where, bool is_main) {
  if (a.name() != b.name()) {
    NoteMetadata(is_main ? "graph name " + QuotedText(a.name()) + " vs " + QuotedText(b.name())
                         : "subgraph names");
  }
  if (a.doc_string() != b.doc_string())
    NoteMetadata(is_main ? "graph doc_string" : "subgraph doc_strings");
  if (!SameMessages(a.value_info(), b.value_info())) NoteMetadata("value_info");
  const std::string tensor_where = is_main ? "" : where;
  if (!SameValueInfos(a.input(), b.input(), where, "input") ||
      !SameValueInfos(a.output(), b.output(), where, "output") ||
      !SameNodes(a.node(), b.node(), where) ||
      !SameInitializers(a.initializer(), b.initializer(), tensor_where)) {
    return false;
  }
  if (a.sparse_initializer_size() != b.sparse_initializer_size()) {
    return Differ(JoinWhere(where, std::to_string(a.sparse_initializer_size()) +
                                       " sparse initializers vs " +
                                       std::to_string(b.sparse_initializer_size())));
  }
  for (int tensor_idx = 0; tensor_idx < a.sparse_initializer_size(); ++tensor_idx) {
    const auto& sparse = a.sparse_initializer(tensor_idx);
    if (!SameSparseTensor(
            sparse, b.sparse_initializer(tensor_idx),
            JoinWhere(tensor_where, "sparse initializer '" + sparse.values().name() + "'"))) {
      return false;
    }
  }
  if (!SameMessages(a.quantization_annotation(), b.quantization_annotation())) {
    return Differ(JoinWhere(where, "quantization_annotation differs"));
  }
  return SameUnknownFields(a, b, kNewerGraphMetadataField, where);
}

bool ProtoComparer::SameValueInfos(const RepeatedPtrField<onnx::ValueInfoProto>& a,
                                   const RepeatedPtrField<onnx::ValueInfoProto>& b,
                                   const std::string& where, const std::string& kind) {
  for (int value_idx = 0; value_idx < std::min(a.size(), b.size()); ++value_idx) {
    const auto& value_a = a.Get(value_idx);
    const auto& value_b = b.Get(value_idx);
    if (value_a.name() != value_b.name()) {
      return Differ(JoinWhere(where, kind + " #" + std::to_string(value_idx) + " name " +
                                         QuotedText(value_a.name()) + " vs " +
                                         QuotedText(value_b.name())));
    }
    const std::string what = kind + " " + QuotedText(value_a.name());
    if (!MessageDifferencer::Equals(value_a.type(), value_b.type())) {
      const std::string type_a = DescribeTypeProto(value_a.type());
      const std::string type_b = DescribeTypeProto(value_b.type());
      if (type_a == type_b)
        return Differ(JoinWhere(where, what + " type " + type_a + " differs in denotations"));
      return Differ(JoinWhere(where, what + " type " + type_a + " vs " + type_b));
    }
    if (value_a.doc_string() != value_b.doc_string()) NoteMetadata(kind + " doc_strings");
    if (!SameUnknownFields(value_a, value_b, kNewerValueInfoMetadataField, JoinWhere(where, what)))
      return false;
  }
  if (a.size() == b.size()) return true;
  return Differ(
      JoinWhere(where, std::to_string(a.size()) + " " + kind + "s vs " + std::to_string(b.size())));
}

// Value names, in order: "<where> input #1 'w' vs 'v'".
bool ProtoComparer::SameNames(const RepeatedPtrField<std::string>& a,
                              const RepeatedPtrField<std::string>& b, const std::string& where,
                              const std::string& kind) {
  for (int name_idx = 0; name_idx < std::min(a.size(), b.size()); ++name_idx) {
    if (a.Get(name_idx) != b.Get(name_idx)) {
      return Differ(where + " " + kind + " #" + std::to_string(name_idx) + " " +
                    QuotedText(a.Get(name_idx)) + " vs " + QuotedText(b.Get(name_idx)));
    }
  }
  if (a.size() == b.size()) return true;
  return Differ(where + " " + std::to_string(a.size()) + " " + kind + "s vs " +
                std::to_string(b.size()));
}

bool ProtoComparer::SameNodes(const RepeatedPtrField<onnx::NodeProto>& a,
                              const RepeatedPtrField<onnx::NodeProto>& b,
                              const std::string& where) {
  for (int node_idx = 0; node_idx < std::min(a.size(), b.size()); ++node_idx) {
    if (!SameNode(a.Get(node_idx), b.Get(node_idx),
                  JoinWhere(where, "node #" + std::to_string(node_idx)))) {
      return false;
    }
  }
  if (a.size() == b.size()) return true;
  return Differ(
      JoinWhere(where, std::to_string(a.size()) + " nodes vs " + std::to_string(b.size())));
}

// Node names are not compared, only noted: nothing in a graph refers to a node by name (values
// connect nodes, and value names are compared), so a renamed node computes the same.
bool ProtoComparer::SameNode(const onnx::NodeProto& a, const onnx::NodeProto& b,
                             const std::string& node_where) {
  if (a.op_type() != b.op_type())
    return Differ(node_where + " op " + a.op_type() + " vs " + b.op_type());
  const std::string where = node_where + " (" + a.op_type() + ")";
  if (DomainLabel(a.domain()) != DomainLabel(b.domain())) {
    return Differ(where + " domain " + DomainLabel(a.domain()) + " vs " + DomainLabel(b.domain()));
  }
  if (!SameNames(a.input(), b.input(), where, "input") ||
      !SameNames(a.output(), b.output(), where, "output") ||
      !SameAttributes(a.attribute(), b.attribute(), where)) {
    return false;
  }
  if (a.name() != b.name()) NoteMetadata("node names");
  if (a.doc_string() != b.doc_string()) NoteMetadata("node doc_strings");
  return SameUnknownFields(a, b, kNewerNodeMetadataField, where);
}

// Attributes are matched by name: their order in the node means nothing.
bool ProtoComparer::SameAttributes(const RepeatedPtrField<onnx::AttributeProto>& a,
                                   const RepeatedPtrField<onnx::AttributeProto>& b,
                                   const std::string& where) {
  auto by_name = [](const RepeatedPtrField<onnx::AttributeProto>& list) {
    std::vector<const onnx::AttributeProto*> sorted;
    for (const auto& attribute : list) sorted.push_back(&attribute);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto* x, const auto* y) { return x->name() < y->name(); });
    return sorted;
  };
  const auto sorted_a = by_name(a), sorted_b = by_name(b);
  size_t idx_a = 0, idx_b = 0;
  while (idx_a < sorted_a.size() || idx_b < sorted_b.size()) {
    const onnx::AttributeProto* attr_a = idx_a < sorted_a.size() ? sorted_a[idx_a] : nullptr;
    const onnx::AttributeProto* attr_b = idx_b < sorted_b.size() ? sorted_b[idx_b] : nullptr;
    if (attr_b == nullptr || (attr_a != nullptr && attr_a->name() < attr_b->name())) {
      return Differ(where + " attribute " + QuotedText(attr_a->name()) +
                    " only in the first model");
    }
    if (attr_a == nullptr || attr_b->name() < attr_a->name()) {
      return Differ(where + " attribute " + QuotedText(attr_b->name()) +
                    " only in the second model");
    }
    if (!SameAttribute(*attr_a, *attr_b, where + " attribute " + QuotedText(attr_a->name())))
      return false;
    ++idx_a;
    ++idx_b;
  }
  return true;
}

// Every value field is compared whatever `type` says (models before IR 2 may leave it unset).
bool ProtoComparer::SameAttribute(const onnx::AttributeProto& a, const onnx::AttributeProto& b,
                                  const std::string& what) {
  using onnx::AttributeProto;
  if (a.type() != b.type()) {
    return Differ(what + " type " + AttributeProto::AttributeType_Name(a.type()) + " vs " +
                  AttributeProto::AttributeType_Name(b.type()));
  }
  if (a.ref_attr_name() != b.ref_attr_name()) {
    return Differ(what + " ref_attr_name " + QuotedText(a.ref_attr_name()) + " vs " +
                  QuotedText(b.ref_attr_name()));
  }
  if (FloatBits(a.f()) != FloatBits(b.f())) {
    return Differ(what + " " + ShortestFloatText(a.f()) + " vs " + ShortestFloatText(b.f()));
  }
  if (a.i() != b.i())
    return Differ(what + " " + std::to_string(a.i()) + " vs " + std::to_string(b.i()));
  if (a.s() != b.s()) return Differ(what + " " + QuotedText(a.s()) + " vs " + QuotedText(b.s()));
  if ((a.has_t() || b.has_t()) && !SameTensor(a.t(), b.t(), what)) return false;
  if ((a.has_g() || b.has_g()) && !SameGraph(a.g(), b.g(), what, /*is_main=*/false)) return false;
  if ((a.has_sparse_tensor() || b.has_sparse_tensor()) &&
      !SameSparseTensor(a.sparse_tensor(), b.sparse_tensor(), what)) {
    return false;
  }
  if (!MessageDifferencer::Equals(a.tp(), b.tp())) {
    return Differ(what + " " + DescribeTypeProto(a.tp()) + " vs " + DescribeTypeProto(b.tp()));
  }
  if (!SameList(a.floats(), b.floats(),
                [](float x, float y) { return FloatBits(x) == FloatBits(y); })) {
    return Differ(what + " " + ListText(a.floats(), ShortestFloatText) + " vs " +
                  ListText(b.floats(), ShortestFloatText));
  }
  auto int_text = [](int64_t value) { return std::to_string(value); };
  if (!SameList(a.ints(), b.ints(), std::equal_to<int64_t>())) {
    return Differ(what + " " + ListText(a.ints(), int_text) + " vs " +
                  ListText(b.ints(), int_text));
  }
  if (!SameList(a.strings(), b.strings(), std::equal_to<std::string>())) {
    return Differ(what + " " + ListText(a.strings(), QuotedText) + " vs " +
                  ListText(b.strings(), QuotedText));
  }
  if (a.tensors_size() != b.tensors_size() || a.graphs_size() != b.graphs_size() ||
      a.sparse_tensors_size() != b.sparse_tensors_size()) {
    return Differ(what + " holds " +
                  std::to_string(a.tensors_size() + a.graphs_size() + a.sparse_tensors_size()) +
                  " values vs " +
                  std::to_string(b.tensors_size() + b.graphs_size() + b.sparse_tensors_size()));
  }
  for (int value_idx = 0; value_idx < a.tensors_size(); ++value_idx) {
    const std::string element = what + "[" + std::to_string(value_idx) + "]";
    if (!SameTensor(a.tensors(value_idx), b.tensors(value_idx), element)) return false;
  }
  for (int value_idx = 0; value_idx < a.graphs_size(); ++value_idx) {
    const std::string element = what + "[" + std::to_string(value_idx) + "]";
    if (!SameGraph(a.graphs(value_idx), b.graphs(value_idx), element, /*is_main=*/false))
      return false;
  }
  for (int value_idx = 0; value_idx < a.sparse_tensors_size(); ++value_idx) {
    const std::string element = what + "[" + std::to_string(value_idx) + "]";
    if (!SameSparseTensor(a.sparse_tensors(value_idx), b.sparse_tensors(value_idx), element))
      return false;
  }
  if (!SameMessages(a.type_protos(), b.type_protos())) return Differ(what + " type_protos differ");
  if (a.doc_string() != b.doc_string()) NoteMetadata("attribute doc_strings");
  return SameUnknownFields(a, b, kNoMetadataField, what);
}

// Model-local functions are matched by domain and name.
bool ProtoComparer::SameFunctions(const RepeatedPtrField<onnx::FunctionProto>& a,
                                  const RepeatedPtrField<onnx::FunctionProto>& b) {
  auto index = [](const RepeatedPtrField<onnx::FunctionProto>& list) {
    std::map<std::string, const onnx::FunctionProto*> by_key;
    for (const auto& function : list)
      by_key.emplace(function.domain() + ":" + function.name(), &function);
    return by_key;
  };
  const auto by_key_a = index(a), by_key_b = index(b);
  for (const auto& [key, function] : by_key_b) {
    if (by_key_a.count(key) == 0)
      return Differ("function " + QuotedText(key) + " only in the second model");
  }
  for (const auto& [key, function_a] : by_key_a) {
    auto found = by_key_b.find(key);
    if (found == by_key_b.end())
      return Differ("function " + QuotedText(key) + " only in the first model");
    const onnx::FunctionProto& function_b = *found->second;
    const std::string where = "function " + QuotedText(key);
    if (!SameNames(function_a->input(), function_b.input(), where, "input") ||
        !SameNames(function_a->output(), function_b.output(), where, "output") ||
        !SameNames(function_a->attribute(), function_b.attribute(), where, "attribute name") ||
        !SameOpsets(function_a->opset_import(), function_b.opset_import(),
                    where + " opset_import") ||
        !SameNodes(function_a->node(), function_b.node(), where)) {
      return false;
    }
    if (function_a->doc_string() != function_b.doc_string()) NoteMetadata("function doc_strings");
    if (!SameUnknownFields(*function_a, function_b, kNewerFunctionMetadataField, where))
      return false;
  }
  if (a.size() != b.size()) {
    return Differ(std::to_string(a.size()) + " functions vs " + std::to_string(b.size()) +
                  " (duplicate names)");
  }
  return true;
}

}  // namespace zooci
