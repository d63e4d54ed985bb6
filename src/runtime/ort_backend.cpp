// OrtBackend: the ONNX Runtime adapter (CPU execution provider). Every Ort::Exception is caught
// here and becomes an Error with context.
#include <onnxruntime_cxx_api.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/runtime.h"

namespace zooci {
namespace {

// Wraps an ORT failure; allocation failures get kOutOfMemoryPrefix so the sandbox reports them
// as out-of-memory rather than as a model error.
Error OrtError(const std::string& context, const std::string& what) {
  bool out_of_memory = what.find("Failed to allocate") != std::string::npos ||
                       what.find("bad_alloc") != std::string::npos;
  return Error((out_of_memory ? kOutOfMemoryPrefix : "") + context + ": " + what);
}

ValueInfo DescribeOrtType(const std::string& name, const Ort::TypeInfo& type_info) {
  ValueInfo info;
  info.name = name;
  switch (type_info.GetONNXType()) {
    case ONNX_TYPE_TENSOR: {
      auto tensor_info = type_info.GetTensorTypeAndShapeInfo();
      info.kind = ValueKind::kTensor;
      info.elem_type = static_cast<ElemType>(tensor_info.GetElementType());
      info.type_description = "tensor(" + ElemTypeName(info.elem_type) + ")";
      break;
    }
    case ONNX_TYPE_SEQUENCE:
      info.kind = ValueKind::kSequence;
      info.type_description = "seq";
      break;
    case ONNX_TYPE_OPTIONAL:
      info.kind = ValueKind::kOptional;
      info.type_description = "optional";
      break;
    default:
      info.supported = false;
      info.type_description = "unsupported ONNX type " + std::to_string(type_info.GetONNXType());
      break;
  }
  return info;
}

Ort::Value ToOrtTensor(const Tensor& tensor, OrtAllocator* allocator) {
  auto type = static_cast<ONNXTensorElementDataType>(tensor.elem_type);
  Ort::Value value =
      Ort::Value::CreateTensor(allocator, tensor.shape.data(), tensor.shape.size(), type);
  if (tensor.elem_type == ElemType::kString) {
    std::vector<const char*> pointers;
    for (const std::string& element : tensor.strings) pointers.push_back(element.c_str());
    if (!pointers.empty()) value.FillStringTensor(pointers.data(), pointers.size());
  } else if (!tensor.data.empty()) {
    std::memcpy(value.GetTensorMutableRawData(), tensor.data.data(), tensor.data.size());
  }
  return value;
}

Result<Ort::Value> ToOrtValue(const Value& value, OrtAllocator* allocator) {
  switch (value.kind) {
    case ValueKind::kTensor:
      return ToOrtTensor(value.tensor, allocator);
    case ValueKind::kSequence: {
      if (value.elements.empty())
        return Error("empty sequences cannot be passed to ONNX Runtime's C API");
      std::vector<Ort::Value> elements;
      for (const Value& element : value.elements) {
        ZC_ASSIGN_OR_RETURN(Ort::Value converted, ToOrtValue(element, allocator));
        elements.push_back(std::move(converted));
      }
      return Ort::Value::CreateSequence(elements);
    }
    case ValueKind::kOptional:
      if (value.elements.empty()) return Ort::Value(nullptr);
      return ToOrtValue(value.elements.front(), allocator);
  }
  return Error("unknown value kind");
}

Result<Tensor> FromOrtTensor(const Ort::ConstValue& ort_value) {
  auto info = ort_value.GetTensorTypeAndShapeInfo();
  Tensor tensor;
  tensor.elem_type = static_cast<ElemType>(info.GetElementType());
  tensor.shape = info.GetShape();
  size_t count = info.GetElementCount();
  if (tensor.elem_type == ElemType::kString) {
    size_t total_bytes = ort_value.GetStringTensorDataLength();
    std::string buffer(total_bytes, '\0');
    std::vector<size_t> offsets(count);
    if (count > 0)
      ort_value.GetStringTensorContent(buffer.data(), buffer.size(), offsets.data(), count);
    for (size_t element_idx = 0; element_idx < count; ++element_idx) {
      size_t end = element_idx + 1 < count ? offsets[element_idx + 1] : total_bytes;
      tensor.strings.push_back(buffer.substr(offsets[element_idx], end - offsets[element_idx]));
    }
    return tensor;
  }
  size_t element_bytes = ElemTypeSize(tensor.elem_type);
  if (element_bytes == 0)
    return Error("output element type " + ElemTypeName(tensor.elem_type) + " is not supported");
  tensor.data.assign(static_cast<const char*>(ort_value.GetTensorRawData()), count * element_bytes);
  return tensor;
}

Result<Value> FromOrtValue(const Ort::ConstValue& ort_value, OrtAllocator* allocator) {
  switch (ort_value.GetTypeInfo().GetONNXType()) {
    case ONNX_TYPE_TENSOR: {
      ZC_ASSIGN_OR_RETURN(Tensor tensor, FromOrtTensor(ort_value));
      return Value::FromTensor(std::move(tensor));
    }
    case ONNX_TYPE_SEQUENCE: {
      Value sequence;
      sequence.kind = ValueKind::kSequence;
      size_t count = ort_value.GetCount();
      for (size_t element_idx = 0; element_idx < count; ++element_idx) {
        Ort::Value element = ort_value.GetValue(static_cast<int>(element_idx), allocator);
        ZC_ASSIGN_OR_RETURN(Value converted, FromOrtValue(element.GetConst(), allocator));
        sequence.elements.push_back(std::move(converted));
      }
      return sequence;
    }
    default:
      return Error("output ONNX type " + std::to_string(ort_value.GetTypeInfo().GetONNXType()) +
                   " is not supported");
  }
}

class OrtSession final : public Session {
 public:
  OrtSession(Ort::Session session) : session_(std::move(session)) {
    Ort::AllocatorWithDefaultOptions allocator;
    for (size_t input_idx = 0; input_idx < session_.GetInputCount(); ++input_idx) {
      std::string name = session_.GetInputNameAllocated(input_idx, allocator).get();
      inputs_.push_back(DescribeOrtType(name, session_.GetInputTypeInfo(input_idx)));
    }
    for (size_t output_idx = 0; output_idx < session_.GetOutputCount(); ++output_idx) {
      std::string name = session_.GetOutputNameAllocated(output_idx, allocator).get();
      outputs_.push_back(DescribeOrtType(name, session_.GetOutputTypeInfo(output_idx)));
    }
  }

