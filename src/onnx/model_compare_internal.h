// Private to the onnx module: the pieces of CompareModelFiles (model_compare.cpp). ProtoComparer's
// structural members are in proto_compare.cpp; its tensor members and the payload comparison
// (raw_data, typed fields, external files) in tensor_compare.cpp.
#pragma once

#include <google/protobuf/message.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_io.h"

namespace zooci {

// One side of a comparison: where its external data is resolved, and how errors name it.
struct ModelSide {
  fs::path model_path;  // for messages
  fs::path model_dir;   // external data locations are relative to it
};

// Bytes of external data still allowed to be read (both models together); decremented as read.
struct ExternalDataBudget {
  uint64_t remaining_bytes = 0;
};

// "where: what", or "what" when `where` is empty.
std::string JoinWhere(const std::string& where, const std::string& what);
// The shortest text that reads back as `value` ("0.1", "1e-05").
std::string ShortestFloatText(float value);
// 'text' for messages: at most 40 characters, control characters as '?'.
std::string QuotedText(const std::string& text);

// Compares two parsed models field by field (see CompareModelFiles for what counts). Stops at the
// first difference that changes computation; metadata and encoding differences met on the way
// are noted for the summary. One comparer per pair of models.
class ProtoComparer {
 public:
  ProtoComparer(ModelSide side_a, ModelSide side_b, uint64_t max_external_data_bytes)
      : side_a_(std::move(side_a)), side_b_(std::move(side_b)), budget_{max_external_data_bytes} {}

  // `identical_bytes`: the files are byte-identical (only their external data may differ).
  Result<ModelComparison> Compare(const onnx::ModelProto& a, const onnx::ModelProto& b,
                                  bool identical_bytes);

 private:
  template <typename Proto>
  using Repeated = google::protobuf::RepeatedPtrField<Proto>;

  // Every Same* returns true while equal, false once a difference (or an error) is recorded.
  bool Differ(std::string difference);
  bool Fail(const Error& error);
  void NoteMetadata(std::string note);
  void NoteEncoding(std::string note);
  std::string Summary() const;

  bool SameUnknownFields(const google::protobuf::Message& a, const google::protobuf::Message& b,
                         int metadata_field, const std::string& where);
  void NoteModelMetadata(const onnx::ModelProto& a, const onnx::ModelProto& b);
  bool SameModel(const onnx::ModelProto& a, const onnx::ModelProto& b);
  bool SameOpsets(const Repeated<onnx::OperatorSetIdProto>& a,
                  const Repeated<onnx::OperatorSetIdProto>& b, const std::string& what);
  bool SameGraph(const onnx::GraphProto& a, const onnx::GraphProto& b, const std::string& where,
                 bool is_main);
  bool SameValueInfos(const Repeated<onnx::ValueInfoProto>& a,
                      const Repeated<onnx::ValueInfoProto>& b, const std::string& where,
                      const std::string& kind);
  bool SameNames(const Repeated<std::string>& a, const Repeated<std::string>& b,
                 const std::string& where, const std::string& kind);
  bool SameNodes(const Repeated<onnx::NodeProto>& a, const Repeated<onnx::NodeProto>& b,
                 const std::string& where);
  bool SameNode(const onnx::NodeProto& a, const onnx::NodeProto& b, const std::string& node_where);
  bool SameAttributes(const Repeated<onnx::AttributeProto>& a,
                      const Repeated<onnx::AttributeProto>& b, const std::string& where);
  bool SameAttribute(const onnx::AttributeProto& a, const onnx::AttributeProto& b,
                     const std::string& what);
  bool SameInitializers(const Repeated<onnx::TensorProto>& a, const Repeated<onnx::TensorProto>& b,
                        const std::string& where);
  bool SameTensor(const onnx::TensorProto& a, const onnx::TensorProto& b, const std::string& what);
  bool SameSparseTensor(const onnx::SparseTensorProto& a, const onnx::SparseTensorProto& b,
                        const std::string& what);
  bool SameFunctions(const Repeated<onnx::FunctionProto>& a,
                     const Repeated<onnx::FunctionProto>& b);

  ModelSide side_a_, side_b_;
  ExternalDataBudget budget_;
  std::string difference_;      // the first difference, once found
  std::optional<Error> error_;  // set when the comparison could not be completed
  // Differences that do not change computation, in the order met; `noted_` holds both lists.
  std::vector<std::string> metadata_notes_, encoding_notes_;
  std::set<std::string> noted_;
};

}  // namespace zooci
