// The worker side of eval: decode and preprocess images on a pool of threads while the main
// thread runs batches through the session, then rank the classes of each image.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <numeric>
#include <thread>

#include "eval/eval.h"
#include "eval/job_protocol.h"
#include "eval/preprocess.h"

namespace zooci {
namespace {

using json = nlohmann::json;

int64_t NowNs() {
  return SystemClock().NowNs();
}

struct JobParams {
  std::vector<std::string> images;
  std::vector<PreprocessStep> steps;
  std::string input_name;
  std::vector<int64_t> input_shape;  // declared, -1 = free
  std::string output_name;
  int top_k = 5;
  int batch_size = 32;
  int decode_threads = 1;
};

Result<JobParams> ParseParams(const std::string& text) {
  try {
    json data = json::parse(text);
    JobParams params;
    params.images = data.at("images").get<std::vector<std::string>>();
    params.steps = StepsFromJson(data.at("preprocessing"));
    params.input_name = data.at("input_name").get<std::string>();
    params.input_shape = data.at("input_shape").get<std::vector<int64_t>>();
    params.output_name = data.at("output_name").get<std::string>();
    params.top_k = std::max(1, data.at("top_k").get<int>());
    params.batch_size = std::max(1, data.at("batch_size").get<int>());
    params.decode_threads = std::max(1, data.at("decode_threads").get<int>());
    return params;
  } catch (const json::exception& error) {
    return Error(std::string("eval job: bad parameters: ") + error.what());
  }
}

// Preprocessed samples in order, produced by decoding threads at most `window` ahead of the
// consumer so memory stays bounded.
class SamplePipeline {
 public:
  SamplePipeline(const JobParams& params, size_t window)
      : params_(params), window_(window), slots_(params.images.size()) {}

  void Start() {
    for (int thread_idx = 0; thread_idx < params_.decode_threads; ++thread_idx) {
      threads_.emplace_back([this] { Produce(); });
    }
  }

  ~SamplePipeline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  // Blocks until sample `index` is ready; consuming it lets decoding move ahead.
  Result<SampleTensor> Take(size_t index) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return slots_[index].has_value(); });
    Result<SampleTensor> sample = std::move(*slots_[index]);
    slots_[index].reset();
    consumed_ = index + 1;
    changed_.notify_all();
    return sample;
  }

  int64_t decode_ns() const { return decode_ns_.load(); }

 private:
  void Produce() {
    for (;;) {
      size_t index = next_.fetch_add(1);
      if (index >= slots_.size()) return;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || index < consumed_ + window_; });
        if (stopping_) return;
      }
      int64_t start_ns = NowNs();
      const std::string& path = params_.images[index];
      Result<SampleTensor> sample = Error("");
      auto bytes = ReadFile(path, uint64_t{256} << 20);
      sample = bytes.ok() ? PreprocessImage(*bytes, path, params_.steps)
                          : Result<SampleTensor>(bytes.error());
      decode_ns_ += NowNs() - start_ns;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        slots_[index] = std::move(sample);
      }
      changed_.notify_all();
    }
  }

  const JobParams& params_;
  const size_t window_;
  std::vector<std::optional<Result<SampleTensor>>> slots_;  // guarded by mutex_
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t consumed_ = 0;    // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::atomic<size_t> next_{0};
  std::atomic<int64_t> decode_ns_{0};
  std::vector<std::thread> threads_;
};

// The sample must fit the model input after the batch dimension: same rank, fixed dims equal.
Status CheckShape(const SampleTensor& sample, const JobParams& params, const std::string& path) {
  const std::vector<int64_t>& declared = params.input_shape;
  bool fits = declared.empty() || declared.size() == sample.shape.size() + 1;
  for (size_t index = 1; fits && index < declared.size(); ++index) {
    fits = declared[index] < 0 || declared[index] == sample.shape[index - 1];
  }
  if (fits) return OkStatus();
  std::string expected = "[";
  for (size_t index = 0; index < declared.size(); ++index) {
    expected += (index ? "," : "") +
                (declared[index] < 0 ? std::string("?") : std::to_string(declared[index]));
  }
  return Error(path + ": preprocessing gives " + FormatDims(sample.shape) +
               " per image, but model input '" + params.input_name + "' expects " + expected +
               "] (batch first): check the resize/crop/layout steps");
}

