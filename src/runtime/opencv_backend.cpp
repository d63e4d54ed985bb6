// OpenCvBackend: OpenCV's DNN module (its own ONNX importer and kernels) as a second runtime.
// Every cv::Exception is caught here and becomes a one-line Error.
//
// What OpenCV 4.6 does differently from ONNX Runtime, and how this adapter bridges it:
//  - The model's graph inputs and outputs are not exposed by cv::dnn::Net; they are read from the
//    model file (ReadModelInfo), so inputs() and outputs() describe the model as declared.
//  - Every input is converted to float32 inside the net, and every output is float32. Inputs of
//    numeric types cv::Mat can hold are handed over as they are (int64, which cv::Mat cannot hold,
//    as double); outputs are converted back to the declared element type.
//  - Blobs have at least two dimensions, and shapes of scalars and 1-D tensors are altered. An
//    output gets its declared shape back (symbolic dims bound from the inputs fed) when the element
//    counts agree.
//  - cv::dnn::Net is not thread-safe: a session serializes its runs.

// OpenCV 4.6's headers mix enum types in arithmetic, which C++20 deprecates; they are included
// with that warning off (it is not about our code).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-enum-enum-conversion"
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#pragma GCC diagnostic pop

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <regex>
#include <type_traits>

#include "runtime/runtime.h"

namespace zooci {
namespace {

constexpr const char* kBackendName = "opencv-dnn";

// OpenCV's exception text as one line: the OpenCV version, source paths and line numbers, the
// "(-2:Unspecified error)" codes, the '> ' nesting marks and C++ signatures are dropped; what
// OpenCV says about the model (node, operator, attribute, type, failed check) is kept verbatim,
// with the innermost function that reported it at the end. So
//   "OpenCV(4.6.0) ./modules/dnn/src/onnx/onnx_importer.cpp:1040: error: (-2:Unspecified error)
//    in function 'handleNode'\n> Node [Identity@ai.onnx]:(onnx_node!Identity_0) parse error:
//    OpenCV(4.6.0) ./modules/dnn/src/layer.cpp:246: error: (-215:Assertion failed)
//    inputs.size() in function 'getMemoryShapes'\n"
// becomes
//   "Node [Identity@ai.onnx]:(onnx_node!Identity_0) parse error: Assertion failed: inputs.size()
//    (in getMemoryShapes)"
// and a failed CV_Check's "(expected: 'n == 1'), where\n 'n' is 3\n must be equal to\n '1' is 1"
// becomes "expected 'n == 1', but 'n' is 3".
std::string OneLineOpenCvMessage(const std::string& what) {
  std::string text;
  for (const std::string& line : SplitString(what, '\n')) {
    std::string_view rest = Trim(line);
    while (StartsWith(rest, ">")) rest = Trim(rest.substr(1));
    if (rest.empty()) continue;
    if (!text.empty()) text += ' ';
    text += rest;
  }
  static const std::regex kHeader(R"(OpenCV\([^)]*\) \S+:\d+: error: \((-?\d+):([^)]*)\) ?)");
  static const std::regex kFunction(R"(\s*in function '([^']*)')");
  static const std::regex kCheck(
      R"(\(expected: '([^']*)'\), where '([^']*)' is (\S+)(?: must be [a-z ]+ '[^']*' is \S+)?)");
  static const std::regex kSpaces(R"(\s+)");
  std::string cleaned;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), kHeader), end; it != end; ++it) {
    cleaned.append(last, (*it)[0].first);
    // -2 (Unspecified error) says nothing; others ("Assertion failed", "Bad argument", "The
    // function/feature is not implemented") are part of the reason.
    if ((*it)[1].str() != "-2") cleaned += (*it)[2].str() + ": ";
    last = (*it)[0].second;
  }
  cleaned.append(last, text.cend());
  // "in function 'void cv::dnn::...::parseClip(cv::dnn::LayerParams&, ...)'": only the name of
  // the innermost (last) one is kept.
  std::string innermost;
  for (std::sregex_iterator it(cleaned.begin(), cleaned.end(), kFunction), end; it != end; ++it) {
    std::string signature = (*it)[1].str();
    innermost = signature.substr(0, signature.find('('));
    if (size_t space = innermost.rfind(' '); space != std::string::npos)
      innermost = innermost.substr(space + 1);
    if (size_t scope = innermost.rfind("::"); scope != std::string::npos)
      innermost = innermost.substr(scope + 2);
  }
  cleaned = std::regex_replace(cleaned, kFunction, "");
  cleaned = std::regex_replace(cleaned, kSpaces, " ");
  cleaned = std::regex_replace(cleaned, kCheck, "expected '$1', but '$2' is $3");
  std::string result(Trim(cleaned));
  if (result.empty()) return std::string(Trim(what));
  if (!innermost.empty()) result += " (in " + innermost + ")";
  return result;
}

