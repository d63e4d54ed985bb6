// The parent side of object detection: list the images, send them in chunks to the
// "eval-detection" worker job (which returns each image's decoded boxes in original pixels), map
// the model's labels to the dataset's categories and run COCO's evaluation.
#include <bit>
#include <map>
#include <optional>

#include "eval/eval_internal.h"
#include "eval/job_protocol.h"

namespace zooci::eval_internal {
namespace {

using json = nlohmann::json;

// Model label -> the dataset's category id, as the scenario's label_map says (scenario.h).
class LabelMapping {
 public:
  static Result<LabelMapping> Make(const DetectionOutputSpec& spec,
                                   const DetectionGroundTruth& truth);
  std::optional<int64_t> Category(int64_t label) const {
    auto found = categories_.find(label);
    if (found != categories_.end()) return found->second;
    if (identity_) return label;
    return std::nullopt;
  }

 private:
  std::map<int64_t, int64_t> categories_;
  bool identity_ = false;  // category_id: any label is its own category (unknown ones: other)
};

Result<LabelMapping> LabelMapping::Make(const DetectionOutputSpec& spec,
                                        const DetectionGroundTruth& truth) {
  LabelMapping mapping;
  std::vector<DetectionCategory> by_id = truth.categories;
  std::sort(by_id.begin(), by_id.end(),
            [](const DetectionCategory& a, const DetectionCategory& b) { return a.id < b.id; });
  switch (spec.label_map) {
    case LabelMap::kCategoryId:
      mapping.identity_ = true;
      break;
    case LabelMap::kContiguous:
      for (size_t index = 0; index < by_id.size(); ++index) {
        mapping.categories_[static_cast<int64_t>(index) + spec.label_offset] = by_id[index].id;
      }
      break;
    case LabelMap::kNames: {
      ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(spec.label_names, uint64_t{16} << 20));
      std::map<std::string, int64_t> by_name;
      for (const DetectionCategory& category : by_id) by_name.emplace(category.name, category.id);
      int64_t label = spec.label_offset, matched = 0;
      for (const std::string& line : SplitString(text, '\n')) {
        const std::string name(Trim(line));
        if (name.empty()) continue;
        auto category = by_name.find(name);
        if (category != by_name.end()) {
          mapping.categories_[label] = category->second;
          ++matched;
        }
        ++label;
      }
      if (matched == 0) {
        return Error(spec.label_names.string() +
                     ": no name matches a category of the dataset; the label map would send "
                     "every detection nowhere");
      }
      break;
    }
  }
  return mapping;
}

}  // namespace

Status RunDetection(Executor& executor, const EvalScenario& scenario, const EvalOptions& options,
                    const EvalProgress& progress, EvalResult* result) {
  ZC_ASSIGN_OR_RETURN(DetectionDataset dataset, LoadDetectionDataset(scenario.dataset));
  result->dataset_description = dataset.description;
  ZC_ASSIGN_OR_RETURN(LabelMapping mapping, LabelMapping::Make(scenario.detection, dataset.truth));
  ZC_ASSIGN_OR_RETURN(ModelInput input, ResolveModelInput(scenario, 8));
  const DetectionOutputSpec& spec = scenario.detection;
  if (spec.format == DetectionFormat::kBoxes && !spec.batch_axis) {
    if (input.batch_size > 1 && !input.shape.empty() && input.shape[0] > 1) {
      return Error(scenario.model.string() +
                   ": outputs without a batch axis need batches of one "
                   "image, but the model's input has a fixed batch of " +
                   std::to_string(input.shape[0]));
    }
    input.batch_size = 1;
  }
  result->batch_size = input.batch_size;
  json params = CommonJobParams(scenario, input, options);
  params["detection"] = DetectionSpecToJson(spec);
  const SessionConfig session = EvalSession(options);

  std::vector<DetectedBox> detections;
  const auto total = static_cast<int64_t>(dataset.images.size());
  int64_t start_ns = SystemClock().NowNs(), decode_ns = 0, inference_ns = 0, postprocess_ns = 0;
  for (int64_t start = 0; start < total; start += options.chunk_images) {
    const int64_t count = std::min<int64_t>(options.chunk_images, total - start);
    std::vector<std::string> images;
    for (int64_t index = start; index < start + count; ++index) {
      images.push_back(dataset.images[index].path.string());
    }
    params["images"] = images;
    ZC_ASSIGN_OR_RETURN(
        JobOutcome outcome,
        RunEvalJob(executor, {kDetectionJob, scenario.model, session, params.dump(), {}}));
    result->session_create_ms += static_cast<double>(outcome.session_create_ns) / 1e6;
    try {
      json answer = json::parse(outcome.result.result_json);
      decode_ns += answer.at("decode_ns").get<int64_t>();
      inference_ns += answer.at("inference_ns").get<int64_t>();
      postprocess_ns += answer.at("postprocess_ns").get<int64_t>();
      result->non_finite_outputs += answer.at("non_finite").get<int64_t>();
    } catch (const json::exception& error) {
      return Error(std::string("eval job: malformed result: ") + error.what());
    }
    if (outcome.result.blobs.empty()) return Error("eval job: no detections");
    ZC_ASSIGN_OR_RETURN(std::vector<int64_t> flat, UnpackInt64(outcome.result.blobs[0]));
    if (flat.size() % kDetectionFields != 0) return Error("eval job: truncated detections");
    for (size_t at = 0; at < flat.size(); at += kDetectionFields) {
      const int64_t image = flat[at];
      if (image < 0 || image >= count) return Error("eval job: a detection on an unknown image");
      std::optional<int64_t> category = mapping.Category(flat[at + 1]);
      if (!category) {
        ++result->unmapped_detections;
        continue;
      }
      DetectedBox det;
      det.image_id = dataset.images[start + image].id;
      det.category_id = *category;
      det.score = std::bit_cast<double>(flat[at + 2]);
      det.box = {std::bit_cast<double>(flat[at + 3]), std::bit_cast<double>(flat[at + 4]),
                 std::bit_cast<double>(flat[at + 5]), std::bit_cast<double>(flat[at + 6])};
      detections.push_back(det);
    }
    if (progress) progress(start + count, total);
  }
  const int64_t matching_start_ns = SystemClock().NowNs();
  ZC_ASSIGN_OR_RETURN(result->detection, EvaluateDetections(dataset.truth, detections));
  const int64_t end_ns = SystemClock().NowNs();
  result->matching_s = static_cast<double>(end_ns - matching_start_ns) / 1e9;
  result->wall_s = static_cast<double>(end_ns - start_ns) / 1e9;
  result->images_per_s = result->wall_s > 0 ? static_cast<double>(total) / result->wall_s : 0;
  result->decode_preprocess_s = static_cast<double>(decode_ns) / 1e9;
  result->inference_s = static_cast<double>(inference_ns) / 1e9;
  result->postprocess_s = static_cast<double>(postprocess_ns) / 1e9;
  return OkStatus();
}

}  // namespace zooci::eval_internal
