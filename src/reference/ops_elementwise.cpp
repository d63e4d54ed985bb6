// Elementwise operators of two or more inputs with broadcasting: arithmetic, comparison, logic,
// the variadic Max/Min/Sum/Mean, and Where.
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

using BinaryFunction = double (*)(double, double);

// Opset < 7 broadcasting (Add-1/6, And-1, Equal-1, Pow-1, ...): with broadcast=1, B's shape is a
// contiguous run of A's dims starting at `axis` (by default aligned on the right), so B is given
// A's rank with 1s around it; with broadcast=0 the shapes must already agree.
Shape LegacyBroadcastShape(const OpContext& ctx, const Shape& a, const Shape& b) {
  if (ctx.Int("broadcast", 0) == 0 || b.size() >= a.size()) return b;
  int64_t axis = ctx.Int("axis", static_cast<int64_t>(a.size() - b.size()));
  if (axis < 0) axis += static_cast<int64_t>(a.size());
  Shape aligned(a.size(), 1);
  for (size_t idx = 0; idx < b.size() && axis + idx < aligned.size(); ++idx)
    aligned[axis + idx] = b[idx];
  return aligned;
}

// out[i] = fn(a[i], b[i]) over the broadcast shape of inputs 0 and 1.
Result<Array> Binary(const OpContext& ctx, ElemType out_type, BinaryFunction fn) {
  const Array& a = ctx.input(0);
  const Array& b = ctx.input(1);
  const Shape b_shape = ctx.version < 7 ? LegacyBroadcastShape(ctx, a.shape, b.shape) : b.shape;
  ZC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a.shape, b_shape));
  const std::vector<int64_t> a_index = BroadcastIndex(a.shape, shape);
  const std::vector<int64_t> b_index = BroadcastIndex(b_shape, shape);
  Array out = MakeArray(out_type, shape);
  for (size_t idx = 0; idx < out.values.size(); ++idx)
    out.values[idx] = fn(a.values[a_index[idx]], b.values[b_index[idx]]);
  return out;
}

bool IsInteger(ElemType type) {
  return !IsFloatingPoint(type) && type != ElemType::kBool && type != ElemType::kString;
}

// Add, Sub, Mul, Div: 1, 6 (legacy broadcast attribute), 7 (numpy broadcasting), 13, 14 (more
// types). Integer division truncates toward zero, as C and ONNX Runtime do.
Result<Outputs> Add(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y,
                      Binary(ctx, ctx.input(0).type, [](double a, double b) { return a + b; }));
  return Outputs{std::move(y)};
}

Result<Outputs> Sub(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y,
                      Binary(ctx, ctx.input(0).type, [](double a, double b) { return a - b; }));
  return Outputs{std::move(y)};
}

Result<Outputs> Mul(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y,
                      Binary(ctx, ctx.input(0).type, [](double a, double b) { return a * b; }));
  return Outputs{std::move(y)};
}

double RealDivide(double a, double b) {
  return a / b;
}
double IntegerDivide(double a, double b) {
  return b == 0 ? 0.0 : std::trunc(a / b);
}

Result<Outputs> Div(const OpContext& ctx) {
  const BinaryFunction divide = IsInteger(ctx.input(0).type) ? IntegerDivide : RealDivide;
  ZC_ASSIGN_OR_RETURN(Array y, Binary(ctx, ctx.input(0).type, divide));
  return Outputs{std::move(y)};
}

// Pow-1 (legacy broadcast), 7, 12, 13, 15: the result has the base's type.
Result<Outputs> Pow(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(
      Array y, Binary(ctx, ctx.input(0).type, [](double a, double b) { return std::pow(a, b); }));
  return Outputs{std::move(y)};
}

// Mod-10, 13: fmod=0 takes the sign of the divisor (Python's %), fmod=1 that of the dividend
// (C's fmod). Integer modulo by zero gives 0 here (ONNX leaves it undefined).
double FloorModulo(double a, double b) {
  if (b == 0) return 0.0;
  const double remainder = std::fmod(a, b);
  return remainder != 0 && ((remainder < 0) != (b < 0)) ? remainder + b : remainder;
}
double TruncatedModulo(double a, double b) {
  return std::fmod(a, b);
}