// An OpenCV failure in `step`; allocation failures get kOutOfMemoryPrefix so the sandbox reports
// them as out-of-memory rather than as a model error.
Error OpenCvError(const std::string& step, const cv::Exception& e) {
  bool out_of_memory = e.code == cv::Error::StsNoMem;
  return Error((out_of_memory ? kOutOfMemoryPrefix : "") + std::string(kBackendName) + ": " + step +
               ": " + OneLineOpenCvMessage(e.what()));
}

Error OutOfMemory(const std::string& step) {
  return Error(std::string(kOutOfMemoryPrefix) + kBackendName + ": " + step +
               ": allocation failed");
}

// The cv::Mat depth holding `type` as it is, or -1.
int MatDepth(ElemType type) {
  switch (type) {
    case ElemType::kFloat:
      return CV_32F;
    case ElemType::kDouble:
      return CV_64F;
    case ElemType::kFloat16:
      return CV_16F;
    case ElemType::kUint8:
    case ElemType::kBool:
      return CV_8U;
    case ElemType::kInt8:
      return CV_8S;
    case ElemType::kUint16:
      return CV_16U;
    case ElemType::kInt16:
      return CV_16S;
    case ElemType::kInt32:
      return CV_32S;
    default:
      return -1;
  }
}

std::vector<int> MatDims(const std::vector<int64_t>& shape) {
  // OpenCV has no 0-D blobs: a scalar is one element of shape [1].
  if (shape.empty()) return {1};
  return std::vector<int>(shape.begin(), shape.end());
}

// A deep copy of `value` as a cv::Mat OpenCV can take as a net input.
Result<cv::Mat> ToMat(const Value& value) {
  if (value.kind != ValueKind::kTensor) {
    return Error(std::string(kBackendName) + ": input kind " + ValueKindName(value.kind) +
                 " not supported");
  }
  const Tensor& tensor = value.tensor;
  for (int64_t dim : tensor.shape) {
    if (dim > std::numeric_limits<int>::max())
      return Error(std::string(kBackendName) + ": input dimension " + std::to_string(dim) +
                   " exceeds OpenCV's int dimensions");
  }
  std::vector<int> dims = MatDims(tensor.shape);
  if (tensor.elem_type == ElemType::kInt64) {
    // cv::Mat has no 64-bit integer depth; OpenCV computes in float32 anyway.
    cv::Mat mat(static_cast<int>(dims.size()), dims.data(), CV_64F);
    const char* source = tensor.data.data();
    double* target = mat.ptr<double>();
    for (int64_t element_idx = 0; element_idx < tensor.ElementCount(); ++element_idx) {
      int64_t element = 0;
      std::memcpy(&element, source + element_idx * sizeof element, sizeof element);
      target[element_idx] = static_cast<double>(element);
    }
    return mat;
  }
  int depth = MatDepth(tensor.elem_type);
  if (depth < 0) {
    return Error(std::string(kBackendName) + ": input type " + ElemTypeName(tensor.elem_type) +
                 " not supported");
  }
  cv::Mat mat(static_cast<int>(dims.size()), dims.data(), depth);
  if (!tensor.data.empty()) std::memcpy(mat.data, tensor.data.data(), tensor.data.size());
  return mat;
}

// Dim values bound to symbolic dims ("N") by the inputs fed.
using DimBindings = std::map<std::string, int64_t>;

DimBindings BindDims(const std::vector<ValueInfo>& declared, const std::vector<Value>& inputs) {
  DimBindings bindings;
  for (const Value& input : inputs) {
    for (const ValueInfo& info : declared) {
      if (info.name != input.name || !info.has_shape ||
          info.shape.size() != input.tensor.shape.size())
        continue;
      for (size_t dim_idx = 0; dim_idx < info.shape.size(); ++dim_idx) {
        if (!info.shape[dim_idx].param.empty())
          bindings.emplace(info.shape[dim_idx].param, input.tensor.shape[dim_idx]);
      }
    }
  }
  return bindings;
}

