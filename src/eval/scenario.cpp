// Loading and validating an eval scenario (zooci.yaml): the document, dataset, preprocessing,
// classification output and claims. yaml-cpp's exceptions stay inside the scenario files: every
// failure becomes an Error "<file>:<line>: <key path>: <what is wrong>".
//
// Decisions beyond the header's format description:
//   - Required: dataset (with format and path), preprocessing, and claims.readme's file and
//     column when claims.readme is given. Everything else has a default.
//   - No claims at all is allowed: eval then reports the measured accuracy without a verdict.
//     top1 and readme both claim top-1, so giving both is an error.
//   - A key whose value is empty (`output:`) reads as an empty mapping for sections and is an
//     error for values. Duplicate keys are errors.
//   - dataset.header is only accepted for csv/tsv; labels is required for csv/tsv and boxes;
//     annotations is required for coco. The formats are the task's: imagefolder/csv/tsv for
//     classification, coco/boxes for detection.
//   - Paths are checked lexically (relative, no escaping "..") and then for real: symlinks are
//     followed only while they stay inside the folder (a submission's dataset is the
//     submission's; a link to elsewhere on the CI machine is refused, never read).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string_view>

#include "base/base.h"
#include "eval/preprocess.h"
#include "eval/scenario.h"
#include "eval/scenario_parser.h"

namespace zooci {
namespace scenario_internal {

Status Parser::ParseDataset(const Field& field, EvalTask task, DatasetSpec* dataset) const {
  const std::string path = "dataset";
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, path,
                                                {"format", "path", "labels", "header", "limit",
                                                 "annotations", "ignore_index"}));
  ZC_ASSIGN_OR_RETURN(const Field* format, Require(fields, "format", field.key, path));
  const bool detection = task == EvalTask::kObjectDetection;
  const bool segmentation = task == EvalTask::kSemanticSegmentation;
  ZC_ASSIGN_OR_RETURN(std::string format_name,
                      Enum(*format, path + ".format",
                           detection      ? Names{"coco", "boxes"}
                           : segmentation ? Names{"masks"}
                                          : Names{"imagefolder", "csv", "tsv"}));
  dataset->format = format_name == "csv"     ? DatasetFormat::kCsv
                    : format_name == "tsv"   ? DatasetFormat::kTsv
                    : format_name == "coco"  ? DatasetFormat::kCoco
                    : format_name == "boxes" ? DatasetFormat::kBoxes
                    : format_name == "masks" ? DatasetFormat::kMasks
                                             : DatasetFormat::kImageFolder;
  const bool folder_format =
      dataset->format == DatasetFormat::kImageFolder || detection || segmentation;
  ZC_ASSIGN_OR_RETURN(const Field* data_path, Require(fields, "path", field.key, path));
  ZC_ASSIGN_OR_RETURN(dataset->path,
                      InsidePath(*data_path, path + ".path",
                                 folder_format ? PathKind::kDirectory : PathKind::kFile));
  const bool labels_required =
      dataset->format == DatasetFormat::kCsv || dataset->format == DatasetFormat::kTsv ||
      dataset->format == DatasetFormat::kBoxes || dataset->format == DatasetFormat::kMasks;
  if (const Field* labels = fields.Find("labels")) {
    if (dataset->format == DatasetFormat::kCoco) {
      return Fail(labels->key, path, "'labels' does not apply to coco (its categories name them)");
    }
    ZC_ASSIGN_OR_RETURN(dataset->labels, InsidePath(*labels, path + ".labels", PathKind::kFile));
  } else if (labels_required) {
    return Fail(field.key, path,
                "missing required key 'labels' (required for " + format_name + ")");
  }
  if (const Field* annotations = fields.Find("annotations")) {
    if (!detection && !segmentation) {
      return Fail(annotations->key, path, "'annotations' applies to coco, boxes and masks only");
    }
    ZC_ASSIGN_OR_RETURN(dataset->annotations,
                        InsidePath(*annotations, path + ".annotations",
                                   dataset->format == DatasetFormat::kCoco ? PathKind::kFile
                                                                           : PathKind::kDirectory));
  } else if (dataset->format == DatasetFormat::kCoco) {
    return Fail(field.key, path, "missing required key 'annotations' (required for coco)");
  } else if (dataset->format == DatasetFormat::kBoxes) {
    dataset->annotations = dataset->path;
  } else if (dataset->format == DatasetFormat::kMasks) {
    // The documented layout: images/NAME.png beside masks/NAME.png.
    const fs::path masks = dataset->path.lexically_relative(folder_).parent_path() / "masks";
    std::error_code error;
    if (!fs::is_directory(folder_ / masks, error)) {
      return Fail(
          field.key, path,
          "no 'annotations' given and no masks folder '" + masks.string() + "' beside the images");
    }
    const Field implied{"annotations", field.key, YAML::Node(masks.string())};
    ZC_ASSIGN_OR_RETURN(dataset->annotations,
                        InsidePath(implied, path + ".annotations", PathKind::kDirectory));
  }
  if (const Field* ignore = fields.Find("ignore_index")) {
    if (!segmentation) return Fail(ignore->key, path, "'ignore_index' applies to masks only");
    ZC_ASSIGN_OR_RETURN(dataset->ignore_index,
                        Int(*ignore, path + ".ignore_index", INT32_MIN, INT32_MAX));
  }
  if (const Field* header = fields.Find("header")) {
    if (folder_format) return Fail(header->key, path, "'header' applies to csv and tsv only");
    ZC_ASSIGN_OR_RETURN(dataset->header, Bool(*header, path + ".header"));
  }
  if (const Field* limit = fields.Find("limit")) {
    ZC_ASSIGN_OR_RETURN(dataset->limit, Int(*limit, path + ".limit", 0, INT64_MAX));
  }
  return OkStatus();
}

