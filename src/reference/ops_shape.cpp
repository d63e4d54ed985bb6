// Operators that change only the shape or the order of elements: Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Expand, DepthToSpace, SpaceToDepth; Shape and Size; Identity and Dropout.
#include <algorithm>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

Array WithShape(const Array& x, Shape shape) {
  Array y = x;
  y.shape = std::move(shape);
  return y;
}

// Reshape-1 (shape attribute), 5 (shape input), 13, 14 (allowzero): a 0 copies the input's dim
// at that position (with allowzero=1 it is a real 0), and one -1 takes what remains.
Result<Outputs> Reshape(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (ctx.version >= 5 && !ctx.has_input(1)) return Error("the shape input is missing");
  Shape shape = ctx.version < 5 ? ctx.Ints("shape") : ToInts(ctx.input(1));
  const bool allow_zero = ctx.Int("allowzero", 0) != 0;
  int64_t inferred = -1;
  int64_t known = 1;
  for (size_t dim = 0; dim < shape.size(); ++dim) {
    if (shape[dim] == 0 && !allow_zero) {
      if (dim >= x.shape.size())
        return Error("shape " + FormatDims(shape) + " copies dim " + std::to_string(dim) + " of " +
                     Describe(x));
      shape[dim] = x.shape[dim];
    }
    if (shape[dim] == -1) {
      if (inferred >= 0) return Error("shape " + FormatDims(shape) + " has two -1 dims");
      inferred = static_cast<int64_t>(dim);
    } else if (shape[dim] < 0) {
      return Error("shape " + FormatDims(shape) + " has a negative dim");
    } else {
      known *= shape[dim];
    }
  }
  if (inferred >= 0) shape[inferred] = known == 0 ? 0 : x.size() / known;
  if (ShapeSize(shape) != x.size())
    return Error("cannot reshape " + Describe(x) + " to " + FormatDims(shape));
  return Outputs{WithShape(x, std::move(shape))};
}

// Flatten-1, 9, 11 (negative axis), 13: [d0 * ... * d(axis-1), d(axis) * ... * dn]; axis = 1.
Result<Outputs> Flatten(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  int64_t axis = ctx.Int("axis", 1);
  if (axis < 0) axis += x.rank();
  if (axis < 0 || axis > x.rank()) return Error("axis out of range for " + Describe(x));
  const int64_t outer = ShapeSize(Shape(x.shape.begin(), x.shape.begin() + axis));
  return Outputs{WithShape(x, {outer, outer == 0 ? 0 : x.size() / outer})};
}

// The axes of Squeeze and Unsqueeze: the attribute before opset 13, the optional input after.
std::vector<int64_t> AxesOf(const OpContext& ctx) {
  if (ctx.version < 13) return ctx.Ints("axes");
  return ctx.has_input(1) ? ToInts(ctx.input(1)) : std::vector<int64_t>{};
}

// Squeeze-1, 11 (negative axes), 13 (axes input): removes the given size-1 dims, or all of them.
Result<Outputs> Squeeze(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, NormalizeAxes(AxesOf(ctx), x.rank()));
  Shape shape;
  for (int64_t dim = 0; dim < x.rank(); ++dim) {
    const bool listed = std::find(axes.begin(), axes.end(), dim) != axes.end();
    if (listed && x.shape[dim] != 1)
      return Error("cannot squeeze dim " + std::to_string(dim) + " of " + Describe(x));
    if (listed || (axes.empty() && x.shape[dim] == 1)) continue;
    shape.push_back(x.shape[dim]);
  }
  return Outputs{WithShape(x, std::move(shape))};
}

// Unsqueeze-1, 11 (negative axes), 13 (axes input): inserts size-1 dims at the given positions
// of the output.
Result<Outputs> Unsqueeze(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const std::vector<int64_t> listed = AxesOf(ctx);
  const auto out_rank = x.rank() + static_cast<int64_t>(listed.size());
  ZC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, NormalizeAxes(listed, out_rank));
  Shape shape;
  size_t next_input_dim = 0;
  for (int64_t dim = 0; dim < out_rank; ++dim) {
    if (std::find(axes.begin(), axes.end(), dim) != axes.end()) {
      shape.push_back(1);
    } else {
      shape.push_back(x.shape[next_input_dim++]);
    }
  }
  return Outputs{WithShape(x, std::move(shape))};
}

// Transpose-1, 13: Y's dim i is X's dim perm[i] (default: dims reversed).
Result<Outputs> Transpose(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  std::vector<int64_t> perm = ctx.Ints("perm");
  if (perm.empty())
    for (int64_t dim = x.rank() - 1; dim >= 0; --dim) perm.push_back(dim);
  ZC_ASSIGN_OR_RETURN(perm, NormalizeAxes(perm, x.rank()));
  if (static_cast<int64_t>(perm.size()) != x.rank())
    return Error("perm of " + std::to_string(perm.size()) + " entries for " + Describe(x));
  Shape shape;
  for (int64_t dim : perm) shape.push_back(x.shape[dim]);
  const std::vector<int64_t> x_strides = Strides(x.shape);
  std::vector<int64_t> indices(static_cast<size_t>(x.size()));
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < indices.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), shape, position);
    int64_t source = 0;
    for (size_t dim = 0; dim < perm.size(); ++dim) source += position[dim] * x_strides[perm[dim]];
    indices[flat] = source;
  }
  return Outputs{Take(x, indices, shape)};
}