// The shape to report for an output of `count` elements that OpenCV produced as `produced`: the
// declared shape when it can be resolved (bound symbols, or one unknown dim) to `count` elements,
// else what OpenCV produced.
std::vector<int64_t> ReportedShape(const ValueInfo& declared, const DimBindings& bindings,
                                   std::vector<int64_t> produced, int64_t count) {
  if (!declared.has_shape) return produced;
  std::vector<int64_t> shape;
  int unknown_idx = -1;
  int64_t known_product = 1;
  for (size_t dim_idx = 0; dim_idx < declared.shape.size(); ++dim_idx) {
    const ValueInfo::Dim& dim = declared.shape[dim_idx];
    int64_t value = dim.value;
    if (value < 0 && !dim.param.empty()) {
      auto bound = bindings.find(dim.param);
      if (bound != bindings.end()) value = bound->second;
    }
    if (value < 0) {
      if (unknown_idx >= 0) return produced;  // two unknowns: nothing to resolve them with
      unknown_idx = static_cast<int>(dim_idx);
    } else {
      known_product *= value;
    }
    shape.push_back(value);
  }
  if (unknown_idx >= 0) {
    if (known_product == 0 || count % known_product != 0) return produced;
    shape[unknown_idx] = count / known_product;
  } else if (known_product != count) {
    return produced;
  }
  return shape;
}

// Packs a CV_64F blob's elements as T: int64 rounded to nearest, bool as "non-zero".
template <typename T>
void AppendConverted(const cv::Mat& source, std::string* out) {
  size_t start = out->size();
  out->resize(start + source.total() * sizeof(T));
  const double* values = source.ptr<double>();
  for (size_t element_idx = 0; element_idx < source.total(); ++element_idx) {
    double value = values[element_idx];
    T element = std::is_same_v<T, bool> ? static_cast<T>(value != 0.0)
                                        : static_cast<T>(std::nearbyint(value));
    std::memcpy(out->data() + start + element_idx * sizeof(T), &element, sizeof(T));
  }
}

// An output blob as a tensor of the declared element type and shape.
Result<Value> FromMat(const cv::Mat& produced, const ValueInfo& declared,
                      const DimBindings& bindings) {
  cv::Mat blob = produced.isContinuous() ? produced : produced.clone();
  Tensor tensor;
  tensor.elem_type =
      declared.elem_type == ElemType::kUndefined ? ElemType::kFloat : declared.elem_type;
  std::vector<int64_t> produced_shape(blob.size.p, blob.size.p + blob.dims);
  tensor.shape =
      ReportedShape(declared, bindings, produced_shape, static_cast<int64_t>(blob.total()));
  if (tensor.elem_type == ElemType::kInt64 || tensor.elem_type == ElemType::kBool) {
    cv::Mat as_double;
    blob.convertTo(as_double, CV_64F);
    if (tensor.elem_type == ElemType::kInt64) {
      AppendConverted<int64_t>(as_double, &tensor.data);
    } else {
      AppendConverted<bool>(as_double, &tensor.data);
    }
    return Value::FromTensor(std::move(tensor));
  }
  int depth = MatDepth(tensor.elem_type);
  if (depth < 0) {
    return Error(std::string(kBackendName) + ": output '" + declared.name + "' of type " +
                 ElemTypeName(tensor.elem_type) + " not supported");
  }
  cv::Mat converted;
  blob.convertTo(converted, depth);  // rounds and saturates into integer types
  tensor.data.assign(reinterpret_cast<const char*>(converted.data),
                     converted.total() * converted.elemSize());
  return Value::FromTensor(std::move(tensor));
}

// Sets OpenCV's thread count, which is process-wide, when it differs from the last one set here.
// 0 means OpenCV's default (setNumThreads(0) would mean "no threads", so it is passed as -1).
void ApplyThreads(int threads) {
  static std::mutex mutex;
  static int applied = std::numeric_limits<int>::min();  // Guarded by mutex.
  std::lock_guard<std::mutex> lock(mutex);
  if (threads == applied) return;
  cv::setNumThreads(threads > 0 ? threads : -1);
  applied = threads;
}

class OpenCvSession;

// Inputs converted to cv::Mat once; each Run is setInput + forward with the outputs dropped.
class OpenCvPreparedRun final : public PreparedRun {
 public:
  OpenCvPreparedRun(OpenCvSession& session, std::vector<std::pair<std::string, cv::Mat>> inputs)
      : session_(session), inputs_(std::move(inputs)) {}
  Status Run() override;

 private:
  OpenCvSession& session_;
  std::vector<std::pair<std::string, cv::Mat>> inputs_;
};

class OpenCvSession final : public Session {
 public:
  OpenCvSession(cv::dnn::Net net, ModelInfo info, int threads)
      : net_(std::move(net)), info_(std::move(info)), threads_(threads) {
    for (const ValueInfo& output : info_.outputs) output_names_.push_back(output.name);
  }