const Names kStepNames = {"decode", "color",     "resize", "center_crop", "letterbox",
                          "scale",  "normalize", "layout", "dtype"};

Result<PreprocessStep> Parser::ParseStep(const YAML::Node& item, const std::string& path) const {
  if (!item.IsMap() || item.size() != 1) {
    return Fail(item, path,
                "expected a mapping with one key naming the step (valid steps: " +
                    JoinNames(kStepNames) + ")");
  }
  auto it = item.begin();
  if (!it->first.IsScalar()) return Fail(item, path, "the step name must be a plain name");
  const std::string name = it->first.Scalar();
  const Field field{name, it->first, it->second};
  const std::string step_path = JoinPath(path, name);
  PreprocessStep step;
  if (name == "decode") {
    step.kind = PreprocessKind::kDecode;
    ZC_ASSIGN_OR_RETURN(step.text, Enum(field, step_path, {"color", "grayscale"}));
  } else if (name == "color") {
    step.kind = PreprocessKind::kColor;
    ZC_ASSIGN_OR_RETURN(step.text, Enum(field, step_path, {"RGB", "BGR", "GRAY"}));
  } else if (name == "resize") {
    step.kind = PreprocessKind::kResize;
    ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, step_path,
                                                  {"shorter_side", "size", "interpolation"}));
    const Field* shorter = fields.Find("shorter_side");
    const Field* size = fields.Find("size");
    if ((shorter == nullptr) == (size == nullptr)) {
      return Fail(field.key, step_path, "give exactly one of 'shorter_side' and 'size'");
    }
    if (shorter != nullptr) {
      ZC_ASSIGN_OR_RETURN(step.shorter_side,
                          Int(*shorter, JoinPath(step_path, "shorter_side"), 1, INT64_MAX));
    } else {
      ZC_RETURN_IF_ERROR(Size(*size, JoinPath(step_path, "size"), &step.height, &step.width));
    }
    step.text = "bilinear";
    if (const Field* interpolation = fields.Find("interpolation")) {
      ZC_ASSIGN_OR_RETURN(step.text, Enum(*interpolation, JoinPath(step_path, "interpolation"),
                                          {"nearest", "bilinear", "bicubic", "area"}));
    }
  } else if (name == "center_crop") {
    step.kind = PreprocessKind::kCenterCrop;
    ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, step_path, {"size"}));
    ZC_ASSIGN_OR_RETURN(const Field* size, Require(fields, "size", field.key, step_path));
    ZC_RETURN_IF_ERROR(Size(*size, JoinPath(step_path, "size"), &step.height, &step.width));
  } else if (name == "letterbox") {
    step.kind = PreprocessKind::kLetterbox;
    ZC_ASSIGN_OR_RETURN(Fields fields,
                        ReadFields(field.value, step_path, {"size", "color", "interpolation"}));
    ZC_ASSIGN_OR_RETURN(const Field* size, Require(fields, "size", field.key, step_path));
    ZC_RETURN_IF_ERROR(Size(*size, JoinPath(step_path, "size"), &step.height, &step.width));
    step.fill = {114};  // the gray of YOLO's letterbox
    if (const Field* color = fields.Find("color")) {
      ZC_ASSIGN_OR_RETURN(step.fill, NumberList(*color, JoinPath(step_path, "color")));
    }
    step.text = "bilinear";
    if (const Field* interpolation = fields.Find("interpolation")) {
      ZC_ASSIGN_OR_RETURN(step.text, Enum(*interpolation, JoinPath(step_path, "interpolation"),
                                          {"nearest", "bilinear", "bicubic", "area"}));
    }
  } else if (name == "scale") {
    step.kind = PreprocessKind::kScale;
    ZC_ASSIGN_OR_RETURN(step.scale, Number(field, step_path));
  } else if (name == "normalize") {
    step.kind = PreprocessKind::kNormalize;
    ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, step_path, {"mean", "std"}));
    ZC_ASSIGN_OR_RETURN(const Field* mean_field, Require(fields, "mean", field.key, step_path));
    ZC_ASSIGN_OR_RETURN(const Field* std_field, Require(fields, "std", field.key, step_path));
    ZC_ASSIGN_OR_RETURN(step.mean, NumberList(*mean_field, JoinPath(step_path, "mean")));
    ZC_ASSIGN_OR_RETURN(step.std, NumberList(*std_field, JoinPath(step_path, "std")));
    for (size_t idx = 0; idx < step.std.size(); ++idx) {
      if (step.std[idx] == 0) {
        return Fail(std_field->value[idx],
                    JoinPath(step_path, "std") + "[" + std::to_string(idx) + "]", "must not be 0");
      }
    }
  } else if (name == "layout") {
    step.kind = PreprocessKind::kLayout;
    ZC_ASSIGN_OR_RETURN(step.text, Enum(field, step_path, {"NCHW", "NHWC"}));
  } else if (name == "dtype") {
    step.kind = PreprocessKind::kDtype;
    ZC_ASSIGN_OR_RETURN(step.text, Enum(field, step_path, {"float32", "uint8"}));
  } else {
    return Fail(it->first, path,
                "unknown step '" + name + "' (valid: " + JoinNames(kStepNames) + ")");
  }
  return step;
}

