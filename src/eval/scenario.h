// eval scenario: what `zooci eval` needs to reproduce a model's claimed accuracy, read from
// `zooci.yaml` in the model folder and validated on load. Unknown keys are errors that list the
// valid ones. Paths are relative to the model folder and may not leave it, neither lexically nor
// through a symbolic link; the dataset's files are held to the same folder (DatasetSpec::root).
//
//   task: image-classification          # the only task so far
//   model: model.onnx                   # optional: default, the folder's single .onnx file
//   dataset:
//     format: imagefolder               # imagefolder (class_name/*.png|jpg) | csv | tsv
//     path: dataset                     # folder (imagefolder) or file (csv/tsv: path,label rows)
//     labels: labels.txt                # optional for imagefolder (default: sorted folder
//                                       # names); required for csv/tsv: one class name per line
//     header: true                      # csv/tsv: the first row is a header (default false)
//     limit: 500                        # optional: the first N samples in sorted order
//   preprocessing:                      # ordered steps
//     - decode: color                   # color (3 channels, BGR as OpenCV decodes) | grayscale
//     - color: RGB                      # RGB | BGR | GRAY: converts the channel order
//     - resize: {shorter_side: 256, interpolation: bilinear}   # or {size: [H, W]}
//                                       # interpolation: nearest | bilinear | bicubic | area
//     - center_crop: {size: [224, 224]}
//     - scale: 0.00392156862745098      # multiply every value
//     - normalize: {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}   # per channel
//     - layout: NCHW                    # NCHW | NHWC (the batch dim is added)
//     - dtype: float32                  # float32 | uint8
//   output:
//     name: logits                      # optional: default, the model's first output
//     kind: logits                      # logits | probabilities (top-k is the same; recorded)
//     label_offset: 0                   # model class index = dataset label + offset (e.g. 1 for
//                                       # 1001-class models with a background class 0)
//     top_k: 5                          # also report top-k accuracy (default 5)
//   claims:                             # claimed values in percent, or where the README has them
//     top1: 97.5
//     top5: 99.9
//     readme: {file: README.md, column: "Top-1 accuracy (%)", row: "digits_cnn"}
//   tolerance: 0.5                      # percentage points below the claim still passing
//   batch_size: 32                      # optional: default 32 when the batch dim is free, else
//                                       # the model's fixed batch size
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/base.h"

namespace zooci {

enum class DatasetFormat { kImageFolder, kCsv, kTsv };

struct DatasetSpec {
  // Every file the dataset names must lie inside this folder (symbolic links resolved): the
  // model folder. Empty: no containment (a dataset given on the command line).
  fs::path root;
  DatasetFormat format = DatasetFormat::kImageFolder;
  fs::path path;    // resolved (absolute or relative to the working directory)
  fs::path labels;  // empty: sorted folder names (imagefolder only)
  bool header = false;
  int64_t limit = 0;  // 0: all samples
};

enum class PreprocessKind {
  kDecode,
  kColor,
  kResize,
  kCenterCrop,
  kScale,
  kNormalize,
  kLayout,
  kDtype
};

struct PreprocessStep {
  PreprocessKind kind;
  std::string text;               // decode: color|grayscale; color: RGB|BGR|GRAY; layout; dtype;
                                  // resize: interpolation
  int64_t shorter_side = 0;       // resize
  int64_t height = 0, width = 0;  // resize (exact size) / center_crop
  double scale = 1;               // scale
  std::vector<double> mean, std;  // normalize
  std::string Describe() const;   // "resize(shorter_side=256, bilinear)"
};

struct OutputSpec {
  std::string name;  // empty: the model's first output
  std::string kind = "logits";
  int64_t label_offset = 0;
  int top_k = 5;
};

struct ReadmeClaim {
  fs::path file;
  std::string column;
  std::string row;  // matched against the first cell of a table row; empty: the only data row
};

// A claim stated elsewhere (found by the caller, e.g. the README model table's row for the
// model), checked beside the scenario's own.
struct StatedClaim {
  std::string metric;  // "top-1", "top-5"
  double percent = 0;
  std::string source;  // for people: "README.md:12, column 'Top-1 accuracy (%)'"
  fs::path file;       // the file that states it
  int line = 0;        // its line there
};

struct Claims {
  std::optional<double> top1;  // percent
  std::optional<double> top5;
  int top1_line = 0, top5_line = 0;   // in zooci.yaml
  std::optional<ReadmeClaim> readme;  // a top-1 claim read from a README table
  std::vector<StatedClaim> stated;    // not from zooci.yaml; a claim stated twice counts once
};

struct EvalScenario {
  fs::path folder;  // the model folder
  std::string task = "image-classification";
  fs::path model;  // resolved model file
  DatasetSpec dataset;
  std::vector<PreprocessStep> preprocessing;
  OutputSpec output;
  Claims claims;
  double tolerance_pp = 0.5;
  int batch_size = 0;  // 0: decided from the model
};

// Reads and validates `folder`/zooci.yaml (or `file` when given). Errors name the file, the key
// path ("preprocessing[2].resize.size") and, for unknown keys, the valid ones.
Result<EvalScenario> LoadScenario(const fs::path& folder, const fs::path& file = {});

}  // namespace zooci
