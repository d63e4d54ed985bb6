// Private to eval: the zooci.yaml parser shared by scenario.cpp (the document, dataset,
// preprocessing, classification output and claims), scenario_detection.cpp (the detection
// output), scenario_segmentation.cpp (the segmentation output) and scenario_parser.cpp (typed value
// readers). yaml-cpp's exceptions never leave these files; every failure is an Error
// "<file>:<line>: <key path>: <what is wrong>".
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "eval/scenario.h"

namespace zooci::scenario_internal {

using Names = std::vector<std::string_view>;

std::string JoinNames(const Names& names);
std::string JoinPath(const std::string& path, std::string_view key);  // "a.b"

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

  // ---- Typed values (scenario_parser.cpp) ----
  Error Fail(const YAML::Node& node, const std::string& path, const std::string& message) const;
  Error Fail(const std::string& message) const { return Error(file_ + ": " + message); }
  Result<Fields> ReadFields(const YAML::Node& node, const std::string& path,
                            const Names& valid) const;
  Result<const Field*> Require(const Fields& fields, std::string_view name,
                               const YAML::Node& parent, const std::string& path) const;
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
  int Line(const Field& field) const;  // the key's line (1-based), 0 when unknown

  // ---- Sections (scenario.cpp) ----
  Status ParseDataset(const Field& field, EvalTask task, DatasetSpec* dataset) const;
  Result<PreprocessStep> ParseStep(const YAML::Node& item, const std::string& path) const;
  Status ParseOutput(const Field& field, OutputSpec* output) const;
  Status ParseClaims(const Field& field, EvalTask task, Claims* claims) const;

  // ---- object-detection (scenario_detection.cpp) ----
  Status ParseDetectionOutput(const Field& field, DetectionOutputSpec* output) const;

  // ---- semantic-segmentation (scenario_segmentation.cpp) ----
  Status ParseSegmentationOutput(const Field& field, SegmentationOutputSpec* output) const;

 private:
  fs::path folder_;
  std::string file_;
};

}  // namespace zooci::scenario_internal