Status Parser::ParseOutput(const Field& field, OutputSpec* output) const {
  const std::string path = "output";
  ZC_ASSIGN_OR_RETURN(Fields fields,
                      ReadFields(field.value, path, {"name", "kind", "label_offset", "top_k"}));
  if (const Field* name = fields.Find("name")) {
    ZC_ASSIGN_OR_RETURN(output->name, String(*name, path + ".name"));
  }
  if (const Field* kind = fields.Find("kind")) {
    ZC_ASSIGN_OR_RETURN(output->kind, Enum(*kind, path + ".kind", {"logits", "probabilities"}));
  }
  if (const Field* offset = fields.Find("label_offset")) {
    ZC_ASSIGN_OR_RETURN(output->label_offset,
                        Int(*offset, path + ".label_offset", INT32_MIN, INT32_MAX));
  }
  if (const Field* top_k = fields.Find("top_k")) {
    ZC_ASSIGN_OR_RETURN(int64_t value, Int(*top_k, path + ".top_k", 1, INT32_MAX));
    output->top_k = static_cast<int>(value);
  }
  return OkStatus();
}

Status Parser::ParseClaims(const Field& field, EvalTask task, Claims* claims) const {
  const std::string path = "claims";
  const bool detection = task == EvalTask::kObjectDetection;
  const bool segmentation = task == EvalTask::kSemanticSegmentation;
  // The task's claim keys in zooci.yaml and the metric each names (classification's are below).
  std::vector<std::pair<const char*, const char*>> metric_keys;
  if (detection) metric_keys = {{"map", "mAP"}, {"map50", "mAP@0.5"}, {"map75", "mAP@0.75"}};
  if (segmentation) metric_keys = {{"miou", "mIoU"}, {"pixel_accuracy", "pixel accuracy"}};
  Names valid = {"top1", "top5", "readme"};
  if (detection || segmentation) {
    valid.clear();
    for (const auto& [key, metric] : metric_keys) valid.push_back(key);
    valid.push_back("readme");
  }
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, path, valid));
  for (const auto& [key, metric] : metric_keys) {
    const Field* claim = fields.Find(key);
    if (claim == nullptr) continue;
    ZC_ASSIGN_OR_RETURN(double percent, Number(*claim, JoinPath(path, key)));
    if (percent < 0 || percent > 100) {
      return Fail(claim->value, JoinPath(path, key), "a percentage must be within [0, 100]");
    }
    claims->metrics.push_back({metric, percent, Line(*claim)});
  }
  for (const char* key : {"top1", "top5"}) {
    const Field* claim = fields.Find(key);
    if (claim == nullptr) continue;
    ZC_ASSIGN_OR_RETURN(double percent, Number(*claim, JoinPath(path, key)));
    if (percent < 0 || percent > 100) {
      return Fail(claim->value, JoinPath(path, key), "a percentage must be within [0, 100]");
    }
    (key == std::string_view("top1") ? claims->top1 : claims->top5) = percent;
    int line = claim->key.Mark().is_null() ? 0 : claim->key.Mark().line + 1;
    (key == std::string_view("top1") ? claims->top1_line : claims->top5_line) = line;
  }
  const Field* readme = fields.Find("readme");
  if (readme == nullptr) return OkStatus();
  const std::string readme_path = path + ".readme";
  ZC_ASSIGN_OR_RETURN(Fields readme_fields,
                      ReadFields(readme->value, readme_path,
                                 metric_keys.empty() ? Names{"file", "column", "row"}
                                                     : Names{"file", "column", "row", "metric"}));
  ReadmeClaim claim;
  claim.metric = metric_keys.empty() ? "top-1" : metric_keys.front().second;
  if (const Field* metric = readme_fields.Find("metric")) {
    Names metric_names;
    for (const auto& [key, name] : metric_keys) metric_names.push_back(key);
    ZC_ASSIGN_OR_RETURN(std::string key, Enum(*metric, readme_path + ".metric", metric_names));
    for (const auto& [candidate, name] : metric_keys) {
      if (key == candidate) claim.metric = name;
    }
  }
  for (const MetricClaim& stated : claims->metrics) {
    if (stated.metric == claim.metric) {
      return Fail(readme->key, path,
                  "'readme' and a value in zooci.yaml both claim " + claim.metric + "; give one");
    }
  }
  if (claims->top1.has_value() && claim.metric == "top-1") {
    return Fail(readme->key, path, "'top1' and 'readme' both claim top-1 accuracy; give one");
  }
  ZC_ASSIGN_OR_RETURN(const Field* file, Require(readme_fields, "file", readme->key, readme_path));
  ZC_ASSIGN_OR_RETURN(const Field* column,
                      Require(readme_fields, "column", readme->key, readme_path));
  ZC_ASSIGN_OR_RETURN(claim.file, InsidePath(*file, readme_path + ".file", PathKind::kFile));
  ZC_ASSIGN_OR_RETURN(claim.column, String(*column, readme_path + ".column"));
  if (Trim(claim.column).empty()) return Fail(column->value, readme_path + ".column", "is empty");
  if (const Field* row = readme_fields.Find("row")) {
    ZC_ASSIGN_OR_RETURN(claim.row, String(*row, readme_path + ".row"));
  }
  claims->readme = std::move(claim);
  return OkStatus();
}

}  // namespace scenario_internal