  const std::vector<ValueInfo>& inputs() const override { return info_.inputs; }
  const std::vector<ValueInfo>& outputs() const override { return info_.outputs; }

  Result<std::vector<Value>> Run(const std::vector<Value>& inputs) override {
    std::vector<std::pair<std::string, cv::Mat>> mats;
    for (const Value& input : inputs) {
      if (input.kind == ValueKind::kOptional && input.elements.empty()) continue;  // unfed
      auto mat = ToMat(input);
      if (!mat.ok()) return mat.error().WithContext("input '" + input.name + "'");
      mats.emplace_back(input.name, std::move(*mat));
    }
    std::vector<cv::Mat> blobs;
    ZC_RETURN_IF_ERROR(Forward(mats, &blobs));
    if (blobs.size() != info_.outputs.size()) {
      return Error(std::string(kBackendName) + ": produced " + std::to_string(blobs.size()) +
                   " outputs for the model's " + std::to_string(info_.outputs.size()));
    }
    DimBindings bindings = BindDims(info_.inputs, inputs);
    std::vector<Value> outputs;
    for (size_t output_idx = 0; output_idx < blobs.size(); ++output_idx) {
      const ValueInfo& declared = info_.outputs[output_idx];
      auto value = FromMat(blobs[output_idx], declared, bindings);
      if (!value.ok()) return value.error();
      value->name = declared.name;
      outputs.push_back(std::move(*value));
    }
    return outputs;
  }

  Result<std::unique_ptr<PreparedRun>> Prepare(std::vector<Value> inputs) override {
    std::vector<std::pair<std::string, cv::Mat>> mats;
    for (const Value& input : inputs) {
      if (input.kind == ValueKind::kOptional && input.elements.empty()) continue;
      auto mat = ToMat(input);
      if (!mat.ok()) return mat.error().WithContext("input '" + input.name + "'");
      mats.emplace_back(input.name, std::move(*mat));
    }
    return std::unique_ptr<PreparedRun>(new OpenCvPreparedRun(*this, std::move(mats)));
  }

  // Feeds `inputs` and computes every model output, in model order. Serialized: the net is not
  // thread-safe.
  Status Forward(const std::vector<std::pair<std::string, cv::Mat>>& inputs,
                 std::vector<cv::Mat>* blobs) {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      ApplyThreads(threads_);  // another session may have changed it
      for (const auto& [name, mat] : inputs) net_.setInput(mat, name);
      net_.forward(*blobs, output_names_);
      return OkStatus();
    } catch (const cv::Exception& e) {
      return OpenCvError("run", e);
    } catch (const std::bad_alloc&) {
      return OutOfMemory("run");
    }
  }

 private:
  std::mutex mutex_;
  cv::dnn::Net net_;  // Guarded by mutex_.
  const ModelInfo info_;
  const int threads_;  // 0: OpenCV's default
  std::vector<cv::String> output_names_;
};

Status OpenCvPreparedRun::Run() {
  std::vector<cv::Mat> blobs;
  return session_.Forward(inputs_, &blobs);
}

class OpenCvBackend final : public Backend {
 public:
  OpenCvBackend() {
    // OpenCV logs warnings for ordinary models ("DNN/ONNX: ...") to stderr, which is the
    // worker's log; errors reach the caller as values.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  }

  std::string name() const override { return kBackendName; }
  std::string version() const override { return cv::getVersionString(); }
  SessionDescription DescribeSession(const SessionConfig& config) const override {
    return {"DNN_BACKEND_OPENCV on DNN_TARGET_CPU",
            "threads " +
                (config.intra_op_threads > 0 ? std::to_string(config.intra_op_threads)
                                             : std::string("runtime default")) +
                " (OpenCV's process-wide count); inter-op threads and graph optimization do not "
                "apply"};
  }

  Result<std::unique_ptr<Session>> Load(const fs::path& model_path,
                                        const SessionConfig& config) override {
    ZC_ASSIGN_OR_RETURN(ModelInfo info, ReadModelInfo(model_path));
    try {
      ApplyThreads(config.intra_op_threads);
      cv::dnn::Net net = cv::dnn::readNetFromONNX(model_path.string());
      net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      return std::unique_ptr<Session>(
          new OpenCvSession(std::move(net), std::move(info), config.intra_op_threads));
    } catch (const cv::Exception& e) {
      return OpenCvError("import", e);
    } catch (const std::bad_alloc&) {
      return OutOfMemory("import");
    }
  }
};

}  // namespace

std::unique_ptr<Backend> MakeOpenCvBackend() {
  return std::make_unique<OpenCvBackend>();
}

}  // namespace zooci
