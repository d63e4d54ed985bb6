// Private to the zoo module: what manifest_plan.cpp builds the onnx.hub manifest from, found by
// manifest_build.cpp in the zoo's README model tables.
#pragma once

#include <string>
#include <vector>

#include "zoo/zoo.h"

namespace zooci::zoo_internal {

// One README model-table row whose Download cell links a .onnx file inside the zoo.
struct ManifestRow {
  std::string where;              // "validated/vision/.../README.md:30"
  std::string model;              // the Model cell, markup removed ("" when the table has none)
  std::string model_path;         // relative to the zoo root, '/'-separated, normalized
  std::string onnx_version;       // the ONNX version cell, markup removed
  std::string opset;              // the Opset version cell, markup removed
  std::string with_data_path;     // the "Download (with sample test data)" link; "" when none
  std::vector<std::string> tags;  // the generator's tags for the README's folder
};

// The rows of every README.md below `root` (hidden folders and the root README excepted), by
// README path, then line. Links that leave the zoo, URLs and non-.onnx downloads are skipped;
// rows that cannot be used are described in `warnings`.
Result<std::vector<ManifestRow>> ScanManifestRows(const fs::path& root,
                                                  std::vector<std::string>* warnings);

// Whether two onnx_version strings name the same release: "1.9" and "1.9.0" do, "1.9" and "1.10"
// do not.
bool SameOnnxVersion(std::string_view a, std::string_view b);

}  // namespace zooci::zoo_internal
