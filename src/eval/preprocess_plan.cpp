// The preprocessing pipeline's validation, free of OpenCV: `zooci` validates scenarios without
// loading an image library; only the worker decodes (preprocess.cpp).
#include <climits>
#include <cmath>

#include "eval/preprocess.h"
#include "eval/preprocess_internal.h"

namespace zooci {
namespace preprocess_internal {

const char* StepName(PreprocessKind kind) {
  switch (kind) {
    case PreprocessKind::kDecode:
      return "decode";
    case PreprocessKind::kColor:
      return "color";
    case PreprocessKind::kResize:
      return "resize";
    case PreprocessKind::kCenterCrop:
      return "center_crop";
    case PreprocessKind::kLetterbox:
      return "letterbox";
    case PreprocessKind::kScale:
      return "scale";
    case PreprocessKind::kNormalize:
      return "normalize";
    case PreprocessKind::kLayout:
      return "layout";
    case PreprocessKind::kDtype:
      return "dtype";
  }
  return "unknown";
}

std::string StepLabel(size_t idx, const PreprocessStep& step) {
  return "preprocessing[" + std::to_string(idx) + "] " + StepName(step.kind);
}

std::string HxW(int64_t height, int64_t width) {
  return std::to_string(height) + "x" + std::to_string(width);
}

bool ValidSide(int64_t side) {
  return side >= 1 && side <= kMaxSide;
}

// Checks one step's own parameters (not its position).
Status CheckParameters(const PreprocessStep& step, int channels) {
  auto one_of = [&](std::initializer_list<const char*> valid) -> Status {
    for (const char* value : valid) {
      if (step.text == value) return OkStatus();
    }
    return Error("bad value '" + step.text + "'");
  };
  switch (step.kind) {
    case PreprocessKind::kDecode:
      return one_of({"color", "grayscale"});
    case PreprocessKind::kColor:
      return one_of({"RGB", "BGR", "GRAY"});
    case PreprocessKind::kResize:
      if (step.shorter_side != 0 && (step.height != 0 || step.width != 0)) {
        return Error("give shorter_side or size, not both");
      }
      if (step.shorter_side != 0 ? !ValidSide(step.shorter_side)
                                 : !ValidSide(step.height) || !ValidSide(step.width)) {
        return Error("sizes must be between 1 and " + std::to_string(kMaxSide));
      }
      return one_of({"nearest", "bilinear", "bicubic", "area"});
    case PreprocessKind::kCenterCrop:
      if (!ValidSide(step.height) || !ValidSide(step.width)) {
        return Error("sizes must be between 1 and " + std::to_string(kMaxSide));
      }
      return OkStatus();
    case PreprocessKind::kLetterbox:
      if (!ValidSide(step.height) || !ValidSide(step.width)) {
        return Error("sizes must be between 1 and " + std::to_string(kMaxSide));
      }
      if (step.fill.size() != 1 && step.fill.size() != static_cast<size_t>(channels)) {
        return Error("color has " + std::to_string(step.fill.size()) + " values; the image has " +
                     std::to_string(channels) + " channel(s) here (give 1 or " +
                     std::to_string(channels) + ")");
      }
      for (double value : step.fill) {
        if (!(value >= 0 && value <= 255)) return Error("color values must be within [0, 255]");
      }
      return one_of({"nearest", "bilinear", "bicubic", "area"});
    case PreprocessKind::kScale:
      if (!std::isfinite(step.scale)) return Error("scale must be a finite number");
      return OkStatus();
    case PreprocessKind::kNormalize:
      for (const std::vector<double>* values : {&step.mean, &step.std}) {
        const char* what = values == &step.mean ? "mean" : "std";
        if (values->size() != 1 && values->size() != static_cast<size_t>(channels)) {
          return Error(std::string(what) + " has " + std::to_string(values->size()) +
                       " values; the image has " + std::to_string(channels) +
                       " channel(s) here (give 1 or " + std::to_string(channels) + ")");
        }
        for (double value : *values) {
          if (!std::isfinite(value)) return Error(std::string(what) + " values must be finite");
        }
      }
      for (double value : step.std) {
        if (value == 0) return Error("std values must not be 0");
      }
      return OkStatus();
    case PreprocessKind::kLayout:
      return one_of({"NCHW", "NHWC"});
    case PreprocessKind::kDtype:
      return one_of({"float32", "uint8"});
  }
  return Error("unknown step kind");
}

}  // namespace preprocess_internal

using namespace preprocess_internal;

Status ValidatePipeline(const std::vector<PreprocessStep>& steps) {
  if (steps.empty()) return Error("preprocessing: no steps (the first step must be decode)");
  int channels = 0;
  bool seen_layout = false;
  bool seen_dtype = false;
  bool arithmetic = false;  // a scale or normalize step came before
  for (size_t idx = 0; idx < steps.size(); ++idx) {
    const PreprocessStep& step = steps[idx];
    auto fail = [&](const std::string& message) {
      return Error(StepLabel(idx, step) + ": " + message);
    };
    if ((idx == 0) != (step.kind == PreprocessKind::kDecode)) {
      return fail(idx == 0 ? "the first step must be decode" : "decode must come first, once");
    }
    Status parameters = CheckParameters(step, channels);
    if (!parameters.ok()) return fail(parameters.error().message());
    switch (step.kind) {
      case PreprocessKind::kDecode:
        channels = step.text == "grayscale" ? 1 : 3;
        break;
      case PreprocessKind::kColor:
        channels = step.text == "GRAY" ? 1 : 3;
        break;
      case PreprocessKind::kLayout:
        if (seen_layout) return fail("layout given more than once");
        seen_layout = true;
        break;
      case PreprocessKind::kDtype:
        if (seen_dtype) return fail("dtype given more than once");
        if (step.text == "uint8" && arithmetic) {
          return fail(
              "uint8 output cannot hold scaled or normalized values; remove scale and "
              "normalize, or use float32");
        }
        seen_dtype = true;
        break;
      case PreprocessKind::kScale:
      case PreprocessKind::kNormalize:
        arithmetic = true;
        break;
      default:
        break;
    }
    const bool pixel_step =
        step.kind != PreprocessKind::kLayout && step.kind != PreprocessKind::kDtype;
    if (pixel_step && (seen_layout || seen_dtype)) {
      return fail("pixel steps must come before layout and dtype");
    }
  }
  return OkStatus();
}

}  // namespace zooci