Result<Outputs> Mod(const OpContext& ctx) {
  const BinaryFunction modulo = ctx.Int("fmod", 0) == 1 ? TruncatedModulo : FloorModulo;
  ZC_ASSIGN_OR_RETURN(Array y, Binary(ctx, ctx.input(0).type, modulo));
  return Outputs{std::move(y)};
}

// BitShift-11 (unsigned integers only): x << y or x >> y; bits shifted out are lost.
double ShiftLeft(double a, double b) {
  return std::ldexp(a, static_cast<int>(ToInt(b)));
}
double ShiftRight(double a, double b) {
  return std::floor(std::ldexp(a, -static_cast<int>(ToInt(b))));
}

Result<Outputs> BitShift(const OpContext& ctx) {
  const std::string direction = ctx.String("direction", "");
  if (direction != "LEFT" && direction != "RIGHT") return Error("direction must be LEFT or RIGHT");
  ZC_ASSIGN_OR_RETURN(Array y,
                      Binary(ctx, ctx.input(0).type, direction == "LEFT" ? ShiftLeft : ShiftRight));
  return Outputs{std::move(y)};
}

// And, Or, Xor: 1 (legacy broadcast), 7. Booleans in, booleans out.
Result<Outputs> And(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Binary(ctx, ElemType::kBool, [](double a, double b) {
                        return (a != 0 && b != 0) ? 1.0 : 0.0;
                      }));
  return Outputs{std::move(y)};
}

Result<Outputs> Or(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Binary(ctx, ElemType::kBool, [](double a, double b) {
                        return (a != 0 || b != 0) ? 1.0 : 0.0;
                      }));
  return Outputs{std::move(y)};
}

Result<Outputs> Xor(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Binary(ctx, ElemType::kBool, [](double a, double b) {
                        return ((a != 0) != (b != 0)) ? 1.0 : 0.0;
                      }));
  return Outputs{std::move(y)};
}

// Equal-1 (legacy broadcast), 7, 11, 13; strings compare by value.
Result<Outputs> Equal(const OpContext& ctx) {
  const Array& a = ctx.input(0);
  const Array& b = ctx.input(1);
  if (a.is_string()) {
    ZC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a.shape, b.shape));
    const std::vector<int64_t> a_index = BroadcastIndex(a.shape, shape);
    const std::vector<int64_t> b_index = BroadcastIndex(b.shape, shape);
    Array y = MakeArray(ElemType::kBool, shape);
    for (size_t idx = 0; idx < y.values.size(); ++idx)
      y.values[idx] = a.strings[a_index[idx]] == b.strings[b_index[idx]] ? 1.0 : 0.0;
    return Outputs{std::move(y)};
  }
  ZC_ASSIGN_OR_RETURN(
      Array y, Binary(ctx, ElemType::kBool, [](double a, double b) { return a == b ? 1.0 : 0.0; }));
  return Outputs{std::move(y)};
}

// Less, Greater: 1 (legacy broadcast), 7, 9, 13. LessOrEqual, GreaterOrEqual: 12, 16.
Result<Outputs> Less(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(
      Array y, Binary(ctx, ElemType::kBool, [](double a, double b) { return a < b ? 1.0 : 0.0; }));
  return Outputs{std::move(y)};
}

Result<Outputs> Greater(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(
      Array y, Binary(ctx, ElemType::kBool, [](double a, double b) { return a > b ? 1.0 : 0.0; }));
  return Outputs{std::move(y)};
}

Result<Outputs> LessOrEqual(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(
      Array y, Binary(ctx, ElemType::kBool, [](double a, double b) { return a <= b ? 1.0 : 0.0; }));
  return Outputs{std::move(y)};
}

Result<Outputs> GreaterOrEqual(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(
      Array y, Binary(ctx, ElemType::kBool, [](double a, double b) { return a >= b ? 1.0 : 0.0; }));
  return Outputs{std::move(y)};
}

