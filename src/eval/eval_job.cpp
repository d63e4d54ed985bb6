// The classification job ("eval-classification"): rank the classes of each image. The batch loop
// (decoding, preprocessing, inference) is sample_pipeline.cpp's.
#include <algorithm>
#include <numeric>

#include "eval/eval.h"
#include "eval/job_protocol.h"
#include "eval/worker_jobs.h"

namespace zooci {
namespace {

using json = nlohmann::json;

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
  std::string output_name;
  int top_k = 5;
  json data;
  try {
    data = json::parse(request.params_json);
    output_name = data.at("output_name").get<std::string>();
    top_k = std::max(1, data.at("top_k").get<int>());
  } catch (const json::exception& error) {
    return Error(std::string("eval job: bad parameters: ") + error.what());
  }
  ZC_ASSIGN_OR_RETURN(BatchParams params, ParseBatchParams(data));
  std::vector<int64_t> ranked;
  int64_t classes = 0;
  auto rank_batch = [&](const std::vector<Value>& outputs, const Batch& batch) -> Status {
    const Value* scores = nullptr;
    for (const Value& output : outputs) {
      if (output_name.empty() || output.name == output_name) {
        scores = &output;
        break;
      }
    }
    if (scores == nullptr) return Error("the model has no output '" + output_name + "'");
    ZC_ASSIGN_OR_RETURN(std::vector<int64_t> rows_ranked,
                        RankRows(*scores, batch.rows, top_k, &classes));
    ranked.insert(ranked.end(), rows_ranked.begin(),
                  rows_ranked.begin() + static_cast<int64_t>(batch.count) * top_k);
    return OkStatus();
  };
  ZC_ASSIGN_OR_RETURN(BatchTotals totals, RunBatches(session, params, rank_batch));
  JobResult result;
  result.result_json = json{
      {"classes", classes},
      {"sample_shape", totals.sample_shape},
      {"decode_ns", totals.decode_ns},
      {"inference_ns", totals.inference_ns},
      {"wall_ns",
       totals.wall_ns}}.dump();
  result.blobs.push_back(PackInt64(ranked));
  return result;
}

}  // namespace

void RegisterEvalJobs() {
  RegisterJob(kEvalJob, EvalClassification);
  RegisterJob(kDetectionJob, EvalDetectionJob);
  RegisterJob(kSegmentationJob, EvalSegmentationJob);
}

}  // namespace zooci