// Expand-8, 13: X broadcast together with the shape input (numpy rules, both ways).
Result<Outputs> Expand(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  ZC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(x.shape, ToInts(ctx.input(1))));
  return Outputs{Take(x, BroadcastIndex(x.shape, shape), shape)};
}

// Shape-1, 13, 15 (start and end select a range of dims, clamped like Python slices).
Result<Outputs> ShapeOp(const OpContext& ctx) {
  const Shape& shape = ctx.input(0).shape;
  const auto rank = static_cast<int64_t>(shape.size());
  int64_t start = ctx.Int("start", 0);
  int64_t end = ctx.Int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  return Outputs{FromInts(Shape(shape.begin() + start, shape.begin() + std::max(start, end)))};
}

// Size-1, 13: the element count, as an int64 scalar.
Result<Outputs> Size(const OpContext& ctx) {
  return Outputs{Scalar(ElemType::kInt64, static_cast<double>(ctx.input(0).size()))};
}

// Identity-1, 13, 14 (sequences), 16 (optionals): the input unchanged.
Result<Outputs> Identity(const OpContext& ctx) {
  return Outputs{ctx.item(0)};
}

// Dropout-1, 6 (ratio and is_test attributes), 7, 10, 12 (ratio and training_mode inputs), 13.
// At inference, Y = X and the mask is all true. Training with a non-zero ratio draws random
// numbers, which an oracle cannot reproduce: that is refused.
Result<Outputs> Dropout(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  bool training = false;
  double ratio = ctx.Float("ratio", 0.5);
  if (ctx.version >= 12) {
    if (ctx.has_input(1)) ratio = ctx.input(1).values.at(0);
    training = ctx.has_input(2) && ctx.input(2).values.at(0) != 0;
  } else if (ctx.version < 7) {
    training = ctx.Int("is_test", 0) == 0 && ctx.has_attr("is_test");
  }
  if (training && ratio != 0)
    return Error("training-mode dropout draws random numbers (ratio " + FormatDouble(ratio) +
                 "): not reproducible");
  Array mask = MakeArray(ctx.version >= 10 ? ElemType::kBool : x.type, x.shape);
  std::fill(mask.values.begin(), mask.values.end(), 1.0);
  return Outputs{x, std::move(mask)};
}

// DepthToSpace-1, 11 (mode), 13: [N, C, H, W] -> [N, C / b^2, H * b, W * b]. Mode DCR (default)
// takes the block offsets from the outer part of the channel index, CRD from the inner part.
Result<Outputs> DepthToSpace(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const int64_t block = ctx.Int("blocksize", 0);
  if (x.rank() != 4 || block <= 0 || x.shape[1] % (block * block) != 0)
    return Error("X " + Describe(x) + " and blocksize " + std::to_string(block) + " do not fit");
  const bool crd = ctx.String("mode", "DCR") == "CRD";
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t out_c = c / (block * block);
  const Shape shape = {n, out_c, h * block, w * block};
  std::vector<int64_t> indices;
  indices.reserve(static_cast<size_t>(x.size()));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < out_c; ++oc)
      for (int64_t oh = 0; oh < h * block; ++oh)
        for (int64_t ow = 0; ow < w * block; ++ow) {
          const int64_t offset = (oh % block) * block + (ow % block);
          const int64_t channel = crd ? oc * block * block + offset : offset * out_c + oc;
          indices.push_back(((b * c + channel) * h + oh / block) * w + ow / block);
        }
  return Outputs{Take(x, indices, shape)};
}

// SpaceToDepth-1, 13: the inverse of DepthToSpace in DCR mode.
Result<Outputs> SpaceToDepth(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const int64_t block = ctx.Int("blocksize", 0);
  if (x.rank() != 4 || block <= 0 || x.shape[2] % block != 0 || x.shape[3] % block != 0)
    return Error("X " + Describe(x) + " and blocksize " + std::to_string(block) + " do not fit");
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t out_h = h / block, out_w = w / block;
  const Shape shape = {n, c * block * block, out_h, out_w};
  std::vector<int64_t> indices;
  indices.reserve(static_cast<size_t>(x.size()));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < c * block * block; ++oc)
      for (int64_t oh = 0; oh < out_h; ++oh)
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const int64_t offset = oc / c, channel = oc % c;
          const int64_t ih = oh * block + offset / block, iw = ow * block + offset % block;
          indices.push_back(((b * c + channel) * h + ih) * w + iw);
        }
  return Outputs{Take(x, indices, shape)};
}

}  // namespace

void RegisterShapeOps(OpTable& table) {
  table.Add("Reshape", {1, 5, 13, 14}, Reshape);
  table.Add("Flatten", {1, 9, 11, 13}, Flatten);
  table.Add("Squeeze", {1, 11, 13}, Squeeze);
  table.Add("Unsqueeze", {1, 11, 13}, Unsqueeze);
  table.Add("Transpose", {1, 13}, Transpose);
  table.Add("Expand", {8, 13}, Expand, 2);
  table.Add("Shape", {1, 13, 15}, ShapeOp);
  table.Add("Size", {1, 13}, Size);
  table.Add("Identity", {1, 13, 14, 16}, Identity);
  table.Add("Dropout", {1, 6, 7, 10, 12, 13}, Dropout);
  table.Add("DepthToSpace", {1, 11, 13}, DepthToSpace);
  table.Add("SpaceToDepth", {1, 13}, SpaceToDepth);
}

}  // namespace zooci::reference
