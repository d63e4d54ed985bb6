// Loading and validating an eval scenario (zooci.yaml). yaml-cpp's exceptions stay inside this
// file: every failure becomes an Error "<file>:<line>: <key path>: <what is wrong>".
//
// Decisions beyond the header's format description:
//   - Required: dataset (with format and path), preprocessing, and claims.readme's file and
//     column when claims.readme is given. Everything else has a default.
//   - No claims at all is allowed: eval then reports the measured accuracy without a verdict.
//     top1 and readme both claim top-1, so giving both is an error.
//   - A key whose value is empty (`output:`) reads as an empty mapping for sections and is an
//     error for values. Duplicate keys are errors.
//   - dataset.header is only accepted for csv/tsv; labels is required for csv/tsv.
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

namespace zooci {
namespace {

constexpr uint64_t kMaxScenarioBytes = uint64_t{1} << 20;

using Names = std::vector<std::string_view>;

std::string JoinNames(const Names& names) {
  std::string joined;
  for (std::string_view name : names) joined += (joined.empty() ? "" : ", ") + std::string(name);
  return joined;
}

std::string JoinPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const char* TypeName(const YAML::Node& node) {
  static const char* const kNames[] = {"an undefined value", "nothing", "a scalar", "a list",
                                       "a mapping"};  // indexed by YAML::NodeType::value
  const int type = node.Type();
  return type >= 0 && type <= 4 ? kNames[type] : kNames[0];
}

// One key of a mapping; `key` holds the key node for its line number.
struct Field {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};

// A mapping's entries, read once and checked against the valid keys. Never holds yaml-cpp's
// invalid ("zombie") nodes, whose Mark() throws.
struct Fields {
  std::vector<Field> entries;

  const Field* Find(std::string_view name) const {
    for (const Field& field : entries) {
      if (field.name == name) return &field;
    }
    return nullptr;
  }
};

// Parses one scenario document. Every method returns errors naming file, line and key path.
class Parser {
 public:
  Parser(fs::path folder, std::string file) : folder_(std::move(folder)), file_(std::move(file)) {}

  Result<EvalScenario> Parse(const YAML::Node& root);

 private:
  Error Fail(const YAML::Node& node, const std::string& path, const std::string& message) const {
    std::string where = file_;
    if (node.IsDefined() && !node.Mark().is_null()) {
      where += ":" + std::to_string(node.Mark().line + 1);
    }
    return Error(where + ": " + (path.empty() ? "" : path + ": ") + message);
  }
  Error Fail(const std::string& message) const { return Error(file_ + ": " + message); }

  Result<Fields> ReadFields(const YAML::Node& node, const std::string& path,
                            const Names& valid) const;
  Result<const Field*> Require(const Fields& fields, std::string_view name,
                               const YAML::Node& parent, const std::string& path) const {
    if (const Field* field = fields.Find(name)) return field;
    return Fail(parent, path, "missing required key '" + std::string(name) + "'");
  }
  Result<std::string> String(const Field& field, const std::string& path,
                             const char* what = "a string") const;
  Result<std::string> Enum(const Field& field, const std::string& path, const Names& valid) const;
  Result<int64_t> Int(const Field& field, const std::string& path, int64_t min, int64_t max) const;
  Result<double> Number(const Field& field, const std::string& path) const;
  Result<bool> Bool(const Field& field, const std::string& path) const;
  Result<std::vector<double>> NumberList(const Field& field, const std::string& path) const;
  Status Size(const Field& field, const std::string& path, int64_t* height, int64_t* width) const;
  enum class PathKind { kFile, kDirectory };
  Result<fs::path> InsidePath(const Field& field, const std::string& path, PathKind kind) const;
  Result<fs::path> SingleOnnxFile() const;

  Status ParseDataset(const Field& field, DatasetSpec* dataset) const;
  Result<PreprocessStep> ParseStep(const YAML::Node& item, const std::string& path) const;
  Status ParseOutput(const Field& field, OutputSpec* output) const;
  Status ParseClaims(const Field& field, Claims* claims) const;

  fs::path folder_;
  std::string file_;
};

Result<Fields> Parser::ReadFields(const YAML::Node& node, const std::string& path,
                                  const Names& valid) const {
  Fields fields;
  if (node.IsNull()) return fields;  // `key:` with nothing: an empty section
  if (!node.IsMap()) {
    return Fail(node, path, std::string("expected a mapping, got ") + TypeName(node));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) return Fail(it->first, path, "keys must be plain names");
    std::string name = it->first.Scalar();
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      return Fail(it->first, path, "unknown key '" + name + "' (valid: " + JoinNames(valid) + ")");
    }
    if (fields.Find(name) != nullptr) return Fail(it->first, path, "duplicate key '" + name + "'");
    fields.entries.push_back({name, it->first, it->second});
  }
  return fields;
}

