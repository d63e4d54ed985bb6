// The peer for bench/opencv_corpus.sh: the least work that still "runs the corpus" on OpenCV DNN.
// One process, for each case directory: cv::dnn::readNetFromONNX, then per test_data_set one
// setInput per input (the .pb read into a cv::Mat) and one forward of the model's outputs. No
// sandbox, no comparison, no report. OpenCV's thread count is 1 (as each of zooci's two workers
// gets with -j 2 on two cores), or the second argument of --threads N.
//   bench_minimal_opencv_loop [--threads N] CORPUS_DIR...
// Prints the number of cases run, data sets run, and cases skipped (import refused, an input
// OpenCV cannot hold, or a run that threw).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-enum-enum-conversion"
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "onnx/onnx_io.h"

namespace {

using zooci::fs::path;

// The input as OpenCV's importer takes it: numeric types as they are, int64 as double (cv::Mat
// has no 64-bit integer depth). False for what a cv::Mat cannot hold (strings, bfloat16).
bool ToMat(const zooci::Tensor& tensor, cv::Mat* mat) {
  std::vector<int> dims(tensor.shape.begin(), tensor.shape.end());
  if (dims.empty()) dims = {1};
  int depth = -1;
  switch (tensor.elem_type) {
    case zooci::ElemType::kFloat:
      depth = CV_32F;
      break;
    case zooci::ElemType::kDouble:
      depth = CV_64F;
      break;
    case zooci::ElemType::kFloat16:
      depth = CV_16F;
      break;
    case zooci::ElemType::kUint8:
    case zooci::ElemType::kBool:
      depth = CV_8U;
      break;
    case zooci::ElemType::kInt8:
      depth = CV_8S;
      break;
    case zooci::ElemType::kUint16:
      depth = CV_16U;
      break;
    case zooci::ElemType::kInt16:
      depth = CV_16S;
      break;
    case zooci::ElemType::kInt32:
      depth = CV_32S;
      break;
    case zooci::ElemType::kInt64: {
      *mat = cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_64F);
      for (int64_t element_idx = 0; element_idx < tensor.ElementCount(); ++element_idx) {
        int64_t element = 0;
        std::memcpy(&element, tensor.data.data() + element_idx * 8, 8);
        mat->ptr<double>()[element_idx] = static_cast<double>(element);
      }
      return true;
    }
    default:
      return false;
  }
  *mat = cv::Mat(static_cast<int>(dims.size()), dims.data(), depth);
  if (!tensor.data.empty()) std::memcpy(mat->data, tensor.data.data(), tensor.data.size());
  return true;
}

// Runs one case; returns the number of data sets run, or -1 when the case could not run.
int RunCase(const path& dir) {
  auto data_sets = zooci::FindDataSets(dir);
  auto model = zooci::ReadModelInfo(dir / "model.onnx");
  if (!data_sets.ok() || !model.ok()) return -1;
  cv::dnn::Net net = cv::dnn::readNetFromONNX((dir / "model.onnx").string());
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  std::vector<cv::String> output_names;
  for (const zooci::ValueInfo& output : model->outputs) output_names.push_back(output.name);
  int runs = 0;
  for (const zooci::DataSet& data_set : *data_sets) {
    for (size_t input_idx = 0; input_idx < data_set.inputs.size(); ++input_idx) {
      if (input_idx >= model->inputs.size()) return -1;
      auto value = zooci::ReadValueFile(data_set.inputs[input_idx], zooci::ValueKind::kTensor);
      cv::Mat mat;
      if (!value.ok() || !ToMat(value->tensor, &mat)) return -1;
      net.setInput(mat, model->inputs[input_idx].name);
    }
    std::vector<cv::Mat> outputs;
    net.forward(outputs, output_names);
    ++runs;
  }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  int first_dir = 1;
  if (argc > 2 && std::strcmp(argv[1], "--threads") == 0) {
    threads = std::atoi(argv[2]);
    first_dir = 3;
  }
  cv::setNumThreads(threads);
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);  // as zooci-worker does
  int cases = 0, runs = 0, skipped = 0;
  for (int arg = first_dir; arg < argc; ++arg) {
    std::vector<path> dirs;
    for (const auto& entry : std::filesystem::directory_iterator(argv[arg]))
      dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    for (const path& dir : dirs) {
      try {
        int done = RunCase(dir);
        if (done < 0) {
          ++skipped;
          continue;
        }
        ++cases;
        runs += done;
      } catch (const cv::Exception&) {
        ++skipped;
      }
    }
  }
  std::printf("cases %d runs %d skipped %d\n", cases, runs, skipped);
  return 0;
}
