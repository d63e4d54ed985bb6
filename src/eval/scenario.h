// eval scenario: what `zooci eval` needs to reproduce a model's claimed accuracy, read from
// `zooci.yaml` in the model folder and validated on load. Unknown keys are errors that list the
// valid ones. Paths are relative to the model folder and may not leave it, neither lexically nor
// through a symbolic link; the dataset's files are held to the same folder (DatasetSpec::root).
// Three tasks: image classification (below), object detection (docs/detection.md has a full
// example; its keys are listed after this one) and semantic segmentation (docs/segmentation.md;
// its keys after detection's).
//
//   task: image-classification          # or object-detection
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
//     - letterbox: {size: [H, W], color: [114, 114, 114], interpolation: bilinear}
//                                       # scale to fit (aspect kept), pad the rest centred
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
//
// object-detection differs in dataset, output and claims:
//   dataset:
//     format: coco                      # coco | boxes
//     path: images                      # the images folder (coco: file_name is relative to it)
//     annotations: instances_val.json   # coco: the instances file (required); boxes: the folder
//                                       # of <image stem>.txt files (default: path)
//     labels: classes.txt               # boxes: class names, one per line (category ids 1..N)
//   output:
//     format: boxes                     # boxes (boxes/scores/labels outputs) | yolo (raw grids)
//     boxes: detection_boxes            # boxes: output names; count optional (TF's
//     scores: detection_scores          #   num_detections); batch_axis: false for [K,4] outputs
//     labels: detection_classes         #   (batch size 1)
//     count: num_detections
//     batch_axis: true
//     coordinates: xyxy                 # xyxy | yxyx | xywh | cxcywh (yolo: always cxcywh)
//     normalized: false                 # true: fractions of the model input's width/height
//     heads:                            # yolo: one per grid output, anchors in input pixels
//       - {name: grid, stride: 16, anchors: [[16, 16], [32, 32]]}
//     grid_layout: channels_first       # yolo: [N, A*(5+C), H, W] | channels_last
//                                       #   [N, H, W, A*(5+C)]
//     class_scores: sigmoid             # yolo: sigmoid | softmax (score = objectness * class)
//     multi_label: false                # yolo: every class over the threshold, not the best only
//     score_threshold: 0.05             # drop detections scoring less (default 0)
//     nms_iou: 0.5                      # non-maximum suppression, per class, IoU above this
//                                       # suppressed (yolo: required; boxes: none by default)
//     class_agnostic_nms: false
//     max_detections: 100               # per image, best first, after NMS
//     clip: true                        # clip boxes to the original image (default true)
//     label_map: contiguous             # contiguous: model label - label_offset indexes the
//                                       # dataset's categories in id order (COCO's 80 classes);
//                                       # category_id: the label is the category id (COCO's
//                                       # 91-id models, e.g. SSD-MobileNet); names: label -
//                                       # label_offset indexes label_names, matched by name
//     label_offset: 0
//     label_names: model_classes.txt
//   claims: {map: 50.1, map50: 80.2, map75: 52.3, readme: {..., metric: map}}  # percent
//
// semantic-segmentation differs in dataset, output and claims:
//   dataset:
//     format: masks                     # the only format: images/NAME.* + masks/NAME.png
//     path: images                      # the images folder (sorted by file name)
//     annotations: masks                # the masks folder (default: `masks` beside `path`):
//                                       # single-channel 8/16-bit PNGs, the class index per
//                                       # pixel, the image's size
//     labels: classes.txt               # required: class k is line k (0-based)
//     ignore_index: 255                 # mask value that is not evaluated (default 255)
//   output:
//     name: out                         # optional: default, the model's first output
//     kind: logits                      # logits | probabilities ([N, C, H, W]; recorded)
//     compare_at: original              # original: predictions mapped back to each original
//                                       # pixel; input: the mask mapped (nearest) onto the
//                                       # model input's grid, padding ignored
//     upsample: bilinear                # bilinear | nearest: how the [C, h, w] scores are
//                                       # sampled at a pixel's position (before the argmax)
//   claims: {miou: 71.2, pixel_accuracy: 93.1, readme: {..., metric: miou}}  # percent
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/base.h"