  const std::vector<ValueInfo>& inputs() const override { return inputs_; }
  const std::vector<ValueInfo>& outputs() const override { return outputs_; }

  Result<std::unique_ptr<PreparedRun>> Prepare(std::vector<Value> inputs) override;

  Result<std::vector<Value>> Run(const std::vector<Value>& inputs) override {
    try {
      return RunUnguarded(inputs);
    } catch (const Ort::Exception& e) {
      return OrtError("run", e.what());
    } catch (const std::bad_alloc&) {
      return Error(std::string(kOutOfMemoryPrefix) + "run: allocation failed");
    }
  }

 private:
  Result<std::vector<Value>> RunUnguarded(const std::vector<Value>& inputs) {
    Ort::AllocatorWithDefaultOptions allocator;
    std::vector<const char*> input_names;
    std::vector<Ort::Value> input_values;
    for (const Value& input : inputs) {
      auto converted = ToOrtValue(input, allocator);
      if (!converted.ok()) return converted.error().WithContext("input '" + input.name + "'");
      if (!*converted) continue;  // an empty optional: leave the input unfed (None)
      input_names.push_back(input.name.c_str());
      input_values.push_back(std::move(*converted));
    }
    std::vector<const char*> output_names;
    for (const ValueInfo& output : outputs_) output_names.push_back(output.name.c_str());
    std::vector<Ort::Value> results =
        session_.Run(Ort::RunOptions{nullptr}, input_names.data(), input_values.data(),
                     input_values.size(), output_names.data(), output_names.size());
    std::vector<Value> outputs;
    for (size_t output_idx = 0; output_idx < results.size(); ++output_idx) {
      const ValueInfo& info = outputs_[output_idx];
      Ort::ConstValue result = results[output_idx].GetConst();
      Value value;
      if (info.kind == ValueKind::kOptional) {
        value.kind = ValueKind::kOptional;
        if (result && result.HasValue()) {
          ZC_ASSIGN_OR_RETURN(Value inner, FromOrtValue(result, allocator));
          value.elements.push_back(std::move(inner));
        }
      } else if (!result) {
        return Error("output '" + info.name + "' was not produced");
      } else {
        auto converted = FromOrtValue(result, allocator);
        if (!converted.ok()) return converted.error().WithContext("output '" + info.name + "'");
        value = std::move(*converted);
      }
      value.name = info.name;
      outputs.push_back(std::move(value));
    }
    return outputs;
  }

  Ort::Session session_;
  std::vector<ValueInfo> inputs_;
  std::vector<ValueInfo> outputs_;
};

// Inputs converted once; each Run is one Ort::Session::Run whose outputs are dropped, which is
// what a hand-written timing loop does.
class OrtPreparedRun final : public PreparedRun {
 public:
  OrtPreparedRun(Ort::Session& session, std::vector<std::string> input_names,
                 std::vector<Ort::Value> input_values, std::vector<std::string> output_names)
      : session_(session),
        input_names_(std::move(input_names)),
        input_values_(std::move(input_values)),
        output_names_(std::move(output_names)) {
    for (const std::string& name : input_names_) input_name_ptrs_.push_back(name.c_str());
    for (const std::string& name : output_names_) output_name_ptrs_.push_back(name.c_str());
  }

  Status Run() override {
    try {
      session_.Run(Ort::RunOptions{nullptr}, input_name_ptrs_.data(), input_values_.data(),
                   input_values_.size(), output_name_ptrs_.data(), output_name_ptrs_.size());
      return OkStatus();
    } catch (const Ort::Exception& e) {
      return OrtError("run", e.what());
    } catch (const std::bad_alloc&) {
      return Error(std::string(kOutOfMemoryPrefix) + "run: allocation failed");
    }
  }

