// Matrix products: MatMul, Gemm, Einsum, and Det.
#include <algorithm>
#include <cmath>
#include <map>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// MatMul-1, 9, 13: numpy.matmul.
Result<Outputs> MatMul(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, MatMulArrays(ctx.input(0), ctx.input(1), ctx.input(0).type));
  return Outputs{std::move(y)};
}

// Gemm-1, 6, 7, 9, 11, 13: Y = alpha * A' * B' + beta * C, where A' and B' are A and B
// transposed when transA / transB is 1, and C (optional from 11) is broadcast to [M, N]
// (before 7, only with broadcast=1; numpy-style unidirectional broadcasting works for both).
Result<Outputs> Gemm(const OpContext& ctx) {
  const Array& a = ctx.input(0);
  const Array& b = ctx.input(1);
  if (a.rank() != 2 || b.rank() != 2)
    return Error("A and B must be 2-D, are " + Describe(a) + " and " + Describe(b));
  const bool trans_a = ctx.Int("transA", 0) != 0;
  const bool trans_b = ctx.Int("transB", 0) != 0;
  const double alpha = ctx.Float("alpha", 1.0);
  const double beta = ctx.Float("beta", 1.0);
  const int64_t m = trans_a ? a.shape[1] : a.shape[0];
  const int64_t k = trans_a ? a.shape[0] : a.shape[1];
  const int64_t n = trans_b ? b.shape[0] : b.shape[1];
  if ((trans_b ? b.shape[1] : b.shape[0]) != k)
    return Error("A " + Describe(a) + " and B " + Describe(b) + " do not multiply");
  auto a_at = [&](int64_t row, int64_t col) {
    return trans_a ? a.values[col * m + row] : a.values[row * k + col];
  };
  auto b_at = [&](int64_t row, int64_t col) {
    return trans_b ? b.values[col * k + row] : b.values[row * n + col];
  };
  Array y = MakeArray(a.type, {m, n});
  std::vector<int64_t> c_index;
  if (ctx.has_input(2)) {
    ZC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(ctx.input(2).shape, y.shape));
    if (shape != y.shape)
      return Error("C " + Describe(ctx.input(2)) +
                   " does not broadcast to [M, N] = " + FormatDims(y.shape));
    c_index = BroadcastIndex(ctx.input(2).shape, y.shape);
  }
  for (int64_t row = 0; row < m; ++row) {
    for (int64_t col = 0; col < n; ++col) {
      double sum = 0.0;
      for (int64_t inner = 0; inner < k; ++inner) sum += a_at(row, inner) * b_at(inner, col);
      double value = alpha * sum;
      if (ctx.has_input(2)) value += beta * ctx.input(2).values[c_index[row * n + col]];
      y.values[row * n + col] = value;
    }
  }
  return Outputs{std::move(y)};
}

// `term` with "..." replaced by `count` labels drawn from the upper-case letters counted from
// the right ('Z', 'Y', ...), so that the ellipsis dims of all operands align on the right as
// broadcasting does.
std::string ReplaceEllipsis(const std::string& term, int64_t count) {
  const size_t dots = term.find("...");
  if (dots == std::string::npos) return term;
  std::string labels;
  for (int64_t idx = count; idx > 0; --idx) labels += static_cast<char>('Z' - (idx - 1));
  return term.substr(0, dots) + labels + term.substr(dots + 3);
}

// The labels of an operand of `rank` dims; widens `ellipsis_rank` to what its "..." covers.
Result<std::string> OperandLabels(const std::string& term, int64_t rank, int64_t* ellipsis_rank) {
  const bool has_ellipsis = term.find("...") != std::string::npos;
  const auto named = static_cast<int64_t>(term.size()) - (has_ellipsis ? 3 : 0);
  if (named > rank || (!has_ellipsis && named != rank))
    return Error("term '" + term + "' does not fit an operand of rank " + std::to_string(rank));
  if (has_ellipsis) *ellipsis_rank = std::max(*ellipsis_rank, rank - named);
  return ReplaceEllipsis(term, rank - named);
}

