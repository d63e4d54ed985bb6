// The parent side of semantic segmentation: list the images and masks, send them in chunks to
// the "eval-segmentation" worker job (which returns the chunk's confusion matrix), sum the
// matrices and compute mIoU, pixel accuracy and the per-class figures.
#include "eval/eval_internal.h"
#include "eval/job_protocol.h"

namespace zooci::eval_internal {

Status RunSegmentation(Executor& executor, const EvalScenario& scenario, const EvalOptions& options,
                       const EvalProgress& progress, EvalResult* result) {
  using json = nlohmann::json;
  ZC_ASSIGN_OR_RETURN(SegmentationDataset dataset, LoadSegmentationDataset(scenario.dataset));
  result->dataset_description = dataset.description;
  ZC_ASSIGN_OR_RETURN(ModelInput input, ResolveModelInput(scenario, 8));
  result->batch_size = input.batch_size;
  const SegmentationOutputSpec& spec = scenario.segmentation;
  const auto classes = static_cast<int64_t>(dataset.class_names.size());
  json params = CommonJobParams(scenario, input, options);
  params["output_name"] = spec.name;
  params["compare_at"] = static_cast<int>(spec.compare_at);
  params["upsample"] = static_cast<int>(spec.upsample);
  params["labels_output"] = spec.kind == "labels";
  params["ignore_index"] = scenario.dataset.ignore_index;
  params["classes"] = classes;
  const SessionConfig session = EvalSession(options);

  std::vector<int64_t> confusion(static_cast<size_t>(classes * classes), 0);
  int64_t ignored = 0;
  const auto total = static_cast<int64_t>(dataset.samples.size());
  int64_t start_ns = SystemClock().NowNs(), decode_ns = 0, inference_ns = 0, postprocess_ns = 0;
  for (int64_t start = 0; start < total; start += options.chunk_images) {
    const int64_t count = std::min<int64_t>(options.chunk_images, total - start);
    std::vector<std::string> images, masks;
    for (int64_t index = start; index < start + count; ++index) {
      images.push_back(dataset.samples[index].image.string());
      masks.push_back(dataset.samples[index].mask.string());
    }
    params["images"] = images;
    params["masks"] = masks;
    ZC_ASSIGN_OR_RETURN(
        JobOutcome outcome,
        RunEvalJob(executor, {kSegmentationJob, scenario.model, session, params.dump(), {}}));
    result->session_create_ms += static_cast<double>(outcome.session_create_ns) / 1e6;
    try {
      json answer = json::parse(outcome.result.result_json);
      decode_ns += answer.at("decode_ns").get<int64_t>();
      inference_ns += answer.at("inference_ns").get<int64_t>();
      postprocess_ns += answer.at("postprocess_ns").get<int64_t>();
      ignored += answer.at("ignored").get<int64_t>();
    } catch (const json::exception& error) {
      return Error(std::string("eval job: malformed result: ") + error.what());
    }
    if (outcome.result.blobs.empty()) return Error("eval job: no confusion matrix");
    ZC_ASSIGN_OR_RETURN(std::vector<int64_t> chunk, UnpackInt64(outcome.result.blobs[0]));
    if (chunk.size() != confusion.size())
      return Error("eval job: a confusion matrix of the wrong size");
    for (size_t cell = 0; cell < chunk.size(); ++cell) confusion[cell] += chunk[cell];
    if (progress) progress(start + count, total);
  }
  const int64_t metrics_start_ns = SystemClock().NowNs();
  ZC_ASSIGN_OR_RETURN(result->segmentation,
                      ComputeSegmentationMetrics(confusion, dataset.class_names)
                          .WithContext(scenario.dataset.path.string()));
  result->segmentation.images = total;
  result->segmentation.ignored_pixels = ignored;
  const int64_t end_ns = SystemClock().NowNs();
  result->matching_s = static_cast<double>(end_ns - metrics_start_ns) / 1e9;
  result->wall_s = static_cast<double>(end_ns - start_ns) / 1e9;
  result->images_per_s = result->wall_s > 0 ? static_cast<double>(total) / result->wall_s : 0;
  result->decode_preprocess_s = static_cast<double>(decode_ns) / 1e9;
  result->inference_s = static_cast<double>(inference_ns) / 1e9;
  result->postprocess_s = static_cast<double>(postprocess_ns) / 1e9;
  return OkStatus();
}

}  // namespace zooci::eval_internal