 private:
  Ort::Session& session_;
  std::vector<std::string> input_names_;
  std::vector<Ort::Value> input_values_;
  std::vector<std::string> output_names_;
  std::vector<const char*> input_name_ptrs_, output_name_ptrs_;
};

Result<std::unique_ptr<PreparedRun>> OrtSession::Prepare(std::vector<Value> inputs) {
  try {
    Ort::AllocatorWithDefaultOptions allocator;
    std::vector<std::string> input_names;
    std::vector<Ort::Value> input_values;
    for (const Value& input : inputs) {
      auto converted = ToOrtValue(input, allocator);
      if (!converted.ok()) return converted.error().WithContext("input '" + input.name + "'");
      if (!*converted) continue;
      input_names.push_back(input.name);
      input_values.push_back(std::move(*converted));
    }
    std::vector<std::string> output_names;
    for (const ValueInfo& output : outputs_) output_names.push_back(output.name);
    return std::unique_ptr<PreparedRun>(new OrtPreparedRun(
        session_, std::move(input_names), std::move(input_values), std::move(output_names)));
  } catch (const Ort::Exception& e) {
    return OrtError("prepare inputs", e.what());
  } catch (const std::bad_alloc&) {
    return Error(std::string(kOutOfMemoryPrefix) + "prepare inputs: allocation failed");
  }
}

// The ONNX Runtime environment, with Microsoft's telemetry off before it can start.
//
// The Linux build of ONNX Runtime we ship (onnxruntime-node 1.30) embeds the 1DS ("MAT")
// telemetry SDK. Creating the first OrtEnv of a process starts it, unless ORT_DISABLE_TELEMETRY
// is truthy at that moment: it writes a device id and an event database under
// $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/, mat-debug-<pid>.log and .ses in $TMPDIR
// (else /tmp), records every session (model producer, graph name, metadata, hashes) and, about
// nine seconds later, starts resolving mobile.events.data.microsoft.com to upload. Loading the
// library alone does none of this. OrtApi::DisableTelemetryEvents, called on an existing OrtEnv,
// only stops later session events: the files are already written and the uploader is running. So
// the variable is set (overriding an inherited value such as 0) before the OrtEnv exists, and the
// API switch is thrown as well.
Ort::Env MakeEnvWithoutTelemetry() {
  ::setenv("ORT_DISABLE_TELEMETRY", "1", /*overwrite=*/1);
  Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "zooci");
  env.DisableTelemetryEvents();
  return env;
}

class OrtBackend final : public Backend {
 public:
  OrtBackend() : env_(MakeEnvWithoutTelemetry()) {}

  std::string name() const override { return "onnxruntime"; }
  std::string version() const override { return Ort::GetVersionString(); }
  SessionDescription DescribeSession(const SessionConfig& config) const override {
    auto threads = [](int n) { return n > 0 ? std::to_string(n) : std::string("runtime default"); };
    const char* level = "all";
    if (config.optimization == GraphOptimization::kDisabled) level = "disabled";
    if (config.optimization == GraphOptimization::kBasic) level = "basic";
    if (config.optimization == GraphOptimization::kExtended) level = "extended";
    return {"CPUExecutionProvider", "intra-op " + threads(config.intra_op_threads) +
                                        ", inter-op " + threads(config.inter_op_threads) +
                                        "; graph optimization " + level};
  }

  Result<std::unique_ptr<Session>> Load(const fs::path& model_path,
                                        const SessionConfig& config) override {
    try {
      Ort::SessionOptions options;
      options.SetIntraOpNumThreads(config.intra_op_threads);
      options.SetInterOpNumThreads(config.inter_op_threads);
      options.SetGraphOptimizationLevel(
          static_cast<GraphOptimizationLevel>(OptimizationLevel(config.optimization)));
      Ort::Session session(env_, model_path.c_str(), options);
      return std::unique_ptr<Session>(new OrtSession(std::move(session)));
    } catch (const Ort::Exception& e) {
      return OrtError("create session", e.what());
    } catch (const std::bad_alloc&) {
      return Error(std::string(kOutOfMemoryPrefix) + "create session: allocation failed");
    }
  }

 private:
  static int OptimizationLevel(GraphOptimization optimization) {
    switch (optimization) {
      case GraphOptimization::kDisabled:
        return ORT_DISABLE_ALL;
      case GraphOptimization::kBasic:
        return ORT_ENABLE_BASIC;
      case GraphOptimization::kExtended:
        return ORT_ENABLE_EXTENDED;
      case GraphOptimization::kAll:
        return ORT_ENABLE_ALL;
    }
    return ORT_ENABLE_ALL;
  }

  Ort::Env env_;
};

}  // namespace

std::unique_ptr<Backend> MakeOrtBackend() {
  return std::make_unique<OrtBackend>();
}

}  // namespace zooci