namespace zooci {

enum class EvalTask { kImageClassification, kObjectDetection, kSemanticSegmentation };
// "image-classification", "object-detection", "semantic-segmentation"
const char* TaskName(EvalTask task);

enum class DatasetFormat { kImageFolder, kCsv, kTsv, kCoco, kBoxes, kMasks };

struct DatasetSpec {
  // Every file the dataset names must lie inside this folder (symbolic links resolved): the
  // model folder. Empty: no containment (a dataset given on the command line).
  fs::path root;
  DatasetFormat format = DatasetFormat::kImageFolder;
  fs::path path;         // resolved (absolute or relative to the working directory)
  fs::path labels;       // empty: sorted folder names (imagefolder only)
  fs::path annotations;  // coco: the instances JSON; boxes: the folder of .txt files; masks: the
                         // folder of mask PNGs
  bool header = false;
  int64_t ignore_index = 255;  // masks: the mask value that is not evaluated
  int64_t limit = 0;  // 0: all samples
};

enum class PreprocessKind {
  kDecode,
  kColor,
  kResize,
  kCenterCrop,
  kLetterbox,
  kScale,
  kNormalize,
  kLayout,
  kDtype
};

struct PreprocessStep {
  PreprocessKind kind;
  std::string text;               // decode: color|grayscale; color: RGB|BGR|GRAY; layout; dtype;
                                  // resize, letterbox: interpolation
  int64_t shorter_side = 0;       // resize
  int64_t height = 0, width = 0;  // resize (exact size) / center_crop / letterbox
  std::vector<double> fill;       // letterbox: the padding's value per channel (1 or C values)
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

// How a detector's outputs become boxes (task object-detection). Boxes come out in the model
// input's pixels (after `normalized` is applied) and are mapped back to the original image by the
// inverse of the preprocessing's geometry (resize, center_crop, letterbox).
enum class DetectionFormat { kBoxes, kYolo };
enum class BoxCoordinates { kXyxy, kYxyx, kXywh, kCxcywh };
enum class ClassScores { kSigmoid, kSoftmax };
enum class LabelMap { kContiguous, kCategoryId, kNames };

struct YoloHead {
  std::string output;                              // the grid's output name
  int64_t stride = 0;                              // input pixels per grid cell
  std::vector<std::pair<double, double>> anchors;  // (width, height) in input pixels
};

struct DetectionOutputSpec {
  DetectionFormat format = DetectionFormat::kBoxes;
  // boxes
  std::string boxes_output, scores_output, labels_output, count_output;  // count: optional
  bool batch_axis = true;
  BoxCoordinates coordinates = BoxCoordinates::kXyxy;
  bool normalized = false;
  // yolo: x = (sigmoid(tx) + column) * stride, w = anchor_w * exp(tw) (same for y, h);
  // score = sigmoid(objectness) * class score.
  std::vector<YoloHead> heads;
  bool channels_last = false;
  ClassScores class_scores = ClassScores::kSigmoid;
  bool multi_label = false;
  // both
  double score_threshold = 0;
  double nms_iou = -1;  // < 0: no suppression
  bool class_agnostic_nms = false;
  int max_detections = 100;
  bool clip = true;
  LabelMap label_map = LabelMap::kContiguous;
  int64_t label_offset = 0;
  fs::path label_names;  // label_map names
};

// How a segmentation model's [N, C, h, w] scores are compared with the masks (task
// semantic-segmentation; docs/segmentation.md). Every evaluated pixel's centre is mapped to the
// output's grid through the preprocessing's geometry (and the input-to-output scale), the C
// scores are sampled there (nearest or bilinear, borders clamped) and the best class (the lowest
// index on a tie) is the prediction.
enum class SegmentationCompare { kOriginal, kInput };
enum class Upsample { kNearest, kBilinear };

struct SegmentationOutputSpec {
  std::string name;  // empty: the model's first output
  std::string kind = "logits";  // logits | probabilities: [N, C, h, w] float; labels: [N, h, w]
  SegmentationCompare compare_at = SegmentationCompare::kOriginal;
  Upsample upsample = Upsample::kBilinear;
};

struct ReadmeClaim {
  fs::path file;
  std::string column;
  std::string row;     // matched against the first cell of a table row; empty: the only data row
  std::string metric;  // "top-1" (classification), "mAP", "mAP@0.5", "mAP@0.75" (detection) or
                       // "mIoU", "pixel accuracy" (segmentation)
};

// A claim written in zooci.yaml (detection: map, map50, map75; segmentation: miou,
// pixel_accuracy).
struct MetricClaim {
  std::string metric;  // "mAP", "mAP@0.5", "mAP@0.75", "mIoU", "pixel accuracy"
  double percent = 0;
  int line = 0;
};

// A claim stated elsewhere (found by the caller, e.g. the README model table's row for the
// model), checked beside the scenario's own.
struct StatedClaim {
  std::string metric;  // "top-1", "top-5", "mAP", "mAP@0.5", "mAP@0.75", "mIoU", ...
  double percent = 0;
  std::string source;  // for people: "README.md:12, column 'Top-1 accuracy (%)'"
  fs::path file;       // the file that states it
  int line = 0;        // its line there
};

struct Claims {
  std::optional<double> top1;  // percent
  std::optional<double> top5;
  int top1_line = 0, top5_line = 0;    // in zooci.yaml
  std::vector<MetricClaim> metrics;    // detection's and segmentation's claims from zooci.yaml
  std::optional<ReadmeClaim> readme;   // a claim read from a README table
  std::vector<StatedClaim> stated;     // not from zooci.yaml; a claim stated twice counts once
};

struct EvalScenario {
  fs::path folder;  // the model folder
  EvalTask task = EvalTask::kImageClassification;
  fs::path model;  // resolved model file
  DatasetSpec dataset;
  std::vector<PreprocessStep> preprocessing;
  OutputSpec output;              // image-classification
  DetectionOutputSpec detection;  // object-detection (read from the `output` section)
  SegmentationOutputSpec segmentation;  // semantic-segmentation (the `output` section)
  Claims claims;
  double tolerance_pp = 0.5;
  int batch_size = 0;  // 0: decided from the model
};

// Reads and validates `folder`/zooci.yaml (or `file` when given). Errors name the file, the key
// path ("preprocessing[2].resize.size") and, for unknown keys, the valid ones.
Result<EvalScenario> LoadScenario(const fs::path& folder, const fs::path& file = {});

// A zoo's own evaluation data for a task: `folder`/zooci-dataset.yaml holds one key, `dataset`,
// in the scenario's format for `task`, its paths relative to `folder` and held inside it.
inline constexpr char kZooDatasetFile[] = "zooci-dataset.yaml";
Result<DatasetSpec> LoadZooDataset(const fs::path& folder, EvalTask task);

}  // namespace zooci