// Einsum-12: the sum over every label missing from the output of the product of the operands'
// elements. Implicit output (no "->"): the ellipsis dims, then the labels used once, sorted.
Result<Outputs> Einsum(const OpContext& ctx) {
  std::string equation;
  for (char ch : ctx.String("equation", ""))
    if (ch != ' ') equation += ch;
  const size_t arrow = equation.find("->");
  const std::vector<std::string> terms = SplitString(equation.substr(0, arrow), ',');
  if (terms.size() != ctx.input_count())
    return Error("equation '" + equation + "' has " + std::to_string(terms.size()) + " terms for " +
                 std::to_string(ctx.input_count()) + " inputs");
  std::vector<std::string> labels;
  int64_t ellipsis_rank = 0;
  std::map<char, int64_t> sizes;
  std::map<char, int> uses;
  for (size_t input_idx = 0; input_idx < terms.size(); ++input_idx) {
    const Array& operand = ctx.input(input_idx);
    ZC_ASSIGN_OR_RETURN(std::string expanded,
                        OperandLabels(terms[input_idx], operand.rank(), &ellipsis_rank));
    for (size_t dim = 0; dim < expanded.size(); ++dim) {
      const char label = expanded[dim];
      const int64_t size = operand.shape[dim];
      auto [it, fresh] = sizes.emplace(label, size);
      if (!fresh && it->second != size) {  // sizes must agree, or one be 1 (broadcast)
        if (it->second != 1 && size != 1)
          return Error("label '" + std::string(1, label) + "' has sizes " +
                       std::to_string(it->second) + " and " + std::to_string(size));
        it->second = std::max(it->second, size);
      }
      ++uses[label];
    }
    labels.push_back(expanded);
  }
  std::string output;
  if (arrow != std::string::npos) {
    output = ReplaceEllipsis(equation.substr(arrow + 2), ellipsis_rank);
  } else {
    output = ReplaceEllipsis("...", ellipsis_rank);
    for (const auto& [label, count] : uses)
      if (count == 1 && std::islower(label)) output += label;
  }
  // Iterate over every combination of every label's index.
  std::string all_labels;
  for (const auto& [label, size] : sizes) all_labels += label;
  Shape all_shape;
  for (char label : all_labels) all_shape.push_back(sizes[label]);
  Shape y_shape;
  for (char label : output) y_shape.push_back(sizes[label]);
  Array y = MakeArray(ctx.input(0).type, y_shape);
  const std::vector<int64_t> y_strides = Strides(y_shape);
  std::vector<int64_t> position;
  for (int64_t flat = 0; flat < ShapeSize(all_shape); ++flat) {
    Unravel(flat, all_shape, position);
    auto index_of = [&](char label) { return position[all_labels.find(label)]; };
    double product = 1.0;
    for (size_t input_idx = 0; input_idx < labels.size(); ++input_idx) {
      const Array& operand = ctx.input(input_idx);
      int64_t offset = 0;
      const std::vector<int64_t> strides = Strides(operand.shape);
      for (size_t dim = 0; dim < labels[input_idx].size(); ++dim)
        offset += (operand.shape[dim] == 1 ? 0 : index_of(labels[input_idx][dim])) * strides[dim];
      product *= operand.values[offset];
    }
    int64_t y_offset = 0;
    for (size_t dim = 0; dim < output.size(); ++dim)
      y_offset += index_of(output[dim]) * y_strides[dim];
    y.values[y_offset] += product;
  }
  return Outputs{std::move(y)};
}

// Det-11: the determinant of each [M, M] matrix of [..., M, M], by LU decomposition with
// partial pivoting.
Result<Outputs> Det(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  if (x.rank() < 2 || x.shape[x.rank() - 1] != x.shape[x.rank() - 2])
    return Error("X " + Describe(x) + " is not [..., M, M]");
  const int64_t n = x.shape[x.rank() - 1];
  Array y = MakeArray(x.type, Shape(x.shape.begin(), x.shape.end() - 2));
  for (int64_t matrix = 0; matrix < y.size(); ++matrix) {
    std::vector<double> lu(x.values.begin() + matrix * n * n,
                           x.values.begin() + (matrix + 1) * n * n);
    double det = 1.0;
    for (int64_t col = 0; col < n; ++col) {
      int64_t pivot = col;
      for (int64_t row = col + 1; row < n; ++row)
        if (std::fabs(lu[row * n + col]) > std::fabs(lu[pivot * n + col])) pivot = row;
      if (lu[pivot * n + col] == 0.0) {
        det = 0.0;
        break;
      }
      if (pivot != col) {
        for (int64_t k = 0; k < n; ++k) std::swap(lu[pivot * n + k], lu[col * n + k]);
        det = -det;
      }
      det *= lu[col * n + col];
      for (int64_t row = col + 1; row < n; ++row) {
        const double factor = lu[row * n + col] / lu[col * n + col];
        for (int64_t k = col; k < n; ++k) lu[row * n + k] -= factor * lu[col * n + k];
      }
    }
    y.values[matrix] = det;
  }
  return Outputs{std::move(y)};
}

}  // namespace

Result<Array> MatMulArrays(const Array& a_in, const Array& b_in, ElemType out_type) {
  if (a_in.rank() == 0 || b_in.rank() == 0) return Error("MatMul operands must not be scalars");
  // 1-D operands become [1, K] and [K, 1]; the added dim is removed from the result.
  Shape a_shape = a_in.shape, b_shape = b_in.shape;
  if (a_shape.size() == 1) a_shape.insert(a_shape.begin(), 1);
  if (b_shape.size() == 1) b_shape.push_back(1);
  const int64_t m = a_shape[a_shape.size() - 2], k = a_shape.back();
  const int64_t n = b_shape.back();
  if (b_shape[b_shape.size() - 2] != k)
    return Error("A " + Describe(a_in) + " and B " + Describe(b_in) + " do not multiply");
  const Shape a_batch(a_shape.begin(), a_shape.end() - 2);
  const Shape b_batch(b_shape.begin(), b_shape.end() - 2);
  ZC_ASSIGN_OR_RETURN(Shape batch, BroadcastShapes(a_batch, b_batch));
  const std::vector<int64_t> a_matrix = BroadcastIndex(a_batch, batch);
  const std::vector<int64_t> b_matrix = BroadcastIndex(b_batch, batch);

  Shape y_shape = batch;
  if (a_in.rank() > 1) y_shape.push_back(m);
  if (b_in.rank() > 1) y_shape.push_back(n);
  Array y = MakeArray(out_type, y_shape);
  for (size_t matrix = 0; matrix < a_matrix.size(); ++matrix) {
    const double* a = &a_in.values[a_matrix[matrix] * m * k];
    const double* b = &b_in.values[b_matrix[matrix] * k * n];
    double* out = &y.values[matrix * m * n];
    for (int64_t row = 0; row < m; ++row)
      for (int64_t inner = 0; inner < k; ++inner) {
        const double a_value = a[row * k + inner];
        for (int64_t col = 0; col < n; ++col) out[row * n + col] += a_value * b[inner * n + col];
      }
  }
  return y;
}

void RegisterMatrixOps(OpTable& table) {
  table.Add("MatMul", {1, 9, 13}, MatMul, 2);
  table.Add("Gemm", {1, 6, 7, 9, 11, 13}, Gemm, 2);
  table.Add("Einsum", {12}, Einsum);
  table.Add("Det", {11}, Det);
}

}  // namespace zooci::reference
