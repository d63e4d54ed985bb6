// Indexing by index tensors: Gather, GatherElements, GatherND, Scatter, ScatterElements,
// ScatterND, OneHot.
#include "reference/internal.h"

namespace zooci::reference {
namespace {

// An index along a dim of `size`: negative counts from the end; outside [-size, size) is an error.
Result<int64_t> CheckedIndex(double value, int64_t size) {
  int64_t index = ToInt(value);
  if (index < -size || index >= size)
    return Error("index " + std::to_string(index) + " out of range for a dim of " +
                 std::to_string(size));
  return index < 0 ? index + size : index;
}

// Whether `indices` fits inside `data` on every dim but `axis` (GatherElements, ScatterElements).
Status CheckElementIndices(const Array& data, const Array& indices, int64_t axis) {
  bool fits = indices.rank() == data.rank();
  for (int64_t dim = 0; fits && dim < data.rank(); ++dim)
    fits = dim == axis || indices.shape[dim] <= data.shape[dim];
  if (!fits) return Error("indices " + Describe(indices) + " do not fit data " + Describe(data));
  return OkStatus();
}

// Gather-1, 11 (negative indices), 13: entries of data along `axis` (default 0) picked by
// indices; the output shape is data[:axis] + indices + data[axis+1:].
Result<Outputs> Gather(const OpContext& ctx) {
  const Array& data = ctx.input(0);
  const Array& indices = ctx.input(1);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), data.rank()));
  Shape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  const int64_t outer = ShapeSize(Shape(data.shape.begin(), data.shape.begin() + axis));
  const int64_t inner = ShapeSize(Shape(data.shape.begin() + axis + 1, data.shape.end()));
  const int64_t dim = data.shape[axis];
  std::vector<int64_t> sources;
  sources.reserve(static_cast<size_t>(ShapeSize(shape)));
  for (int64_t block = 0; block < outer; ++block)
    for (double picked : indices.values) {
      ZC_ASSIGN_OR_RETURN(int64_t index, CheckedIndex(picked, dim));
      for (int64_t k = 0; k < inner; ++k) sources.push_back((block * dim + index) * inner + k);
    }
  return Outputs{Take(data, sources, shape)};
}

// GatherElements-11, 13: out[i] = data[i with its `axis` coordinate replaced by indices[i]];
// the output has the indices' shape.
Result<Outputs> GatherElements(const OpContext& ctx) {
  const Array& data = ctx.input(0);
  const Array& indices = ctx.input(1);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), data.rank()));
  ZC_RETURN_IF_ERROR(CheckElementIndices(data, indices, axis));
  const std::vector<int64_t> strides = Strides(data.shape);
  std::vector<int64_t> sources(indices.values.size());
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < sources.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), indices.shape, position);
    ZC_ASSIGN_OR_RETURN(position[axis], CheckedIndex(indices.values[flat], data.shape[axis]));
    sources[flat] = Ravel(position, strides);
  }
  return Outputs{Take(data, sources, indices.shape)};
}

// GatherND-11, 12 (batch_dims), 13: each index tuple along the last dim of indices addresses a
// slice of data (after the first batch_dims dims, shared by data and indices).
Result<Outputs> GatherNd(const OpContext& ctx) {
  const Array& data = ctx.input(0);
  const Array& indices = ctx.input(1);
  const int64_t batch_dims = ctx.Int("batch_dims", 0);
  if (indices.rank() < 1) return Error("indices must be at least 1-D");
  const int64_t tuple = indices.shape.back();
  if (batch_dims + tuple > data.rank()) return Error("index tuples longer than data's rank");
  Shape shape(indices.shape.begin(), indices.shape.end() - 1);
  shape.insert(shape.end(), data.shape.begin() + batch_dims + tuple, data.shape.end());
  const int64_t batches = ShapeSize(Shape(data.shape.begin(), data.shape.begin() + batch_dims));
  const int64_t slice = ShapeSize(Shape(data.shape.begin() + batch_dims + tuple, data.shape.end()));
  const int64_t per_batch_data = batches == 0 ? 0 : data.size() / batches;
  const int64_t tuples = tuple == 0
                             ? ShapeSize(Shape(indices.shape.begin(), indices.shape.end() - 1))
                             : indices.size() / tuple;
  const int64_t tuples_per_batch = batches == 0 ? 0 : tuples / batches;
  const std::vector<int64_t> strides = Strides(data.shape);
  std::vector<int64_t> sources;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = (t / std::max<int64_t>(tuples_per_batch, 1)) * per_batch_data;
    for (int64_t k = 0; k < tuple; ++k) {
      const int64_t dim = batch_dims + k;
      ZC_ASSIGN_OR_RETURN(int64_t index,
                          CheckedIndex(indices.values[t * tuple + k], data.shape[dim]));
      offset += index * strides[dim];
    }
    for (int64_t k = 0; k < slice; ++k) sources.push_back(offset + k);
  }
  return Outputs{Take(data, sources, shape)};
}

