// Private to eval: the parent side's pieces every task uses (eval.cpp, eval_detection.cpp,
// eval_segmentation.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include "eval/eval.h"

namespace zooci::eval_internal {

// Every claim made for the model: the scenario's own (zooci.yaml values, its README cell) and
// the stated ones; one statement found twice counts once. Measured values are filled in later.
Result<std::vector<ClaimCheck>> ResolveClaims(const EvalScenario& scenario, double tolerance_pp);

// Fills measured_percent and passed of each claim from the result's metrics, and result->passed.
void JudgeClaims(EvalResult* result);

// The model's single input and the batch size to use: the model's fixed batch dimension, else
// the scenario's, else `default_batch`.
struct ModelInput {
  std::string name;
  std::vector<int64_t> shape;  // declared dims, -1 when free
  int batch_size = 32;
};
Result<ModelInput> ResolveModelInput(const EvalScenario& scenario, int default_batch);

// The parameters every eval job takes (job_protocol.h), without "images".
nlohmann::json CommonJobParams(const EvalScenario& scenario, const ModelInput& input,
                               const EvalOptions& options);
// The session options eval runs with (an explicit intra-op thread count; see eval.cpp).
SessionConfig EvalSession(const EvalOptions& options);

// Runs one job request; the job's own failure (RunStatus) becomes an Error.
Result<JobOutcome> RunEvalJob(Executor& executor, const JobRequest& request);

// image-classification and object-detection, after the common fields of `result` are set.
Status RunClassification(Executor& executor, const EvalScenario& scenario,
                         const EvalOptions& options, const EvalProgress& progress,
                         EvalResult* result);
Status RunDetection(Executor& executor, const EvalScenario& scenario, const EvalOptions& options,
                    const EvalProgress& progress, EvalResult* result);
Status RunSegmentation(Executor& executor, const EvalScenario& scenario, const EvalOptions& options,
                       const EvalProgress& progress, EvalResult* result);

// Detection's parts of the text and JSON reports (detection_report.cpp).
std::string DetectionText(const EvalResult& result);
nlohmann::json DetectionJson(const EvalResult& result, nlohmann::json claims);

// Segmentation's (segmentation_report.cpp).
std::string SegmentationText(const EvalResult& result);
nlohmann::json SegmentationJson(const EvalResult& result, nlohmann::json claims);

}  // namespace zooci::eval_internal
