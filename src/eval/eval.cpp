// The parent side of eval: list the dataset, send chunks of images to the worker job, gather the
// results, compute the metrics and check the claims. Classification is here; detection's
// specific part is eval_detection.cpp, segmentation's eval_segmentation.cpp.
#include <algorithm>
#include <thread>

#include "eval/eval.h"
#include "eval/eval_internal.h"
#include "eval/job_protocol.h"

namespace zooci {
namespace eval_internal {

using json = nlohmann::json;

namespace {

int Cores() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string DatasetDescription(const EvalScenario& scenario, const Dataset& dataset) {
  static const char* kFormats[] = {"imagefolder", "csv", "tsv"};
  return std::string(kFormats[static_cast<int>(scenario.dataset.format)]) + " " +
         scenario.dataset.path.string() + ": " + std::to_string(dataset.samples.size()) +
         " images, " + std::to_string(dataset.class_names.size()) + " classes";
}

// The measured value of `metric` in percent.
double Measured(const EvalResult& result, const std::string& metric) {
  if (metric == "top-1") return result.metrics.top1_percent;
  if (metric == "top-5") return result.metrics.topk_percent;
  if (metric == "mIoU") return result.segmentation.miou_percent;
  if (metric == "pixel accuracy") return result.segmentation.pixel_accuracy_percent;
  const CocoSummary& s = result.detection.summary;
  const double fraction = metric == "mAP@0.5" ? s.ap50 : metric == "mAP@0.75" ? s.ap75 : s.ap;
  return std::max(0.0, fraction) * 100;  // -1 (undefined) cannot meet a claim
}

}  // namespace

Result<std::vector<ClaimCheck>> ResolveClaims(const EvalScenario& scenario, double tolerance_pp) {
  std::vector<ClaimCheck> claims;
  auto add = [&](const std::string& metric, double value, std::string source, fs::path file,
                 int line) {
    for (const ClaimCheck& known : claims) {  // one statement, found twice, is one claim
      if (known.metric == metric && known.file == file && known.line == line && line > 0) return;
    }
    ClaimCheck claim;
    claim.metric = metric;
    claim.claimed_percent = value;
    claim.tolerance_pp = tolerance_pp;
    claim.source = std::move(source);
    claim.file = std::move(file);
    claim.line = line;
    claims.push_back(std::move(claim));
  };
  const fs::path yaml = scenario.folder / "zooci.yaml";
  if (scenario.claims.top1) {
    add("top-1", *scenario.claims.top1, "zooci.yaml", yaml, scenario.claims.top1_line);
  }
  if (scenario.claims.top5) {
    add("top-5", *scenario.claims.top5, "zooci.yaml", yaml, scenario.claims.top5_line);
  }
  for (const MetricClaim& claim : scenario.claims.metrics) {
    add(claim.metric, claim.percent, "zooci.yaml", yaml, claim.line);
  }
  if (scenario.claims.readme) {
    const ReadmeClaim& readme = *scenario.claims.readme;
    ZC_ASSIGN_OR_RETURN(
        ReadmeCell cell,
        ReadmeTableLookup(readme.file, readme.column, readme.row).WithContext("claims.readme"));
    add(readme.metric.empty() ? "top-1" : readme.metric, cell.value,
        readme.file.filename().string() + ":" + std::to_string(cell.line) + ", column '" +
            readme.column + "'",
        readme.file, cell.line);
  }
  for (const StatedClaim& stated : scenario.claims.stated) {
    add(stated.metric, stated.percent, stated.source, stated.file, stated.line);
  }
  return claims;
}

void JudgeClaims(EvalResult* result) {
  for (ClaimCheck& claim : result->claims) {
    claim.measured_percent = Measured(*result, claim.metric);
    claim.passed = claim.measured_percent >= claim.claimed_percent - claim.tolerance_pp;
    result->passed = result->passed && claim.passed;
  }
}

Result<ModelInput> ResolveModelInput(const EvalScenario& scenario, int default_batch) {
  ZC_ASSIGN_OR_RETURN(ModelInfo model, ReadModelInfo(scenario.model));
  if (model.inputs.size() != 1) {
    return Error(scenario.model.string() + ": an image " +
                 (scenario.task == EvalTask::kObjectDetection        ? "detector"
                  : scenario.task == EvalTask::kSemanticSegmentation ? "segmentation model"
                                                                     : "classifier") +
                 " takes one input; this model takes " + std::to_string(model.inputs.size()));
  }
  ModelInput input;
  input.name = model.inputs[0].name;
  for (const ValueInfo::Dim& dim : model.inputs[0].shape) input.shape.push_back(dim.value);
  input.batch_size = scenario.batch_size > 0 ? scenario.batch_size : default_batch;
  if (!input.shape.empty() && input.shape[0] > 0)
    input.batch_size = static_cast<int>(input.shape[0]);
  return input;
}

json CommonJobParams(const EvalScenario& scenario, const ModelInput& input,
                     const EvalOptions& options) {
  return {{"preprocessing", StepsToJson(scenario.preprocessing)},
          {"input_name", input.name},
          {"input_shape", input.shape},
          {"batch_size", input.batch_size},
          {"decode_threads", options.decode_threads > 0 ? options.decode_threads : Cores()}};
}

SessionConfig EvalSession(const EvalOptions& options) {
  // An explicit intra-op thread count: ONNX Runtime's default pool pins its threads, which then
  // compete with the decoding threads (measured: docs/benchmarks.md, "zooci eval throughput").
  SessionConfig session = options.session;
  if (session.intra_op_threads == 0) session.intra_op_threads = Cores();
  return session;
}

Result<JobOutcome> RunEvalJob(Executor& executor, const JobRequest& request) {
  JobOutcome outcome = executor.RunJob(request);
  if (outcome.status != RunStatus::kOk) {
    return Error(RunStatusName(outcome.status) + ": " + outcome.message);
  }
  return outcome;
}

Status RunClassification(Executor& executor, const EvalScenario& scenario,
                         const EvalOptions& options, const EvalProgress& progress,
                         EvalResult* result) {
  ZC_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(scenario.dataset));
  result->dataset_description = DatasetDescription(scenario, dataset);
  ZC_ASSIGN_OR_RETURN(ModelInput input, ResolveModelInput(scenario, 32));
  result->batch_size = input.batch_size;
  json params = CommonJobParams(scenario, input, options);
  params["output_name"] = scenario.output.name;
  params["top_k"] = scenario.output.top_k;
  const SessionConfig session = EvalSession(options);
  std::vector<int64_t> labels;
  std::vector<std::vector<int64_t>> ranked;
  int64_t total = static_cast<int64_t>(dataset.samples.size());
  int64_t start_ns = SystemClock().NowNs(), decode_ns = 0, inference_ns = 0, classes = 0;
  for (int64_t start = 0; start < total; start += options.chunk_images) {
    int64_t count = std::min<int64_t>(options.chunk_images, total - start);
    std::vector<std::string> images;
    for (int64_t index = start; index < start + count; ++index) {
      images.push_back(dataset.samples[index].path.string());
      labels.push_back(dataset.samples[index].label);
    }
    params["images"] = images;
    ZC_ASSIGN_OR_RETURN(
        JobOutcome outcome,
        RunEvalJob(executor, {kEvalJob, scenario.model, session, params.dump(), {}}));
    result->session_create_ms += static_cast<double>(outcome.session_create_ns) / 1e6;
    try {
      json answer = json::parse(outcome.result.result_json);
      classes = answer.at("classes").get<int64_t>();
      decode_ns += answer.at("decode_ns").get<int64_t>();
      inference_ns += answer.at("inference_ns").get<int64_t>();
    } catch (const json::exception& error) {
      return Error(std::string("eval job: malformed result: ") + error.what());
    }
    if (outcome.result.blobs.empty()) return Error("eval job: no rankings");
    ZC_ASSIGN_OR_RETURN(std::vector<int64_t> flat, UnpackInt64(outcome.result.blobs[0]));
    int top_k = scenario.output.top_k;
    if (static_cast<int64_t>(flat.size()) != count * top_k) {
      return Error("eval job: expected " + std::to_string(count * top_k) + " rankings");
    }
    int64_t needed =
        static_cast<int64_t>(dataset.class_names.size()) + scenario.output.label_offset;
    if (needed > classes) {
      return Error(scenario.dataset.path.string() + ": " +
                   std::to_string(dataset.class_names.size()) + " classes with label_offset " +
                   std::to_string(scenario.output.label_offset) + " need " +
                   std::to_string(needed) + " model classes, but the model's output has " +
                   std::to_string(classes));
    }
    for (int64_t row = 0; row < count; ++row) {
      std::vector<int64_t> labels_ranked;
      for (int rank = 0; rank < top_k; ++rank) {
        int64_t model_class = flat[row * top_k + rank];
        if (model_class >= 0) labels_ranked.push_back(model_class - scenario.output.label_offset);
      }
      ranked.push_back(std::move(labels_ranked));
    }
    if (progress) progress(start + count, total);
  }
  result->wall_s = static_cast<double>(SystemClock().NowNs() - start_ns) / 1e9;
  result->images_per_s = result->wall_s > 0 ? static_cast<double>(total) / result->wall_s : 0;
  result->decode_preprocess_s = static_cast<double>(decode_ns) / 1e9;
  result->inference_s = static_cast<double>(inference_ns) / 1e9;
  ZC_ASSIGN_OR_RETURN(result->metrics,
                      ComputeMetrics(labels, ranked, dataset.class_names, scenario.output.top_k));
  return OkStatus();
}

}  // namespace eval_internal

