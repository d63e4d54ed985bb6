// The detection job ("eval-detection"): run the images through the detector and decode each
// image's boxes back onto the original image (detection_decode.h). Decoding happens here, next to
// the outputs, so only the kept boxes cross the pipe (a YOLO grid can be megabytes per image).
#include <bit>

#include "eval/detection_decode.h"
#include "eval/job_protocol.h"
#include "eval/worker_jobs.h"

namespace zooci {

Result<JobResult> EvalDetectionJob(Session& session, const JobRequest& request) {
  using json = nlohmann::json;
  DetectionOutputSpec spec;
  json data;
  try {
    data = json::parse(request.params_json);
    spec = DetectionSpecFromJson(data.at("detection"));
  } catch (const json::exception& error) {
    return Error(std::string("eval job: bad parameters: ") + error.what());
  }
  ZC_ASSIGN_OR_RETURN(BatchParams params, ParseBatchParams(data));
  bool nchw = true;  // the preprocessing's default layout
  for (const PreprocessStep& step : params.steps) {
    if (step.kind == PreprocessKind::kLayout) nchw = step.text == "NCHW";
  }
  std::vector<int64_t> packed;
  int64_t postprocess_ns = 0, non_finite = 0;
  bool checked = false;
  auto decode_batch = [&](const std::vector<Value>& outputs, const Batch& batch) -> Status {
    const int64_t start_ns = SystemClock().NowNs();
    if (!checked) {
      ZC_RETURN_IF_ERROR(CheckDetectionOutputs(spec, outputs, batch.rows));
      checked = true;
    }
    // The input's spatial size, for normalized coordinates: [C,H,W] or [H,W,C].
    const int64_t height = batch.sample_shape.size() == 3 ? batch.sample_shape[nchw ? 1 : 0] : 0;
    const int64_t width = batch.sample_shape.size() == 3 ? batch.sample_shape[nchw ? 2 : 1] : 0;
    for (size_t offset = 0; offset < batch.count; ++offset) {
      auto image = DecodeDetections(spec, outputs, static_cast<int64_t>(offset), height, width,
                                    batch.geometry[offset]);
      if (!image.ok()) {
        return image.error().WithContext(params.images[batch.start + offset]);
      }
      non_finite += image->non_finite;
      for (const DecodedBox& box : image->boxes) {
        packed.push_back(static_cast<int64_t>(batch.start + offset));
        packed.push_back(box.label);
        for (double value : {box.score, box.box.x, box.box.y, box.box.width, box.box.height}) {
          packed.push_back(std::bit_cast<int64_t>(value));
        }
      }
    }
    postprocess_ns += SystemClock().NowNs() - start_ns;
    return OkStatus();
  };
  ZC_ASSIGN_OR_RETURN(BatchTotals totals, RunBatches(session, params, decode_batch));
  JobResult result;
  result.result_json = json{
      {"sample_shape", totals.sample_shape},
      {"decode_ns", totals.decode_ns},
      {"inference_ns", totals.inference_ns},
      {"postprocess_ns", postprocess_ns},
      {"non_finite", non_finite},
      {"wall_ns",
       totals.wall_ns}}.dump();
  result.blobs.push_back(PackInt64(packed));
  return result;
}

}  // namespace zooci
