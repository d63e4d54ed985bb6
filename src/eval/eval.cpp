// The parent side of eval: list the dataset, send chunks of images to the worker job, gather the
// rankings, compute the metrics and check the claims.
#include <algorithm>
#include <thread>

#include "eval/eval.h"
#include "eval/job_protocol.h"

namespace zooci {
namespace {

using json = nlohmann::json;

std::string DatasetDescription(const EvalScenario& scenario, const Dataset& dataset) {
  static const char* kFormats[] = {"imagefolder", "csv", "tsv"};
  return std::string(kFormats[static_cast<int>(scenario.dataset.format)]) + " " +
         scenario.dataset.path.string() + ": " + std::to_string(dataset.samples.size()) +
         " images, " + std::to_string(dataset.class_names.size()) + " classes";
}

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
  if (scenario.claims.readme) {
    const ReadmeClaim& readme = *scenario.claims.readme;
    ZC_ASSIGN_OR_RETURN(ReadmeCell cell, ReadmeTableLookup(readme.file, readme.column, readme.row)
                                             .WithContext("claims.readme"));
    add("top-1", cell.value,
        readme.file.filename().string() + ":" + std::to_string(cell.line) + ", column '" +
            readme.column + "'",
        readme.file, cell.line);
  }
  for (const StatedClaim& stated : scenario.claims.stated) {
    add(stated.metric, stated.percent, stated.source, stated.file, stated.line);
  }
  return claims;
}

}  // namespace

Result<EvalResult> RunEval(Executor& executor, const EvalScenario& scenario,
                           const EvalOptions& options, const EvalProgress& progress) {
  EvalResult result;
  result.model = scenario.model.string();
  result.task = scenario.task;
  auto runtime = executor.BackendDescription();
  result.runtime = runtime.ok() ? *runtime : "unknown runtime";
  for (const PreprocessStep& step : scenario.preprocessing) {
    result.preprocessing.push_back(step.Describe());
  }
  double tolerance_pp = options.tolerance_pp.value_or(scenario.tolerance_pp);
  ZC_ASSIGN_OR_RETURN(result.claims, ResolveClaims(scenario, tolerance_pp));
  ZC_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(scenario.dataset));
  result.dataset_description = DatasetDescription(scenario, dataset);

  ZC_ASSIGN_OR_RETURN(ModelInfo model, ReadModelInfo(scenario.model));
  if (model.inputs.size() != 1) {
    return Error(scenario.model.string() + ": an image classifier takes one input; this model " +
                 "takes " + std::to_string(model.inputs.size()));
  }
  const ValueInfo& input = model.inputs[0];
  std::vector<int64_t> input_shape;
  for (const ValueInfo::Dim& dim : input.shape) input_shape.push_back(dim.value);
  int batch_size = scenario.batch_size > 0 ? scenario.batch_size : 32;
  if (!input_shape.empty() && input_shape[0] > 0) batch_size = static_cast<int>(input_shape[0]);
  result.batch_size = batch_size;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  json params = {{"preprocessing", StepsToJson(scenario.preprocessing)},
                 {"input_name", input.name},
                 {"input_shape", input_shape},
                 {"output_name", scenario.output.name},
                 {"top_k", scenario.output.top_k},
                 {"batch_size", batch_size},
                 {"decode_threads", options.decode_threads > 0 ? options.decode_threads : cores}};
  // An explicit intra-op thread count: ONNX Runtime's default pool pins its threads, which then
  // compete with the decoding threads (measured: docs/benchmarks.md, "zooci eval throughput").
  SessionConfig session = options.session;
  if (session.intra_op_threads == 0) session.intra_op_threads = cores;
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
    JobRequest request{kEvalJob, scenario.model, session, params.dump(), {}};
    JobOutcome outcome = executor.RunJob(request);
    if (outcome.status != RunStatus::kOk) {
      return Error(RunStatusName(outcome.status) + ": " + outcome.message);
    }
    result.session_create_ms += static_cast<double>(outcome.session_create_ns) / 1e6;
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
  result.wall_s = static_cast<double>(SystemClock().NowNs() - start_ns) / 1e9;
  result.images_per_s = result.wall_s > 0 ? static_cast<double>(total) / result.wall_s : 0;
  result.decode_preprocess_s = static_cast<double>(decode_ns) / 1e9;
  result.inference_s = static_cast<double>(inference_ns) / 1e9;
  ZC_ASSIGN_OR_RETURN(result.metrics,
                      ComputeMetrics(labels, ranked, dataset.class_names, scenario.output.top_k));
  for (ClaimCheck& claim : result.claims) {
    claim.measured_percent =
        claim.metric == "top-1" ? result.metrics.top1_percent : result.metrics.topk_percent;
    claim.passed = claim.measured_percent >= claim.claimed_percent - claim.tolerance_pp;
    result.passed = result.passed && claim.passed;
  }
  return result;
}

}  // namespace zooci
