// eval: verify a model's claimed accuracy on its use case — image classification (top-1/top-k),
// object detection (COCO mAP) and semantic segmentation (mIoU). The scenario (scenario.h) names
// the dataset, the preprocessing, how to read the outputs and the claims; the images are
// decoded, preprocessed and run inside the sandboxed worker (the "eval-classification",
// "eval-detection" and "eval-segmentation" jobs, registered by RegisterEvalJobs in zooci-worker;
// detections are decoded and masks compared there too), in chunks so progress can be shown; the
// metrics and the verdict are computed here.
#pragma once

#include <functional>
#include <optional>

#include "eval/detection_metrics.h"
#include "eval/metrics.h"
#include "eval/scenario.h"
#include "eval/segmentation_metrics.h"
#include "runtime/runtime.h"

namespace zooci {

struct Sample {
  fs::path path;
  int64_t label = 0;  // index into Dataset::class_names
};

struct Dataset {
  std::vector<std::string> class_names;
  std::vector<Sample> samples;  // sorted: by class folder then file name, or in file order
};

// Lists the samples of an ImageFolder tree or a CSV/TSV file (path,label rows; labels by class
// name from the labels file or by index). A dataset with no samples, an unknown label, or a
// listed file that does not exist is an error naming the file (and line for CSV).
Result<Dataset> LoadDataset(const DatasetSpec& spec);

struct DetectionImage {
  int64_t id = 0;  // COCO's image id; boxes format: 1, 2, ... in file name order
  fs::path path;
};

struct DetectionDataset {
  std::vector<DetectionImage> images;  // by id
  DetectionGroundTruth truth;          // categories by id (boxes format: 1..N in labels order)
  std::string description;             // "coco annotations.json: 300 images, 4 categories, ..."
};

// Reads a detection dataset (docs/detection.md): COCO JSON (images, annotations, categories) or
// the boxes format (one <image stem>.txt per image: "<class name> x_min y_min x_max y_max
// [crowd]" lines, pixels). Errors name the file (and the line or the JSON entry); an image file
// that does not exist or lies outside spec.root is an error, as is a dataset without images or
// without a single ground-truth box. `limit` keeps the first images by id.
Result<DetectionDataset> LoadDetectionDataset(const DatasetSpec& spec);

// The segmentation dataset's samples: each image and its mask.
struct SegmentationSample {
  fs::path image, mask;
};

struct SegmentationDataset {
  std::vector<std::string> class_names;     // class k = the labels file's k-th name
  std::vector<SegmentationSample> samples;  // by image file name
  std::string description;  // "masks examples/.../images: 120 images, 4 classes, ignore_index 255"
};

// The C x C confusion matrix of a dataset with more classes would be too big to send per job.
inline constexpr int64_t kMaxSegmentationClasses = 1024;

// Reads a segmentation dataset (format masks): every image of spec.path (by file name) with
// spec.annotations/<stem>.png, and the class names of spec.labels. A missing mask, a repeated
// class name, no images, or a file outside spec.root is an error naming the file.
Result<SegmentationDataset> LoadSegmentationDataset(const DatasetSpec& spec);

// Every file eval reads for the scenario's dataset (lists, labels, annotations, images): the
// eval step's cache key. Errors as the loaders'.
Result<std::vector<fs::path>> DatasetInputFiles(const EvalScenario& scenario);

struct EvalOptions {
  SessionConfig session;
  int chunk_images = 256;              // images per worker request (progress granularity)
  int decode_threads = 0;              // 0: the machine's cores
  std::optional<double> tolerance_pp;  // overrides the scenario's
};

struct ClaimCheck {
  std::string metric;  // "top-1", "top-5", "mAP", "mAP@0.5", "mAP@0.75", "mIoU", "pixel accuracy"
  double claimed_percent = 0;
  double measured_percent = 0;
  double tolerance_pp = 0;
  std::string source;  // "zooci.yaml" or "README.md table, column 'Top-1 accuracy (%)'"
  fs::path file;       // the file that states the claim
  int line = 0;        // its line there (0: unknown)
  bool passed = false;
};

struct EvalResult {
  std::string model;
  std::string runtime;
  std::string task;
  std::string dataset_description;  // "imagefolder examples/.../dataset: 450 images, 10 classes"
  std::vector<std::string> preprocessing;  // Describe() of each step
  int batch_size = 0;
  ClassificationMetrics metrics;    // image-classification
  DetectionMetrics detection;       // object-detection
  SegmentationMetrics segmentation;  // semantic-segmentation
  int64_t non_finite_outputs = 0;   // detection: candidates dropped for NaN/inf numbers
  int64_t unmapped_detections = 0;  // detection: labels the label map sends to no category
  double wall_s = 0;
  double images_per_s = 0;
  double decode_preprocess_s = 0;  // summed over decoding threads
  double inference_s = 0;
  double postprocess_s = 0;  // detection: decoding and suppression; segmentation: mask decoding
                             // and comparison (in the worker)
  double matching_s = 0;     // detection: COCO evaluation
  double session_create_ms = 0;
  std::vector<ClaimCheck> claims;
  bool passed = true;  // every claim met (true when nothing is claimed)
};

using EvalProgress = std::function<void(int64_t done, int64_t total)>;

Result<EvalResult> RunEval(Executor& executor, const EvalScenario& scenario,
                           const EvalOptions& options, const EvalProgress& progress);

std::string FormatEvalText(const EvalResult& result);
std::string FormatEvalJson(const EvalResult& result);

// Registers the worker side (the "eval-*" jobs) in this process: zooci-worker calls it at
// start; tests using the in-process executor may too.
void RegisterEvalJobs();

}  // namespace zooci
