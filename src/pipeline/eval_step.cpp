// The eval step: when zooci.yaml declares a scenario, measure the model's accuracy and check every
// claim made for it — the scenario's own, and the README model table's figures in the row that
// links the model (both, when they differ: a README claiming 99.9 % beside a scenario claiming the
// measured value is still checked). Cached by the scenario, the model, the README and the dataset.
#include <algorithm>

#include "eval/eval.h"
#include "pipeline/internal.h"
#include "pipeline/readme_links.h"

namespace zooci::pipeline_internal {
namespace {

// A metric a model-table column states: "top-1"/"top-5", as accuracy or as error; for a
// detector "mAP" (COCO's AP@[.5:.95]), "mAP@0.5", "mAP@0.75"; for a segmentation model "mIoU",
// "pixel accuracy".
struct ClaimColumn {
  std::string metric;
  bool error = false;  // "TOP-1 ERROR": accuracy is 100 - value
};

std::optional<ClaimColumn> DetectionClaimColumnOf(const std::string& column) {
  const std::string lower = AsciiLower(column);
  const bool ap = lower.find("map") != std::string::npos ||
                  lower.find("box ap") != std::string::npos || StartsWith(lower, "ap");
  if (!ap) return std::nullopt;
  auto has = [&](const char* part) { return lower.find(part) != std::string::npos; };
  ClaimColumn claim{"mAP"};
  const bool range = has(":") || has("50-95") || has("50:95");  // "mAP@[.5:.95]"
  if (!range && has("75")) claim.metric = "mAP@0.75";
  if (!range && (has("50") || has("0.5") || has("@.5"))) claim.metric = "mAP@0.5";
  return claim;
}

// A segmentation model's: "mIoU" (or "mean IoU"), "pixel accuracy".
std::optional<ClaimColumn> SegmentationClaimColumnOf(const std::string& column) {
  const std::string lower = AsciiLower(column);
  if (lower.find("miou") != std::string::npos || lower.find("mean iou") != std::string::npos) {
    return ClaimColumn{"mIoU"};
  }
  if (lower.find("pixel acc") != std::string::npos) return ClaimColumn{"pixel accuracy"};
  return std::nullopt;
}

std::optional<ClaimColumn> ClaimColumnOf(const std::string& column, EvalTask task) {
  if (task == EvalTask::kObjectDetection) return DetectionClaimColumnOf(column);
  if (task == EvalTask::kSemanticSegmentation) return SegmentationClaimColumnOf(column);
  std::string lower = AsciiLower(column);
  ClaimColumn claim;
  for (const char* top1 : {"top-1", "top1", "top 1"}) {
    if (lower.find(top1) != std::string::npos) claim.metric = "top-1";
  }
  for (const char* top5 : {"top-5", "top5", "top 5"}) {
    if (lower.find(top5) != std::string::npos) claim.metric = "top-5";
  }
  if (claim.metric.empty()) return std::nullopt;
  claim.error = lower.find("error") != std::string::npos;
  if (!claim.error && lower.find("acc") == std::string::npos && lower != claim.metric) {
    return std::nullopt;  // "Top-1 latency", ...: not an accuracy
  }
  return claim;
}

// The first number in `cell`, and whether it carries a '%'.
std::optional<std::pair<double, bool>> CellNumber(const std::string& cell) {
  size_t start = cell.find_first_of("0123456789");
  if (start == std::string::npos) return std::nullopt;
  size_t end = cell.find_first_not_of("0123456789.", start);
  auto value = ParseDouble(cell.substr(start, end == std::string::npos ? end : end - start),
                           "claim");
  if (!value.ok()) return std::nullopt;
  return std::pair{*value, cell.find('%') != std::string::npos};
}

// The claims the README's model table states for `model` (the rows linking it). Values that
// are neither marked as percentages (a '%' in the cell or the column) nor above 1 have no
// known scale; they are reported in `unscaled` rather than guessed.
std::vector<StatedClaim> ReadmeClaims(const StepContext& context, const fs::path& model,
                                      EvalTask task, std::vector<std::string>* unscaled) {
  const ModelFolder& folder = *context.folder;
  std::vector<StatedClaim> claims;
  const Result<Readme>& readme = context.readmes->Get(folder.dir / "README.md");
  if (!readme.ok()) return claims;
  const std::string file = folder.relative + "/README.md";
  for (const ModelTable& table : readme->model_tables) {
    for (const ModelTableRow& row : table.rows) {
      bool links_model = false;
      for (const MarkdownLink& link : row.cell_links) {
        links_model = links_model || ResolveLink(folder.root, folder.dir, link.target) == model;
      }
      if (!links_model) continue;
      for (size_t column = 0; column < table.columns.size() && column < row.cells.size();
           ++column) {
        std::optional<ClaimColumn> claim_column = ClaimColumnOf(table.columns[column], task);
        if (!claim_column) continue;
        std::optional<std::pair<double, bool>> number = CellNumber(row.cells[column]);
        if (!number) continue;
        auto [value, percent_sign] = *number;
        bool percent = percent_sign || table.columns[column].find('%') != std::string::npos ||
                       value > 1;
        std::string where = file + ":" + std::to_string(row.line) + ", column '" +
                            table.columns[column] + "'";
        if (!percent || value > 100) {
          unscaled->push_back(where + " states " + row.cells[column]);
          continue;
        }
        StatedClaim claim;
        claim.metric = claim_column->metric;
        claim.percent = claim_column->error ? 100 - value : value;
        claim.source = where + (claim_column->error ? " (an error rate)" : "");
        claim.file = folder.dir / "README.md";
        claim.line = row.line;
        claims.push_back(std::move(claim));
      }
    }
  }
  return claims;
}

}  // namespace

StepResult RunEvalStep(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  fs::path scenario_file = folder.dir / "zooci.yaml";
  std::error_code error;
  if (!fs::exists(fs::symlink_status(scenario_file, error))) {
    StepResult step = Skipped("eval", "no zooci.yaml scenario", false);
    step.reasons.push_back(MakeReason("eval",
                                      "no zooci.yaml eval scenario: accuracy was not measured, so "
                                      "the README's accuracy figures are unverified",
                                      folder.relative, 0, ReasonLevel::kWarning));
    return step;
  }
  Status readable = CheckFileInside(folder.root, scenario_file);
  auto scenario = readable.ok() ? LoadScenario(folder.dir) : Result<EvalScenario>(readable.error());
  if (!scenario.ok()) {
    StepResult step;
    step.name = "eval";
    std::string message = scenario.error().message();
    std::string prefix = folder.dir.string() + "/";
    if (StartsWith(message, prefix)) message = folder.relative + "/" + message.substr(prefix.size());
    step.reasons.push_back(MakeReason("eval", message, folder.relative + "/zooci.yaml"));
    Conclude(step, "the scenario is invalid");
    return step;
  }
  if (ReadLfsPointer(scenario->model).has_value()) return NotFetched(context, "eval", 1);
  // The submitter's tolerance is capped by the zoo's: a scenario cannot wave its own over-claim
  // through with `tolerance: 50`.
  const double asked_tolerance_pp = scenario->tolerance_pp;
  const double cap_pp = context.config->max_claim_tolerance_pp;
  const bool capped = asked_tolerance_pp > cap_pp;
  if (capped) scenario->tolerance_pp = cap_pp;
  const std::string cap_source =
      context.config->max_claim_tolerance_line > 0
          ? std::string(kZooConfigFile) + ":" +
                std::to_string(context.config->max_claim_tolerance_line)
          : "the default; zooci-zoo.yaml's claims.max_tolerance_pp sets it";
  // The zoo's own data for the task, when it has some, replaces the submission's: a dataset its
  // author chose can be one the model happens to do well on.
  std::string on_data = ", on the submission's own dataset";
  if (const ZooDataset* zoo_data = context.config->DatasetFor(TaskName(scenario->task))) {
    const std::string where = "the zoo's dataset for " + zoo_data->task + " (" +
                              zoo_data->folder + ", " + kZooConfigFile + ":" +
                              std::to_string(zoo_data->line) + ")";
    fs::path data_folder = folder.root / zoo_data->folder;
    std::error_code error;
    Status inside =
        fs::is_directory(fs::symlink_status(data_folder, error)) &&
                IsWithin(folder.root, data_folder)
            ? OkStatus()
            : Status(Error(zoo_data->folder +
                           " is not a folder inside the zoo (missing, or a symbolic link); it "
                           "was not read"));
    auto spec = inside.ok() ? LoadZooDataset(data_folder, scenario->task)
                            : Result<DatasetSpec>(inside.error());
    if (!spec.ok()) {
      StepResult step = Skipped("eval", where + " cannot be read", false);
      step.reasons.push_back(
          MakeReason("eval",
                     where + " cannot be read: " + WithoutRoot(spec.error().message(), folder.root) +
                         "; the claims were not checked",
                     kZooConfigFile, zoo_data->line, ReasonLevel::kUnverified));
      return step;
    }
    scenario->dataset = std::move(*spec);
    on_data = ", on the zoo's dataset " + zoo_data->folder;
  }
  const std::string cache_config = "claim-tolerance-pp=" +
                                   FormatDouble(scenario->tolerance_pp, 17) + ";data" + on_data;
  std::vector<std::string> unscaled;
  for (StatedClaim& claim : ReadmeClaims(context, scenario->model, scenario->task, &unscaled)) {
    scenario->claims.stated.push_back(std::move(claim));
  }
  // Everything eval reads: the scenario, the model and its external data, the README (claims),
  // the dataset's list and labels files and every sample.
  std::vector<fs::path> inputs = {scenario_file, folder.dir / "README.md"};
  for (const fs::path& file : ModelAndExternalData(scenario->model, folder.root)) {
    inputs.push_back(file);
  }
  if (auto files = DatasetInputFiles(*scenario); files.ok()) {
    inputs.insert(inputs.end(), files->begin(), files->end());
  }
  return Cached(context, "eval", cache_config, inputs, [&] {
    StepResult step;
    step.name = "eval";
    if (capped) {
      step.reasons.push_back(MakeReason(
          "eval",
          "zooci.yaml sets a claim tolerance of " + FormatNumber(asked_tolerance_pp, 3) +
              " percentage points, more than the zoo allows (" + FormatNumber(cap_pp, 3) + ", " +
              cap_source + "): claims were checked with " + FormatNumber(cap_pp, 3),
          folder.relative + "/zooci.yaml", 0, ReasonLevel::kWarning));
    }
    for (const std::string& claim : unscaled) {
      step.reasons.push_back(MakeReason(
          "eval", claim + " without a unit (not a percentage): it was not compared", "", 0,
          ReasonLevel::kWarning));
    }
    auto result = RunEval(*context.executor, *scenario, EvalOptions{}, nullptr);
    if (!result.ok()) {
      step.transient = true;  // possibly the sandbox's (a crash, a limit): computed again next time
      step.reasons.push_back(
          MakeReason("eval", result.error().message(), folder.relative + "/zooci.yaml"));
      Conclude(step, "eval could not run");
      return step;
    }
    for (const ClaimCheck& claim : result->claims) {
      if (claim.passed) continue;
      std::string file = claim.file.empty() ? folder.relative + "/zooci.yaml"
                                            : RelativeTo(folder.root, claim.file);
      const bool accuracy = StartsWith(claim.metric, "top-");
      step.reasons.push_back(MakeReason(
          "eval",
          claim.metric + (accuracy ? " accuracy" : "") + " is claimed " +
              FormatNumber(claim.claimed_percent) + "% (" + claim.source + ") but measures " +
              FormatNumber(claim.measured_percent) + "%; at most " +
              FormatNumber(claim.tolerance_pp, 3) + " percentage points below the claim is allowed" +
              (capped ? " (the zoo's limit: zooci.yaml asks for " +
                            FormatNumber(asked_tolerance_pp, 3) + ")"
                      : std::string()),
          file, claim.line));
    }
    const ClassificationMetrics& metrics = result->metrics;
    step.details_json = FormatEvalJson(*result);  // what `zooci eval --format json` reports
    if (scenario->task == EvalTask::kObjectDetection) {
      const CocoSummary& coco = result->detection.summary;
      Conclude(step, "mAP " + FormatNumber(std::max(0.0, coco.ap) * 100) + "%, mAP@0.5 " +
                         FormatNumber(std::max(0.0, coco.ap50) * 100) + "% (" +
                         std::to_string(result->detection.images) + " images), " +
                         Plural(result->claims.size(), "claim") + " checked" + on_data);
      return step;
    }
    if (scenario->task == EvalTask::kSemanticSegmentation) {
      const SegmentationMetrics& seg = result->segmentation;
      Conclude(step, "mIoU " + FormatNumber(seg.miou_percent) + "%, pixel accuracy " +
                         FormatNumber(seg.pixel_accuracy_percent) + "% (" +
                         std::to_string(seg.images) + " images), " +
                         Plural(result->claims.size(), "claim") + " checked" + on_data);
      return step;
    }
    Conclude(step, "top-1 " + FormatNumber(metrics.top1_percent) + "% (" +
                       std::to_string(metrics.top1_correct) + " of " +
                       std::to_string(metrics.total) + "), " +
                       Plural(result->claims.size(), "claim") + " checked" + on_data);
    return step;
  });
}

}  // namespace zooci::pipeline_internal