Result<EvalResult> RunEval(Executor& executor, const EvalScenario& scenario,
                           const EvalOptions& options, const EvalProgress& progress) {
  using namespace eval_internal;
  EvalResult result;
  result.model = scenario.model.string();
  result.task = TaskName(scenario.task);
  auto runtime = executor.BackendDescription();
  result.runtime = runtime.ok() ? *runtime : "unknown runtime";
  for (const PreprocessStep& step : scenario.preprocessing) {
    result.preprocessing.push_back(step.Describe());
  }
  double tolerance_pp = options.tolerance_pp.value_or(scenario.tolerance_pp);
  ZC_ASSIGN_OR_RETURN(result.claims, ResolveClaims(scenario, tolerance_pp));
  switch (scenario.task) {
    case EvalTask::kObjectDetection:
      ZC_RETURN_IF_ERROR(RunDetection(executor, scenario, options, progress, &result));
      break;
    case EvalTask::kSemanticSegmentation:
      ZC_RETURN_IF_ERROR(RunSegmentation(executor, scenario, options, progress, &result));
      break;
    case EvalTask::kImageClassification:
      ZC_RETURN_IF_ERROR(RunClassification(executor, scenario, options, progress, &result));
      break;
  }
  JudgeClaims(&result);
  return result;
}

}  // namespace zooci
