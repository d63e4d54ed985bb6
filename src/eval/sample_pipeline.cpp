// The loop every eval job shares: images decoded and preprocessed on a pool of threads (ahead of
// use by a bounded window), batched in order on the main thread and run through the session.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "eval/job_protocol.h"
#include "eval/worker_jobs.h"

namespace zooci {
namespace {

int64_t NowNs() {
  return SystemClock().NowNs();
}

// Preprocessed samples in order, produced by decoding threads at most `window` ahead of the
// consumer so memory stays bounded.
class SamplePipeline {
 public:
  SamplePipeline(const BatchParams& params, size_t window)
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

  const BatchParams& params_;
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
Status CheckShape(const SampleTensor& sample, const BatchParams& params, const std::string& path) {
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

}  // namespace

Result<BatchParams> ParseBatchParams(const nlohmann::json& data) {
  try {
    BatchParams params;
    params.images = data.at("images").get<std::vector<std::string>>();
    params.steps = StepsFromJson(data.at("preprocessing"));
    params.input_name = data.at("input_name").get<std::string>();
    params.input_shape = data.at("input_shape").get<std::vector<int64_t>>();
    params.batch_size = std::max(1, data.at("batch_size").get<int>());
    params.decode_threads = std::max(1, data.at("decode_threads").get<int>());
    return params;
  } catch (const nlohmann::json::exception& error) {
    return Error(std::string("eval job: bad parameters: ") + error.what());
  }
}

Result<BatchTotals> RunBatches(Session& session, const BatchParams& params,
                               const BatchHandler& handle) {
  BatchTotals totals;
  const int64_t wall_start_ns = NowNs();
  SamplePipeline pipeline(params, static_cast<size_t>(params.batch_size) * 4);
  pipeline.Start();
  const size_t total = params.images.size();
  for (size_t start = 0; start < total; start += params.batch_size) {
    Batch info;
    info.start = start;
    info.count = std::min<size_t>(params.batch_size, total - start);
    Tensor batch;
    batch.name = params.input_name;
    // Images of one batch must have one shape; batches may differ (a batch of one image takes
    // any size the model input allows: detectors with free spatial dimensions).
    for (size_t offset = 0; offset < info.count; ++offset) {
      ZC_ASSIGN_OR_RETURN(SampleTensor sample, pipeline.Take(start + offset));
      if (offset == 0) {
        ZC_RETURN_IF_ERROR(CheckShape(sample, params, params.images[start]));
        info.sample_shape = sample.shape;
        if (start == 0) totals.sample_shape = sample.shape;
      } else if (sample.shape != info.sample_shape) {
        return Error(params.images[start + offset] + ": preprocessing gives " +
                     FormatDims(sample.shape) + ", unlike " + params.images[start] + "'s " +
                     FormatDims(info.sample_shape) +
                     " in the same batch: add a resize, center_crop or letterbox step, or use "
                     "batch_size: 1");
      }
      batch.elem_type = sample.elem_type;
      batch.data += sample.data;
      info.geometry.push_back(sample.geometry);
    }
    // A model with a fixed batch size gets the last batch padded with copies of its last image.
    info.rows = static_cast<int64_t>(info.count);
    if (!params.input_shape.empty() && params.input_shape[0] > 0) {
      info.rows = params.input_shape[0];
      std::string last = batch.data.substr(batch.data.size() - batch.data.size() / info.count);
      while (batch.data.size() < last.size() * static_cast<size_t>(info.rows)) batch.data += last;
    }
    batch.shape = {info.rows};
    batch.shape.insert(batch.shape.end(), info.sample_shape.begin(), info.sample_shape.end());
    const int64_t infer_start_ns = NowNs();
    std::vector<Value> inputs;  // built in place: a braced list would copy the batch
    inputs.push_back(Value::FromTensor(std::move(batch)));
    auto outputs = session.Run(inputs);
    totals.inference_ns += NowNs() - infer_start_ns;
    if (!outputs.ok()) {
      return outputs.error().WithContext("batch at image " + std::to_string(start));
    }
    ZC_RETURN_IF_ERROR(handle(*outputs, info));
  }
  totals.decode_ns = pipeline.decode_ns();
  totals.wall_ns = NowNs() - wall_start_ns;
  return totals;
}

}  // namespace zooci