namespace {

using namespace scenario_internal;

constexpr uint64_t kMaxScenarioBytes = uint64_t{1} << 20;

std::string FormatList(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double value : values) parts.push_back(FormatDouble(value));
  return "[" + JoinStrings(parts, ",") + "]";
}

}  // namespace

namespace scenario_internal {

Result<EvalScenario> Parser::Parse(const YAML::Node& root) {
  if (root.IsNull()) return Fail("the file is empty");
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(root, "",
                                                {"task", "model", "dataset", "preprocessing",
                                                 "output", "claims", "tolerance", "batch_size"}));
  EvalScenario scenario;
  scenario.folder = folder_;
  if (const Field* task = fields.Find("task")) {
    ZC_ASSIGN_OR_RETURN(
        std::string name,
        Enum(*task, "task", {"image-classification", "object-detection", "semantic-segmentation"}));
    if (name == "object-detection") scenario.task = EvalTask::kObjectDetection;
    if (name == "semantic-segmentation") scenario.task = EvalTask::kSemanticSegmentation;
  }
  const bool detection = scenario.task == EvalTask::kObjectDetection;
  if (const Field* model = fields.Find("model")) {
    ZC_ASSIGN_OR_RETURN(scenario.model, InsidePath(*model, "model", PathKind::kFile));
  } else {
    ZC_ASSIGN_OR_RETURN(scenario.model, SingleOnnxFile());
  }

  ZC_ASSIGN_OR_RETURN(const Field* dataset, Require(fields, "dataset", root, ""));
  ZC_RETURN_IF_ERROR(ParseDataset(*dataset, scenario.task, &scenario.dataset));
  scenario.dataset.root = folder_;

