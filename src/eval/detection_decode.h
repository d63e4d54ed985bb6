// Private to eval: a detector's outputs -> boxes in the original image, as the scenario's
// `output` section declares (DetectionOutputSpec). Pure functions, no image library: the worker
// job (detection_job.cpp) calls them per image, tests call them directly.
//
// Per image: candidates in the model input's pixels (xyxy) -> score threshold (kept when
// score >= threshold) -> non-maximum suppression (per class unless class-agnostic; best score
// first, ties in output order; a box whose IoU with a kept one is above nms_iou is dropped) ->
// the max_detections best -> mapped back through the preprocessing's geometry -> clipped to the
// image (when `clip`) -> COCO's [x, y, w, h]. Candidates with a non-finite number are dropped and
// counted (for yolo, among the anchors whose objectness reaches the threshold: the others cannot
// score above it and are skipped unread).
#pragma once

#include <vector>

#include "eval/detection_metrics.h"
#include "eval/preprocess.h"
#include "eval/scenario.h"

namespace zooci {

struct DecodedBox {
  int64_t label = 0;  // the model's label (yolo: the class index in the grid)
  double score = 0;
  BoxXywh box;  // original image pixels
};

struct DecodedImage {
  std::vector<DecodedBox> boxes;  // best first
  int64_t non_finite = 0;         // candidates dropped for a NaN or infinite number
};

// The checks that need only the outputs' declared shapes are done per batch here, so a model
// whose outputs do not fit the scenario fails once with a clear message: every output the spec
// names exists; boxes: [N,K,4] (or [K,4] without batch axis); yolo: grids whose channel count is
// anchors * (5 + classes).
Status CheckDetectionOutputs(const DetectionOutputSpec& spec, const std::vector<Value>& outputs,
                             int64_t batch_rows);

// Decodes image `row` of a batch. `input_height`/`input_width`: the model input's spatial size
// (for normalized coordinates).
Result<DecodedImage> DecodeDetections(const DetectionOutputSpec& spec,
                                      const std::vector<Value>& outputs, int64_t row,
                                      int64_t input_height, int64_t input_width,
                                      const ImageGeometry& geometry);

// IoU of two xyxy boxes as non-maximum suppression uses it (0 when they do not overlap).
double XyxyIou(const double* a, const double* b);

}  // namespace zooci
