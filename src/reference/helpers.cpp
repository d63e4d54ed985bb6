// Helpers shared by the operator families: axes, broadcasting, indexing.
#include <algorithm>

#include "reference/internal.h"

namespace zooci::reference {

Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return Error("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

Result<std::vector<int64_t>> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> normalized;
  for (int64_t axis : axes) {
    ZC_ASSIGN_OR_RETURN(int64_t positive, NormalizeAxis(axis, rank));
    if (std::find(normalized.begin(), normalized.end(), positive) != normalized.end())
      return Error("axis " + std::to_string(axis) + " repeated");
    normalized.push_back(positive);
  }
  return normalized;
}

// ONNX's Broadcasting.md: shapes are aligned on the right; each pair of dims must be equal or
// one of them 1, and the result takes the other.
Result<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t idx = 0; idx < rank; ++idx) {
    const int64_t dim_a = idx < rank - a.size() ? 1 : a[idx - (rank - a.size())];
    const int64_t dim_b = idx < rank - b.size() ? 1 : b[idx - (rank - b.size())];
    if (dim_a != dim_b && dim_a != 1 && dim_b != 1) {
      return Error("shapes " + FormatDims(a) + " and " + FormatDims(b) +
                   " cannot be broadcast together");
    }
    out[idx] = dim_a == 1 ? dim_b : dim_a;
  }
  return out;
}

std::vector<int64_t> BroadcastIndex(const Shape& in_shape, const Shape& out_shape) {
  const size_t offset = out_shape.size() - in_shape.size();
  // The input's stride for each output axis: 0 where the input is repeated.
  std::vector<int64_t> in_strides = Strides(in_shape);
  std::vector<int64_t> strides(out_shape.size(), 0);
  for (size_t axis = 0; axis < in_shape.size(); ++axis)
    strides[axis + offset] = in_shape[axis] == 1 ? 0 : in_strides[axis];

  std::vector<int64_t> indices(static_cast<size_t>(ShapeSize(out_shape)));
  std::vector<int64_t> position(out_shape.size(), 0);
  int64_t source = 0;
  for (size_t flat = 0; flat < indices.size(); ++flat) {
    indices[flat] = source;
    // Advance the output position like an odometer, keeping `source` in step.
    for (int64_t axis = static_cast<int64_t>(out_shape.size()) - 1; axis >= 0; --axis) {
      if (++position[axis] < out_shape[axis]) {
        source += strides[axis];
        break;
      }
      source -= strides[axis] * (position[axis] - 1);
      position[axis] = 0;
    }
  }
  return indices;
}

std::vector<int64_t> ReductionIndex(const Shape& shape, const std::vector<int64_t>& axes,
                                    Shape* kept_shape) {
  *kept_shape = shape;
  for (int64_t axis : axes) (*kept_shape)[axis] = 1;
  // The kept shape broadcasts back onto `shape`: BroadcastIndex maps each input element to it.
  return BroadcastIndex(*kept_shape, shape);
}

Array Take(const Array& input, const std::vector<int64_t>& indices, Shape shape) {
  Array out;
  out.type = input.type;
  out.shape = std::move(shape);
  if (input.is_string()) {
    out.strings.reserve(indices.size());
    for (int64_t index : indices) out.strings.push_back(input.strings[index]);
  } else {
    out.values.reserve(indices.size());
    for (int64_t index : indices) out.values.push_back(input.values[index]);
  }
  return out;
}

void Unravel(int64_t flat, const Shape& shape, std::vector<int64_t>& index) {
  index.resize(shape.size());
  for (int64_t axis = static_cast<int64_t>(shape.size()) - 1; axis >= 0; --axis) {
    index[axis] = shape[axis] == 0 ? 0 : flat % shape[axis];
    flat = shape[axis] == 0 ? 0 : flat / shape[axis];
  }
}

int64_t Ravel(const std::vector<int64_t>& index, const std::vector<int64_t>& strides) {
  int64_t flat = 0;
  for (size_t axis = 0; axis < index.size(); ++axis) flat += index[axis] * strides[axis];
  return flat;
}

std::string Describe(const Array& array) {
  return ElemTypeName(array.type) + FormatDims(array.shape);
}

}  // namespace zooci::reference
