// Private to eval's worker side (zooci_eval_worker): what the eval jobs share — the job
// parameters every task has, and the loop that decodes and preprocesses images on a pool of
// threads while the main thread runs them through the session in batches (sample_pipeline.cpp).
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "eval/preprocess.h"
#include "runtime/runtime.h"

namespace zooci {

// The parameters every eval job has (job_protocol.h lists their JSON names).
struct BatchParams {
  std::vector<std::string> images;
  std::vector<PreprocessStep> steps;
  std::string input_name;
  std::vector<int64_t> input_shape;  // declared, -1 = free
  int batch_size = 32;
  int decode_threads = 1;
};
Result<BatchParams> ParseBatchParams(const nlohmann::json& data);  // never throws

// One batch as the handler sees it: images [start, start + count) of the job, `rows` model rows
// (a fixed batch size pads the last batch with copies of its last image).
struct Batch {
  size_t start = 0;
  size_t count = 0;
  int64_t rows = 0;
  std::vector<int64_t> sample_shape;    // one image's tensor shape, without the batch dim
  std::vector<ImageGeometry> geometry;  // per image of the batch
};

struct BatchTotals {
  int64_t decode_ns = 0;  // decoding and preprocessing, summed over threads
  int64_t inference_ns = 0;
  int64_t wall_ns = 0;
  std::vector<int64_t> sample_shape;
};

using BatchHandler = std::function<Status(const std::vector<Value>& outputs, const Batch& batch)>;

// Runs every image of `params` through `session`, calling `handle` after each batch. Errors name
// the image (decoding, preprocessing, a shape the model input cannot take) or the batch.
Result<BatchTotals> RunBatches(Session& session, const BatchParams& params,
                               const BatchHandler& handle);

// The "eval-detection" job (detection_job.cpp).
Result<JobResult> EvalDetectionJob(Session& session, const JobRequest& request);

// The "eval-segmentation" job (segmentation_job.cpp).
Result<JobResult> EvalSegmentationJob(Session& session, const JobRequest& request);

}  // namespace zooci