// The top_k class indices of each row of a [batch, classes...] float output, best first.
Result<std::vector<int64_t>> RankRows(const Value& output, int64_t batch, int top_k,
                                      int64_t* classes) {
  const Tensor& tensor = output.tensor;
  if (output.kind != ValueKind::kTensor || tensor.elem_type != ElemType::kFloat) {
    return Error("output '" + output.name + "' is " + output.Describe() +
                 "; a classifier's scores must be a float tensor");
  }
  if (tensor.shape.empty() || tensor.shape[0] != batch) {
    return Error("output '" + output.name + "' has shape " + FormatDims(tensor.shape) +
                 "; expected the batch of " + std::to_string(batch) + " first");
  }
  *classes = tensor.ElementCount() / batch;
  std::vector<int64_t> ranked;
  std::vector<int64_t> order(static_cast<size_t>(*classes));
  const float* scores = reinterpret_cast<const float*>(tensor.data.data());
  int k = static_cast<int>(std::min<int64_t>(top_k, *classes));
  for (int64_t row = 0; row < batch; ++row) {
    const float* row_scores = scores + row * *classes;
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
      return row_scores[a] > row_scores[b] || (row_scores[a] == row_scores[b] && a < b);
    });
    for (int rank = 0; rank < top_k; ++rank) ranked.push_back(rank < k ? order[rank] : -1);
  }
  return ranked;
}

Result<JobResult> EvalClassification(Session& session, const JobRequest& request) {
  ZC_ASSIGN_OR_RETURN(JobParams params, ParseParams(request.params_json));
  int64_t wall_start_ns = NowNs();
  SamplePipeline pipeline(params, static_cast<size_t>(params.batch_size) * 4);
  pipeline.Start();
  std::vector<int64_t> ranked;
  int64_t inference_ns = 0, classes = 0;
  std::vector<int64_t> sample_shape;
  size_t total = params.images.size();
  for (size_t start = 0; start < total; start += params.batch_size) {
    size_t count = std::min<size_t>(params.batch_size, total - start);
    Tensor batch;
    batch.name = params.input_name;
    for (size_t offset = 0; offset < count; ++offset) {
      ZC_ASSIGN_OR_RETURN(SampleTensor sample, pipeline.Take(start + offset));
      if (start + offset == 0) {
        ZC_RETURN_IF_ERROR(CheckShape(sample, params, params.images[0]));
        sample_shape = sample.shape;
      } else if (sample.shape != sample_shape) {
        return Error(params.images[start + offset] + ": preprocessing gives " +
                     FormatDims(sample.shape) + ", unlike the first image's " +
                     FormatDims(sample_shape) + ": add a resize or center_crop step");
      }
      batch.elem_type = sample.elem_type;
      batch.data += sample.data;
    }
    // A model with a fixed batch size gets the last batch padded with copies of its last image.
    int64_t rows = static_cast<int64_t>(count);
    if (!params.input_shape.empty() && params.input_shape[0] > 0) {
      rows = params.input_shape[0];
      std::string last = batch.data.substr(batch.data.size() - batch.data.size() / count);
      while (batch.data.size() < last.size() * static_cast<size_t>(rows)) batch.data += last;
    }
    batch.shape = {rows};
    batch.shape.insert(batch.shape.end(), sample_shape.begin(), sample_shape.end());
    int64_t infer_start_ns = NowNs();
    std::vector<Value> inputs;  // built in place: a braced list would copy the batch
    inputs.push_back(Value::FromTensor(std::move(batch)));
    auto outputs = session.Run(inputs);
    inference_ns += NowNs() - infer_start_ns;
    if (!outputs.ok())
      return outputs.error().WithContext("batch at image " + std::to_string(start));
    const Value* scores = nullptr;
    for (const Value& output : *outputs) {
      if (params.output_name.empty() || output.name == params.output_name) {
        scores = &output;
        break;
      }
    }
    if (scores == nullptr) return Error("the model has no output '" + params.output_name + "'");
    ZC_ASSIGN_OR_RETURN(std::vector<int64_t> rows_ranked,
                        RankRows(*scores, rows, params.top_k, &classes));
    ranked.insert(ranked.end(), rows_ranked.begin(),
                  rows_ranked.begin() + static_cast<int64_t>(count) * params.top_k);
  }
  JobResult result;
  result.result_json = json{{"classes", classes},
                            {"sample_shape", sample_shape},
                            {"decode_ns", pipeline.decode_ns()},
                            {"inference_ns", inference_ns},
                            {"wall_ns", NowNs() - wall_start_ns}}
                           .dump();
  std::string blob = PackInt64(ranked);
  result.blobs.push_back(std::move(blob));
  return result;
}

}  // namespace

void RegisterEvalJobs() {
  RegisterJob(kEvalJob, EvalClassification);
}

}  // namespace zooci