// How ScatterElements-16 and ScatterND-16 combine an update with the existing element.
Result<double (*)(double, double)> Reduction(const OpContext& ctx) {
  const std::string reduction = ctx.String("reduction", "none");
  if (reduction == "none") return +[](double, double update) { return update; };
  if (reduction == "add") return +[](double old, double update) { return old + update; };
  if (reduction == "mul") return +[](double old, double update) { return old * update; };
  return Error("reduction '" + reduction + "' is not none, add or mul");
}

// Scatter-9, 11 (deprecated alias) and ScatterElements-11, 13, 16 (reduction): a copy of data
// where, for each i of indices, the element at i with its `axis` coordinate replaced by
// indices[i] becomes updates[i] (or is combined with it).
Result<Outputs> ScatterElements(const OpContext& ctx) {
  const Array& data = ctx.input(0);
  const Array& indices = ctx.input(1);
  const Array& updates = ctx.input(2);
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 0), data.rank()));
  ZC_ASSIGN_OR_RETURN(auto combine, Reduction(ctx));
  ZC_RETURN_IF_ERROR(CheckElementIndices(data, indices, axis));
  if (updates.shape != indices.shape)
    return Error("updates " + Describe(updates) + " and indices " + Describe(indices) + " differ");
  const std::vector<int64_t> strides = Strides(data.shape);
  Array y = data;
  std::vector<int64_t> position;
  for (size_t flat = 0; flat < indices.values.size(); ++flat) {
    Unravel(static_cast<int64_t>(flat), indices.shape, position);
    ZC_ASSIGN_OR_RETURN(position[axis], CheckedIndex(indices.values[flat], data.shape[axis]));
    const int64_t target = Ravel(position, strides);
    if (y.is_string()) {
      y.strings[target] = updates.strings[flat];
    } else {
      y.values[target] = combine(y.values[target], updates.values[flat]);
    }
  }
  return Outputs{std::move(y)};
}

// ScatterND-11, 13, 16 (reduction): each index tuple (last dim of indices) addresses a slice of
// data that takes the matching slice of updates.
Result<Outputs> ScatterNd(const OpContext& ctx) {
  const Array& data = ctx.input(0);
  const Array& indices = ctx.input(1);
  const Array& updates = ctx.input(2);
  ZC_ASSIGN_OR_RETURN(auto combine, Reduction(ctx));
  if (indices.rank() < 1) return Error("indices must be at least 1-D");
  const int64_t tuple = indices.shape.back();
  if (tuple > data.rank()) return Error("index tuples longer than data's rank");
  const int64_t slice = ShapeSize(Shape(data.shape.begin() + tuple, data.shape.end()));
  const int64_t tuples = ShapeSize(Shape(indices.shape.begin(), indices.shape.end() - 1));
  if (updates.size() != tuples * slice)
    return Error("updates " + Describe(updates) + " do not match indices " + Describe(indices) +
                 " into " + Describe(data));
  const std::vector<int64_t> strides = Strides(data.shape);
  Array y = data;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = 0;
    for (int64_t k = 0; k < tuple; ++k) {
      ZC_ASSIGN_OR_RETURN(int64_t index,
                          CheckedIndex(indices.values[t * tuple + k], data.shape[k]));
      offset += index * strides[k];
    }
    for (int64_t k = 0; k < slice; ++k) {
      if (y.is_string()) {
        y.strings[offset + k] = updates.strings[t * slice + k];
      } else {
        y.values[offset + k] = combine(y.values[offset + k], updates.values[t * slice + k]);
      }
    }
  }
  return Outputs{std::move(y)};
}

// OneHot-9, 11 (negative indices count from depth): values[1] where the new `axis` (default -1)
// equals the index, values[0] elsewhere; indices outside [-depth, depth) give an all-off row.
Result<Outputs> OneHot(const OpContext& ctx) {
  const Array& indices = ctx.input(0);
  const auto depth = ToInt(ctx.input(1).values.at(0));
  const Array& values = ctx.input(2);
  if (values.size() != 2) return Error("values must be [off, on]");
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", -1), indices.rank() + 1));
  Shape shape = indices.shape;
  shape.insert(shape.begin() + axis, depth);
  Array y = MakeArray(values.type, shape);
  std::fill(y.values.begin(), y.values.end(), values.values[0]);
  const int64_t inner = ShapeSize(Shape(indices.shape.begin() + axis, indices.shape.end()));
  for (int64_t flat = 0; flat < indices.size(); ++flat) {
    int64_t index = ToInt(indices.values[flat]);
    if (index < 0) index += depth;
    if (index < 0 || index >= depth) continue;
    const int64_t outer = flat / inner, k = flat % inner;
    y.values[(outer * depth + index) * inner + k] = values.values[1];
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterIndexOps(OpTable& table) {
  table.Add("Gather", {1, 11, 13}, Gather, 2);
  table.Add("GatherElements", {11, 13}, GatherElements, 2);
  table.Add("GatherND", {11, 12, 13}, GatherNd, 2);
  table.Add("Scatter", {9, 11}, ScatterElements, 3);
  table.Add("ScatterElements", {11, 13, 16}, ScatterElements, 3);
  table.Add("ScatterND", {11, 13, 16}, ScatterNd, 3);
  table.Add("OneHot", {9, 11}, OneHot, 3);
}

}  // namespace zooci::reference
