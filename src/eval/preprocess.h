// Image preprocessing for eval: decode with OpenCV, then the scenario's steps in order, producing
// one sample's tensor (without the batch dimension's packing: the caller stacks samples).
// Runs in the worker process only (OpenCV decodes untrusted files).
#pragma once

#include <string>
#include <vector>

#include "eval/scenario.h"
#include "onnx/onnx_io.h"

namespace zooci {

// Where the original image went: its size, and the affine map of the geometric steps (resize,
// center_crop, letterbox) from original pixel coordinates to the model input's,
// x_input = scale_x * x + offset_x (y likewise). Coordinates are continuous (pixel edges: the
// image spans [0, width]), so a box maps back exactly by the inverse.
struct ImageGeometry {
  int64_t width = 0, height = 0;  // the decoded original
  double scale_x = 1, scale_y = 1, offset_x = 0, offset_y = 0;
};

// One sample after preprocessing: `shape` without the batch dimension ([C,H,W] for NCHW,
// [H,W,C] for NHWC), `data` packed little-endian as `elem_type` (float or uint8).
struct SampleTensor {
  ElemType elem_type = ElemType::kFloat;
  std::vector<int64_t> shape;
  std::string data;
  ImageGeometry geometry;
};

// Checks that the steps form a valid pipeline: decode first and once; layout and dtype at most
// once, after the pixel steps; normalize's mean/std and letterbox's color sizes match the channel
// count known at that point; sizes positive. Errors name the step ("preprocessing[3] normalize:
// ...").
Status ValidatePipeline(const std::vector<PreprocessStep>& steps);

// Decodes `encoded` (the file's bytes; `name` for messages) and applies `steps`. Every failure
// names the file and the step. Never throws.
Result<SampleTensor> PreprocessImage(const std::string& encoded, const std::string& name,
                                     const std::vector<PreprocessStep>& steps);

}  // namespace zooci