Result<std::string> Parser::String(const Field& field, const std::string& path,
                                   const char* what) const {
  if (!field.value.IsScalar()) {
    return Fail(field.key, path,
                "expected " + std::string(what) + ", got " + TypeName(field.value));
  }
  return field.value.Scalar();
}

Result<std::string> Parser::Enum(const Field& field, const std::string& path,
                                 const Names& valid) const {
  ZC_ASSIGN_OR_RETURN(std::string value, String(field, path));
  if (std::find(valid.begin(), valid.end(), value) == valid.end()) {
    return Fail(field.value, path, "bad value '" + value + "' (valid: " + JoinNames(valid) + ")");
  }
  return value;
}

Result<int64_t> Parser::Int(const Field& field, const std::string& path, int64_t min,
                            int64_t max) const {
  ZC_ASSIGN_OR_RETURN(std::string text, String(field, path, "an integer"));
  Result<int64_t> value = ParseInt(StartsWith(text, "+") ? text.substr(1) : text, "");
  if (!value.ok()) return Fail(field.value, path, "expected an integer, got '" + text + "'");
  if (*value < min || *value > max) {
    std::string range = max == INT64_MAX
                            ? "at least " + std::to_string(min)
                            : "between " + std::to_string(min) + " and " + std::to_string(max);
    return Fail(field.value, path, "must be " + range + ", got " + std::to_string(*value));
  }
  return value;
}

Result<double> Parser::Number(const Field& field, const std::string& path) const {
  ZC_ASSIGN_OR_RETURN(std::string text, String(field, path, "a number"));
  Result<double> value = ParseDouble(StartsWith(text, "+") ? text.substr(1) : text, "");
  if (!value.ok()) return Fail(field.value, path, "expected a finite number, got '" + text + "'");
  return value;
}

Result<bool> Parser::Bool(const Field& field, const std::string& path) const {
  if (field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  return Fail(field.key, path, "expected true or false");
}

Result<std::vector<double>> Parser::NumberList(const Field& field, const std::string& path) const {
  if (!field.value.IsSequence() || field.value.size() == 0) {
    return Fail(field.key, path, "expected a non-empty list of numbers");
  }
  std::vector<double> values;
  for (size_t idx = 0; idx < field.value.size(); ++idx) {
    Field element{"", field.value[idx], field.value[idx]};
    ZC_ASSIGN_OR_RETURN(double value, Number(element, path + "[" + std::to_string(idx) + "]"));
    values.push_back(value);
  }
  return values;
}

Status Parser::Size(const Field& field, const std::string& path, int64_t* height,
                    int64_t* width) const {
  if (!field.value.IsSequence() || field.value.size() != 2) {
    return Fail(field.key, path, "expected [height, width]");
  }
  Field h{"", field.value[0], field.value[0]};
  Field w{"", field.value[1], field.value[1]};
  ZC_ASSIGN_OR_RETURN(*height, Int(h, path + "[0]", 1, INT64_MAX));
  ZC_ASSIGN_OR_RETURN(*width, Int(w, path + "[1]", 1, INT64_MAX));
  return OkStatus();
}

Result<fs::path> Parser::InsidePath(const Field& field, const std::string& path,
                                    PathKind kind) const {
  ZC_ASSIGN_OR_RETURN(std::string text, String(field, path));
  fs::path relative(text);
  if (text.empty()) return Fail(field.value, path, "empty path");
  if (relative.has_root_path()) {
    return Fail(field.value, path,
                "'" + text + "' is absolute; paths are relative to the model folder");
  }
  fs::path normal = relative.lexically_normal();
  if (!normal.empty() && *normal.begin() == "..") {
    return Fail(field.value, path, "'" + text + "' leaves the model folder");
  }
  fs::path resolved = normal == "." ? folder_ : folder_ / normal;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(resolved, ec)) && !IsWithin(folder_, resolved)) {
    return Fail(field.value, path,
                "'" + text + "' leaves the model folder through a symbolic link; it was not read");
  }
  fs::file_status status = fs::status(resolved, ec);
  if (ec || !fs::exists(status)) {
    return Fail(field.value, path, "'" + text + "' does not exist in " + folder_.string());
  }
  if (kind == PathKind::kFile && !fs::is_regular_file(status)) {
    return Fail(field.value, path, "'" + text + "' is not a regular file");
  }
  if (kind == PathKind::kDirectory && !fs::is_directory(status)) {
    return Fail(field.value, path, "'" + text + "' is not a directory");
  }
  return resolved;
}

