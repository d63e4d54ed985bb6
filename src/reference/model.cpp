// Loading a model (graph, opsets, initializers with external data) and running its main graph.
#include <google/protobuf/io/coded_stream.h>

#include <climits>
#include <fstream>

#include "reference/internal.h"
#include "reference/reference.h"

namespace zooci {
namespace reference {
namespace {

constexpr int kMaxProtoDepth = 256;

Status ParseModel(std::string_view bytes, onnx::ModelProto* model) {
  if (bytes.empty()) return Error("file is empty");
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return Error("over protobuf's 2 GiB limit");
  google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                static_cast<int>(bytes.size()));
  stream.SetRecursionLimit(kMaxProtoDepth);
  if (!model->MergeFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return Error("not a valid ModelProto (truncated or corrupt protobuf)");
  return OkStatus();
}

// The bytes an external-data tensor refers to (ONNX's ExternalData.md: location relative to the
// model's directory, optional offset and length), which must stay inside that directory.
Result<std::string> ReadExternalData(const onnx::TensorProto& proto, const fs::path& dir) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const onnx::StringStringEntryProto& entry : proto.external_data()) {
    if (entry.key() == "location") location = entry.value();
    if (entry.key() == "offset") {
      ZC_ASSIGN_OR_RETURN(offset, ParseInt(entry.value(), "external data offset"));
    }
    if (entry.key() == "length") {
      ZC_ASSIGN_OR_RETURN(length, ParseInt(entry.value(), "external data length"));
    }
  }
  if (location.empty()) return Error("external data without a location");
  const fs::path path = dir / location;
  if (dir.empty() || !IsWithin(dir, path))
    return Error("external data '" + location + "' is outside the model's directory");
  std::error_code error;
  const auto file_size = static_cast<int64_t>(fs::file_size(path, error));
  if (error) return Error("external data '" + location + "': " + error.message());
  if (length < 0) length = file_size - offset;
  if (offset < 0 || length < 0 || offset + length > file_size)
    return Error("external data '" + location + "': range past the end of the file");
  std::ifstream file(path, std::ios::binary);
  std::string bytes(static_cast<size_t>(length), '\0');
  file.seekg(offset);
  if (!file.read(bytes.data(), length))
    return Error("external data '" + location + "': read failed");
  return bytes;
}

// A fed tensor must have the element type its graph input declares (the interpreter would
// otherwise read, say, bfloat16 bits stored as uint16 as numbers).
Status CheckDeclaredType(const onnx::ValueInfoProto& input, const Item& item) {
  if (!input.type().has_tensor_type() || item.kind != ValueKind::kTensor) return OkStatus();
  const auto declared = static_cast<ElemType>(input.type().tensor_type().elem_type());
  if (declared == ElemType::kUndefined || declared == item.array.type) return OkStatus();
  return Error("input '" + input.name() + "' is " + ElemTypeName(item.array.type) +
               ", the model declares " + ElemTypeName(declared));
}

class Model final : public ReferenceModel {
 public:
  Model(onnx::ModelProto proto, ModelContext context)
      : proto_(std::move(proto)), context_(std::move(context)), initializers_(context_, nullptr) {}

  Status Prepare() {
    ZC_RETURN_IF_ERROR(CheckOperators(proto_.graph(), context_));
    return BindInitializers(proto_.graph(), initializers_);
  }

  Result<std::vector<Value>> Run(const std::vector<Value>& inputs) const override {
    // Fed inputs shadow initializers of the same name (their defaults).
    Scope scope(context_, &initializers_);
    for (const Value& input : inputs) {
      ZC_ASSIGN_OR_RETURN(Item item,
                          ItemFromValue(input).WithContext("input '" + input.name + "'"));
      scope.Set(input.name, std::move(item));
    }
    for (const onnx::ValueInfoProto& input : proto_.graph().input()) {
      const Item* item = scope.Find(input.name());
      if (!item) return Error("input '" + input.name() + "' not fed");
      ZC_RETURN_IF_ERROR(CheckDeclaredType(input, *item));
    }
    ZC_RETURN_IF_ERROR(RunNodes(proto_.graph(), scope));
    std::vector<Value> outputs;
    for (const onnx::ValueInfoProto& output : proto_.graph().output()) {
      const Item* item = scope.Find(output.name());
      if (!item) return Error("output '" + output.name() + "' is never computed");
      ZC_ASSIGN_OR_RETURN(
          Value value,
          ValueFromItem(*item, output.name()).WithContext("output '" + output.name() + "'"));
      outputs.push_back(std::move(value));
    }
    return outputs;
  }

 private:
  onnx::ModelProto proto_;
  ModelContext context_;
  Scope initializers_;  // the main graph's initializers, decoded once
};

}  // namespace

Result<Array> DecodeTensorProto(const onnx::TensorProto& proto, const ModelContext& model) {
  onnx::TensorProto inline_proto;
  const onnx::TensorProto* source = &proto;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    inline_proto = proto;
    ZC_ASSIGN_OR_RETURN(*inline_proto.mutable_raw_data(), ReadExternalData(proto, model.dir));
    inline_proto.clear_external_data();
    inline_proto.set_data_location(onnx::TensorProto::DEFAULT);
    source = &inline_proto;
  }
  ZC_ASSIGN_OR_RETURN(Value value, DecodeValue(source->SerializeAsString(), ValueKind::kTensor));
  return ArrayFromTensor(value.tensor);
}

}  // namespace reference

Result<std::unique_ptr<ReferenceModel>> LoadReferenceModelFromBytes(std::string_view bytes,
                                                                    const fs::path& base_dir) {
  onnx::ModelProto proto;
  ZC_RETURN_IF_ERROR(reference::ParseModel(bytes, &proto));
  reference::ModelContext context;
  context.dir = base_dir;
  for (const onnx::OperatorSetIdProto& opset : proto.opset_import()) {
    const std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    context.opsets[domain] = opset.version();
  }
  // IR version 3 and later name their opsets; before that, ai.onnx opset 1 is implied.
  if (proto.opset_import_size() == 0) context.opsets[""] = 1;
  if (context.opsets[""] > kReferenceMaxOpset) {
    return Error("opset " + std::to_string(context.opsets[""]) +
                 " not supported (ai.onnx opsets up to " + std::to_string(kReferenceMaxOpset) +
                 ")");
  }
  auto model = std::make_unique<reference::Model>(std::move(proto), std::move(context));
  ZC_RETURN_IF_ERROR(model->Prepare());
  return std::unique_ptr<ReferenceModel>(std::move(model));
}

Result<std::unique_ptr<ReferenceModel>> LoadReferenceModel(const fs::path& model_path) {
  ZC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(model_path));
  return LoadReferenceModelFromBytes(bytes, fs::absolute(model_path).parent_path());
}

std::vector<ReferenceOperator> ReferenceOperators() {
  std::vector<ReferenceOperator> operators;
  for (const auto& [op_type, entry] : reference::Operators().entries())
    operators.push_back({op_type, entry.versions});
  return operators;
}

}  // namespace zooci
