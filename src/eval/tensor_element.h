// Private to eval: reading one element of a model output, whatever its numeric type, for the
// decoders of detection boxes (detection_decode.cpp) and segmentation label maps
// (segmentation_job.cpp).
#pragma once

#include <cstring>

#include "onnx/onnx_io.h"

namespace zooci {

// Element `index` of a float, double, int64, int32 or uint8 tensor, as double. The caller checks
// the type and the bounds.
inline double NumericElement(const Tensor& tensor, int64_t index) {
  const char* data = tensor.data.data();
  auto load = [&](auto value) {
    std::memcpy(&value, data + index * static_cast<int64_t>(sizeof(value)), sizeof(value));
    return static_cast<double>(value);
  };
  switch (tensor.elem_type) {
    case ElemType::kFloat:
      return load(float{});
    case ElemType::kDouble:
      return load(double{});
    case ElemType::kInt64:
      return load(int64_t{});
    case ElemType::kUint8:
      return load(uint8_t{});
    default:
      return load(int32_t{});
  }
}

}  // namespace zooci