Result<fs::path> Parser::SingleOnnxFile() const {
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code file_ec;
    if (it->path().extension() == ".onnx" && it->is_regular_file(file_ec)) {
      found.push_back(it->path());
    }
  }
  if (ec) return Fail("cannot list " + folder_.string() + ": " + ec.message());
  std::sort(found.begin(), found.end());
  if (found.size() == 1) return found[0];
  if (found.empty()) {
    return Fail("no .onnx file in " + folder_.string() + "; name the model with 'model:'");
  }
  std::vector<std::string> names;
  for (const fs::path& file : found) names.push_back(file.filename().string());
  return Fail("several .onnx files in " + folder_.string() + " (" + JoinStrings(names, ", ") +
              "); choose one with 'model:'");
}

Status Parser::ParseDataset(const Field& field, DatasetSpec* dataset) const {
  const std::string path = "dataset";
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, path,
                                                {"format", "path", "labels", "header", "limit"}));
  ZC_ASSIGN_OR_RETURN(const Field* format, Require(fields, "format", field.key, path));
  ZC_ASSIGN_OR_RETURN(std::string format_name,
                      Enum(*format, path + ".format", {"imagefolder", "csv", "tsv"}));
  dataset->format = format_name == "csv"   ? DatasetFormat::kCsv
                    : format_name == "tsv" ? DatasetFormat::kTsv
                                           : DatasetFormat::kImageFolder;
  const bool folder_format = dataset->format == DatasetFormat::kImageFolder;
  ZC_ASSIGN_OR_RETURN(const Field* data_path, Require(fields, "path", field.key, path));
  ZC_ASSIGN_OR_RETURN(dataset->path,
                      InsidePath(*data_path, path + ".path",
                                 folder_format ? PathKind::kDirectory : PathKind::kFile));
  if (const Field* labels = fields.Find("labels")) {
    ZC_ASSIGN_OR_RETURN(dataset->labels, InsidePath(*labels, path + ".labels", PathKind::kFile));
  } else if (!folder_format) {
    return Fail(field.key, path,
                "missing required key 'labels' (required for " + format_name + ")");
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

const Names kStepNames = {"decode", "color",     "resize", "center_crop",
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

Status Parser::ParseClaims(const Field& field, Claims* claims) const {
  const std::string path = "claims";
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(field.value, path, {"top1", "top5", "readme"}));
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
  if (claims->top1.has_value()) {
    return Fail(readme->key, path, "'top1' and 'readme' both claim top-1 accuracy; give one");
  }
  const std::string readme_path = path + ".readme";
  ZC_ASSIGN_OR_RETURN(Fields readme_fields,
                      ReadFields(readme->value, readme_path, {"file", "column", "row"}));
  ReadmeClaim claim;
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

Result<EvalScenario> Parser::Parse(const YAML::Node& root) {
  if (root.IsNull()) return Fail("the file is empty");
  ZC_ASSIGN_OR_RETURN(Fields fields, ReadFields(root, "",
                                                {"task", "model", "dataset", "preprocessing",
                                                 "output", "claims", "tolerance", "batch_size"}));
  EvalScenario scenario;
  scenario.folder = folder_;
  if (const Field* task = fields.Find("task")) {
    ZC_ASSIGN_OR_RETURN(scenario.task, Enum(*task, "task", {"image-classification"}));
  }
  if (const Field* model = fields.Find("model")) {
    ZC_ASSIGN_OR_RETURN(scenario.model, InsidePath(*model, "model", PathKind::kFile));
  } else {
    ZC_ASSIGN_OR_RETURN(scenario.model, SingleOnnxFile());
  }

  ZC_ASSIGN_OR_RETURN(const Field* dataset, Require(fields, "dataset", root, ""));
  ZC_RETURN_IF_ERROR(ParseDataset(*dataset, &scenario.dataset));
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

  if (const Field* output = fields.Find("output")) {
    ZC_RETURN_IF_ERROR(ParseOutput(*output, &scenario.output));
  }
  if (const Field* claims = fields.Find("claims")) {
    ZC_RETURN_IF_ERROR(ParseClaims(*claims, &scenario.claims));
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

std::string FormatList(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double value : values) parts.push_back(FormatDouble(value));
  return "[" + JoinStrings(parts, ",") + "]";
}

}  // namespace

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