// Folds every input with `fn` over their common broadcast shape (Max, Min, Sum, Mean: 1 and 6
// need equal shapes, 8 and later broadcast — broadcasting equal shapes changes nothing).
Result<Array> Fold(const OpContext& ctx, BinaryFunction fn) {
  Shape shape = ctx.input(0).shape;
  for (size_t input_idx = 1; input_idx < ctx.input_count(); ++input_idx) {
    ZC_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, ctx.input(input_idx).shape));
  }
  Array out = Take(ctx.input(0), BroadcastIndex(ctx.input(0).shape, shape), shape);
  for (size_t input_idx = 1; input_idx < ctx.input_count(); ++input_idx) {
    const Array& input = ctx.input(input_idx);
    const std::vector<int64_t> index = BroadcastIndex(input.shape, shape);
    for (size_t idx = 0; idx < out.values.size(); ++idx)
      out.values[idx] = fn(out.values[idx], input.values[index[idx]]);
  }
  return out;
}

// Max, Min: 1, 6, 8, 12, 13. A NaN operand gives NaN (as numpy.maximum does).
Result<Outputs> Max(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Fold(ctx, [](double a, double b) {
                        return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
                      }));
  return Outputs{std::move(y)};
}

Result<Outputs> Min(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Fold(ctx, [](double a, double b) {
                        return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
                      }));
  return Outputs{std::move(y)};
}

// Sum, Mean: 1, 6, 8, 13.
Result<Outputs> Sum(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Fold(ctx, [](double a, double b) { return a + b; }));
  return Outputs{std::move(y)};
}

Result<Outputs> Mean(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, Fold(ctx, [](double a, double b) { return a + b; }));
  for (double& value : y.values) value /= static_cast<double>(ctx.input_count());
  return Outputs{std::move(y)};
}

// Where-9, 16: condition ? X : Y, all three broadcast together (strings too).
Result<Outputs> Where(const OpContext& ctx) {
  const Array& condition = ctx.input(0);
  const Array& x = ctx.input(1);
  const Array& y = ctx.input(2);
  ZC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(condition.shape, x.shape));
  ZC_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, y.shape));
  const std::vector<int64_t> c_index = BroadcastIndex(condition.shape, shape);
  const std::vector<int64_t> x_index = BroadcastIndex(x.shape, shape);
  const std::vector<int64_t> y_index = BroadcastIndex(y.shape, shape);
  Array out = MakeArray(x.type, shape);
  for (size_t idx = 0; idx < c_index.size(); ++idx) {
    const bool pick_x = condition.values[c_index[idx]] != 0;
    if (x.is_string()) {
      out.strings[idx] = pick_x ? x.strings[x_index[idx]] : y.strings[y_index[idx]];
    } else {
      out.values[idx] = pick_x ? x.values[x_index[idx]] : y.values[y_index[idx]];
    }
  }
  return Outputs{std::move(out)};
}

}  // namespace

void RegisterElementwiseOps(OpTable& table) {
  table.Add("Add", {1, 6, 7, 13, 14}, Add, 2);
  table.Add("Sub", {1, 6, 7, 13, 14}, Sub, 2);
  table.Add("Mul", {1, 6, 7, 13, 14}, Mul, 2);
  table.Add("Div", {1, 6, 7, 13, 14}, Div, 2);
  table.Add("Pow", {1, 7, 12, 13, 15}, Pow, 2);
  table.Add("Mod", {10, 13}, Mod, 2);
  table.Add("BitShift", {11}, BitShift, 2);
  table.Add("And", {1, 7}, And, 2);
  table.Add("Or", {1, 7}, Or, 2);
  table.Add("Xor", {1, 7}, Xor, 2);
  table.Add("Equal", {1, 7, 11, 13}, Equal, 2);
  table.Add("Less", {1, 7, 9, 13}, Less, 2);
  table.Add("Greater", {1, 7, 9, 13}, Greater, 2);
  table.Add("LessOrEqual", {12, 16}, LessOrEqual, 2);
  table.Add("GreaterOrEqual", {12, 16}, GreaterOrEqual, 2);
  table.Add("Max", {1, 6, 8, 12, 13}, Max);
  table.Add("Min", {1, 6, 8, 12, 13}, Min);
  table.Add("Sum", {1, 6, 8, 13}, Sum);
  table.Add("Mean", {1, 6, 8, 13}, Mean);
  table.Add("Where", {9, 16}, Where, 3);
}

}  // namespace zooci::reference