  ZC_ASSIGN_OR_RETURN(const Field* steps, Require(fields, "preprocessing", root, ""));
  if (!steps->value.IsSequence() || steps->value.size() == 0) {
    return Fail(steps->key, "preprocessing", "expected a non-empty list of steps");
  }
  for (size_t idx = 0; idx < steps->value.size(); ++idx) {
    ZC_ASSIGN_OR_RETURN(PreprocessStep step,
                        ParseStep(steps->value[idx], "preprocessing[" + std::to_string(idx) + "]"));
    scenario.preprocessing.push_back(std::move(step));
  }

  const Field* output = fields.Find("output");
  if (detection) {
    // A detector's outputs must be described: there is no default layout.
    if (output == nullptr)
      return Fail(root, "", "missing required key 'output' (object-detection)");
    ZC_RETURN_IF_ERROR(ParseDetectionOutput(*output, &scenario.detection));
  } else if (scenario.task == EvalTask::kSemanticSegmentation) {
    if (output != nullptr) {
      ZC_RETURN_IF_ERROR(ParseSegmentationOutput(*output, &scenario.segmentation));
    }
  } else if (output != nullptr) {
    ZC_RETURN_IF_ERROR(ParseOutput(*output, &scenario.output));
  }
  if (const Field* claims = fields.Find("claims")) {
    ZC_RETURN_IF_ERROR(ParseClaims(*claims, scenario.task, &scenario.claims));
  }
  if (const Field* tolerance = fields.Find("tolerance")) {
    ZC_ASSIGN_OR_RETURN(scenario.tolerance_pp, Number(*tolerance, "tolerance"));
    if (scenario.tolerance_pp < 0) return Fail(tolerance->value, "tolerance", "must be at least 0");
  }
  if (const Field* batch_size = fields.Find("batch_size")) {
    ZC_ASSIGN_OR_RETURN(int64_t value, Int(*batch_size, "batch_size", 1, INT32_MAX));
    scenario.batch_size = static_cast<int>(value);
  }

  Status pipeline = ValidatePipeline(scenario.preprocessing);
  if (!pipeline.ok()) return pipeline.error().WithContext(file_);
  return scenario;
}

}  // namespace scenario_internal

const char* TaskName(EvalTask task) {
  switch (task) {
    case EvalTask::kObjectDetection:
      return "object-detection";
    case EvalTask::kSemanticSegmentation:
      return "semantic-segmentation";
    case EvalTask::kImageClassification:
      break;
  }
  return "image-classification";
}

std::string PreprocessStep::Describe() const {
  switch (kind) {
    case PreprocessKind::kDecode:
      return "decode(" + text + ")";
    case PreprocessKind::kColor:
      return "color(" + text + ")";
    case PreprocessKind::kResize:
      if (shorter_side > 0) {
        return "resize(shorter_side=" + std::to_string(shorter_side) + ", " + text + ")";
      }
      return "resize(size=[" + std::to_string(height) + "," + std::to_string(width) + "], " + text +
             ")";
    case PreprocessKind::kCenterCrop:
      return "center_crop(size=[" + std::to_string(height) + "," + std::to_string(width) + "])";
    case PreprocessKind::kLetterbox:
      return "letterbox(size=[" + std::to_string(height) + "," + std::to_string(width) +
             "], color=" + FormatList(fill) + ", " + text + ")";
    case PreprocessKind::kScale:
      return "scale(" + FormatDouble(scale) + ")";
    case PreprocessKind::kNormalize:
      return "normalize(mean=" + FormatList(mean) + ", std=" + FormatList(std) + ")";
    case PreprocessKind::kLayout:
      return "layout(" + text + ")";
    case PreprocessKind::kDtype:
      return "dtype(" + text + ")";
  }
  return "step(" + std::to_string(static_cast<int>(kind)) + ")";
}

Result<EvalScenario> LoadScenario(const fs::path& folder, const fs::path& file) {
  const fs::path path = file.empty() ? folder / "zooci.yaml" : file;
  const std::string name = path.string();
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxScenarioBytes));
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) return Error(name + ": expected one YAML document, found several");
    YAML::Node root = documents.empty() ? YAML::Node() : documents[0];
    return Parser(folder, name).Parse(root);
  } catch (const YAML::Exception& e) {
    std::string where = name;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Error(where + ": YAML error: " + e.msg);
  } catch (const std::exception& e) {
    return Error(name + ": " + e.what());
  }
}

}  // namespace zooci
