// Benchmark inputs: the model's test data (tiled to the batch size) or seeded generated tensors
// shaped from the model's declared inputs with every free dimension resolved.
#include <cstring>
#include <random>

#include "bench/bench.h"

namespace zooci {
namespace {

std::string DescribeShape(const std::string& name, ElemType type,
                          const std::vector<int64_t>& shape) {
  return name + ": " + ElemTypeName(type) + FormatDims(shape);
}

// Resolves input `info`'s declared shape: fixed dims as declared, free dims from --dim (by
// name or "input[index]"), a free leading dim from --batch. Records what it resolved.
Result<std::vector<int64_t>> ResolveShape(const ValueInfo& info, const BenchOptions& options,
                                          std::vector<std::string>* resolved) {
  if (!info.has_shape) {
    return Error("input '" + info.name + "' declares no shape; generated inputs need one " +
                 "(provide test data, or a model with input shapes)");
  }
  std::vector<int64_t> shape;
  for (size_t index = 0; index < info.shape.size(); ++index) {
    const ValueInfo::Dim& dim = info.shape[index];
    if (dim.value >= 0) {
      shape.push_back(dim.value);
      continue;
    }
    std::string positional = info.name + "[" + std::to_string(index) + "]";
    auto by_name = dim.param.empty() ? options.dims.end() : options.dims.find(dim.param);
    auto by_position = options.dims.find(positional);
    std::string label = dim.param.empty() ? positional : dim.param;
    if (by_name != options.dims.end() || by_position != options.dims.end()) {
      int64_t value = (by_position != options.dims.end() ? by_position : by_name)->second;
      shape.push_back(value);
      resolved->push_back(label + "=" + std::to_string(value) + " (--dim)");
    } else if (index == 0) {
      shape.push_back(options.batch);
      resolved->push_back(label + "=" + std::to_string(options.batch) + " (batch)");
    } else {
      return Error("input '" + info.name + "' dimension " + std::to_string(index) +
                   (dim.param.empty() ? "" : " ('" + dim.param + "')") +
                   " is free; set it with --dim " + label + "=VALUE");
    }
  }
  return shape;
}

// Seeded values per element type: floats uniform in [0, 1), integers in [0, 10), bools fair.
Result<Tensor> GenerateTensor(const ValueInfo& info, std::vector<int64_t> shape,
                              std::mt19937_64& random) {
  Tensor tensor;
  tensor.name = info.name;
  tensor.elem_type = info.elem_type;
  tensor.shape = std::move(shape);
  int64_t count = tensor.ElementCount();
  size_t element_bytes = ElemTypeSize(info.elem_type);
  if (info.elem_type == ElemType::kString) {
    tensor.strings.assign(static_cast<size_t>(count), "zooci");
    return tensor;
  }
  if (element_bytes == 0) {
    return Error("input '" + info.name + "': cannot generate " + ElemTypeName(info.elem_type) +
                 " values; provide test data");
  }
  if (static_cast<uint64_t>(count) * element_bytes > (uint64_t{4} << 30)) {
    return Error("input '" + info.name + "': " + FormatDims(tensor.shape) +
                 " is over 4 GiB; lower the free dimensions");
  }
  tensor.data.resize(static_cast<size_t>(count) * element_bytes);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::uniform_int_distribution<int> small(0, 9);
  for (int64_t index = 0; index < count; ++index) {
    char* out = tensor.data.data() + index * element_bytes;
    switch (info.elem_type) {
      case ElemType::kFloat: {
        float value = unit(random);
        std::memcpy(out, &value, 4);
        break;
      }
      case ElemType::kDouble: {
        double value = unit(random);
        std::memcpy(out, &value, 8);
        break;
      }
      case ElemType::kBool:
        *out = static_cast<char>(small(random) % 2);
        break;
      case ElemType::kFloat16:
      case ElemType::kBfloat16: {
        // 0.0 to ~0.99 in both encodings' upper bits: a valid, finite value.
        uint16_t bits =
            static_cast<uint16_t>(info.elem_type == ElemType::kFloat16 ? 0x3800 : 0x3f00);
        bits = static_cast<uint16_t>(bits | (small(random) << 4));
        std::memcpy(out, &bits, 2);
        break;
      }
      default: {
        int64_t value = small(random);  // integer types: little-endian, truncated to width
        std::memcpy(out, &value, element_bytes);
        break;
      }
    }
  }
  return tensor;
}

// Repeats a test-data tensor `times` along its first dimension.
Result<Tensor> Tile(Tensor tensor, int times) {
  if (times == 1) return tensor;
  if (tensor.shape.empty()) return Error("cannot batch a scalar input '" + tensor.name + "'");
  tensor.shape[0] *= times;
  if (tensor.elem_type == ElemType::kString) {
    std::vector<std::string> strings;
    for (int copy = 0; copy < times; ++copy) {
      strings.insert(strings.end(), tensor.strings.begin(), tensor.strings.end());
    }
    tensor.strings = std::move(strings);
  } else {
    std::string data;
    data.reserve(tensor.data.size() * times);
    for (int copy = 0; copy < times; ++copy) data += tensor.data;
    tensor.data = std::move(data);
  }
  return tensor;
}

Result<BenchInputs> FromTestData(const ModelInfo& model, const std::vector<DataSet>& data_sets,
                                 const BenchOptions& options) {
  BenchInputs inputs;
  for (const DataSet& data_set : data_sets) {
    RunDataSet run;
    run.name = data_set.name;
    for (size_t index = 0; index < data_set.inputs.size(); ++index) {
      if (index >= model.inputs.size()) {
        return Error(data_set.inputs[index].string() + ": the model has only " +
                     std::to_string(model.inputs.size()) + " inputs");
      }
      const ValueInfo& info = model.inputs[index];
      ZC_ASSIGN_OR_RETURN(Value value, ReadValueFile(data_set.inputs[index], info.kind));
      std::string name = value.name.empty() ? info.name : value.name;
      if (options.batch > 1) {
        if (value.kind != ValueKind::kTensor) {
          return Error("--batch: input '" + name + "' is not a tensor and cannot be batched");
        }
        if (!info.shape.empty() && info.shape[0].value >= 0) {
          return Error("--batch " + std::to_string(options.batch) + ": input '" + name +
                       "' has a fixed first dimension " + std::to_string(info.shape[0].value));
        }
        ZC_ASSIGN_OR_RETURN(value.tensor, Tile(std::move(value.tensor), options.batch));
      }
      if (run.name == data_sets.front().name && value.kind == ValueKind::kTensor) {
        inputs.input_shapes.push_back(
            DescribeShape(name, value.tensor.elem_type, value.tensor.shape));
      }
      value.name = name;
      ZC_ASSIGN_OR_RETURN(std::string bytes, EncodeValue(value));
      run.inputs.push_back({name, value.kind, std::move(bytes)});
    }
    inputs.data_sets.push_back(std::move(run));
  }
  inputs.source = "test data (" + std::to_string(data_sets.size()) + " set" +
                  (data_sets.size() == 1 ? ")" : "s)");
  if (options.batch > 1) inputs.source += ", tiled to batch " + std::to_string(options.batch);
  return inputs;
}

}  // namespace

Result<BenchInputs> PrepareBenchInputs(const fs::path& model, const BenchOptions& options) {
  ZC_ASSIGN_OR_RETURN(ModelInfo info, ReadModelInfo(model));
  if (options.use_test_data) {
    std::error_code error;
    fs::path absolute = fs::absolute(model, error);  // "m.onnx" alone has an empty parent
    auto data_sets = FindDataSets(error ? model.parent_path() : absolute.parent_path());
    if (data_sets.ok() && !data_sets->empty()) return FromTestData(info, *data_sets, options);
  }
  BenchInputs inputs;
  std::mt19937_64 random(options.seed);
  RunDataSet run;
  run.name = "generated";
  for (const ValueInfo& input : info.inputs) {
    if (input.kind != ValueKind::kTensor || !input.supported) {
      return Error("input '" + input.name + "' is " + input.type_description +
                   ": only tensors can be generated; provide test data");
    }
    ZC_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                        ResolveShape(input, options, &inputs.resolved_dims));
    ZC_ASSIGN_OR_RETURN(Tensor tensor, GenerateTensor(input, std::move(shape), random));
    inputs.input_shapes.push_back(DescribeShape(input.name, tensor.elem_type, tensor.shape));
    ZC_ASSIGN_OR_RETURN(std::string bytes, EncodeValue(Value::FromTensor(std::move(tensor))));
    run.inputs.push_back({input.name, ValueKind::kTensor, std::move(bytes)});
  }
  inputs.data_sets.push_back(std::move(run));
  inputs.source = "generated, seed " + std::to_string(options.seed);
  return inputs;
}

}  // namespace zooci
