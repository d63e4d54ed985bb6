// Quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, and the integer and
// quantized forms of MatMul and Conv (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv).
#include <cmath>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

// The range of an 8-bit quantized type.
double Saturate(ElemType type, double value) {
  const double low = type == ElemType::kInt8 ? -128.0 : 0.0;
  const double high = type == ElemType::kInt8 ? 127.0 : 255.0;
  return std::min(high, std::max(low, value));
}

// A per-tensor or per-axis parameter (scale or zero point) for element `flat` of `shape`.
double PerAxis(const Array& parameter, const Shape& shape, int64_t axis, int64_t flat) {
  if (parameter.size() == 1 || shape.empty()) return parameter.values[0];
  const int64_t inner = ShapeSize(Shape(shape.begin() + axis + 1, shape.end()));
  return parameter.values[flat / inner % shape[axis]];
}

// The axis of per-axis scales (13: the `axis` attribute, default 1); unused for a scalar scale.
// A 1-D scale has one element per index of that axis.
Result<int64_t> QuantizationAxis(const OpContext& ctx, const Array& x, const Array& scale) {
  if (scale.size() == 1 && scale.rank() <= 1) return int64_t{0};
  ZC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.Int("axis", 1), x.rank()));
  if (scale.rank() != 1 || scale.size() != x.shape[axis])
    return Error("scale " + Describe(scale) + " does not match axis " + std::to_string(axis) +
                 " of " + Describe(x));
  return axis;
}

// QuantizeLinear-10, 13 (per-axis scales along `axis`, default 1): saturate(round(x / scale) +
// zero_point), rounding halves to even; the type is the zero point's (default uint8). The
// quotient is a value of the scale's type (float32): rounding it to an integer is discontinuous,
// so it is rounded to that type first, as the definition's arithmetic does.
Result<Outputs> QuantizeLinear(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& scale = ctx.input(1);
  const Array zero_point = ctx.has_input(2) ? ctx.input(2) : Scalar(ElemType::kUint8, 0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, QuantizationAxis(ctx, x, scale));
  Array y = MakeArray(zero_point.type, x.shape);
  for (int64_t flat = 0; flat < x.size(); ++flat) {
    const double q = std::nearbyint(
        RoundToType(scale.type, x.values[flat] / PerAxis(scale, x.shape, axis, flat)));
    y.values[flat] = Saturate(y.type, q + PerAxis(zero_point, x.shape, axis, flat));
  }
  return Outputs{std::move(y)};
}

// DequantizeLinear-10, 13 (per-axis): (x - zero_point) * scale, as float.
Result<Outputs> DequantizeLinear(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  const Array& scale = ctx.input(1);
  const Array zero_point = ctx.has_input(2) ? ctx.input(2) : Scalar(x.type, 0);
  ZC_ASSIGN_OR_RETURN(int64_t axis, QuantizationAxis(ctx, x, scale));
  Array y = MakeArray(scale.type, x.shape);
  for (int64_t flat = 0; flat < x.size(); ++flat)
    y.values[flat] = (x.values[flat] - PerAxis(zero_point, x.shape, axis, flat)) *
                     PerAxis(scale, x.shape, axis, flat);
  return Outputs{std::move(y)};
}

// DynamicQuantizeLinear-11: uint8 quantization over [min(0, x), max(0, x)]: scale = range / 255,
// zero_point = saturate(round(-min / scale)); outputs y, scale, zero_point.
Result<Outputs> DynamicQuantizeLinear(const OpContext& ctx) {
  const Array& x = ctx.input(0);
  double low = 0.0, high = 0.0;
  for (double value : x.values) {
    low = std::min(low, value);
    high = std::max(high, value);
  }
  // The scale is a float32 value; quantizing divides by that value.
  const double scale = RoundToType(ElemType::kFloat, (high - low) / 255.0);
  const double zero_point =
      scale == 0 ? 0.0 : Saturate(ElemType::kUint8, std::nearbyint(-low / scale));
  Array y = MakeArray(ElemType::kUint8, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx)
    y.values[idx] =
        scale == 0 ? zero_point
                   : Saturate(ElemType::kUint8,
                              std::nearbyint(RoundToType(ElemType::kFloat, x.values[idx] / scale)) +
                                  zero_point);
  return Outputs{std::move(y), Scalar(ElemType::kFloat, scale),
                 Scalar(ElemType::kUint8, zero_point)};
}

// x - zero_point, with a per-tensor zero point or one per row (`axis` of x, for A's rows and for
// W's output channels) or per column (the last axis, for B).
Array Shifted(const Array& x, const OpContext& ctx, size_t zero_point_input, int64_t axis) {
  Array shifted = x;
  shifted.type = ElemType::kDouble;
  if (!ctx.has_input(zero_point_input)) return shifted;
  const Array& zero_point = ctx.input(zero_point_input);
  for (int64_t flat = 0; flat < x.size(); ++flat)
    shifted.values[flat] -= PerAxis(zero_point, x.shape, axis < 0 ? x.rank() + axis : axis, flat);
  return shifted;
}

// MatMulInteger-10: (A - a_zero_point) x (B - b_zero_point) as int32; a_zero_point may be per
// row of A, b_zero_point per column of B.
Result<Outputs> MatMulInteger(const OpContext& ctx) {
  const Array a = Shifted(ctx.input(0), ctx, 2, -2);
  const Array b = Shifted(ctx.input(1), ctx, 3, -1);
  ZC_ASSIGN_OR_RETURN(Array y, MatMulArrays(a, b, ElemType::kInt32));
  return Outputs{std::move(y)};
}

// QLinearMatMul-10: inputs a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
// y_zero_point: saturate(round((a - azp) x (b - bzp) * a_scale * b_scale / y_scale) + yzp).
Result<Outputs> QLinearMatMul(const OpContext& ctx) {
  const Array a = Shifted(ctx.input(0), ctx, 2, -2);
  const Array b = Shifted(ctx.input(3), ctx, 5, -1);
  ZC_ASSIGN_OR_RETURN(Array product, MatMulArrays(a, b, ElemType::kDouble));
  const double scale =
      ctx.input(1).values.at(0) * ctx.input(4).values.at(0) / ctx.input(6).values.at(0);
  const Array& y_zero_point = ctx.input(7);
  Array y = MakeArray(y_zero_point.type, product.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx)
    y.values[idx] =
        Saturate(y.type, std::nearbyint(product.values[idx] * scale) + y_zero_point.values.at(0));
  return Outputs{std::move(y)};
}

// ConvInteger-10: Conv of (x - x_zero_point) and (w - w_zero_point) as int32; w_zero_point may
// be per output channel.
Result<Outputs> ConvInteger(const OpContext& ctx) {
  const Array x = Shifted(ctx.input(0), ctx, 2, 0);
  const Array w = Shifted(ctx.input(1), ctx, 3, 0);
  ZC_ASSIGN_OR_RETURN(Array y, Convolve(ctx, x, w, nullptr, ElemType::kInt32));
  return Outputs{std::move(y)};
}

// QLinearConv-10: inputs x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point, B (int32): saturate(round((conv(x - xzp, w - wzp) + B) * x_scale * w_scale /
// y_scale) + yzp); w_scale and w_zero_point may be per output channel.
Result<Outputs> QLinearConv(const OpContext& ctx) {
  const Array x = Shifted(ctx.input(0), ctx, 2, 0);
  const Array w = Shifted(ctx.input(3), ctx, 5, 0);
  const Array* bias = ctx.has_input(8) ? &ctx.input(8) : nullptr;
  ZC_ASSIGN_OR_RETURN(Array sum, Convolve(ctx, x, w, bias, ElemType::kDouble));
  const Array& w_scale = ctx.input(4);
  const Array& y_zero_point = ctx.input(7);
  const double x_scale = ctx.input(1).values.at(0), y_scale = ctx.input(6).values.at(0);
  Array y = MakeArray(y_zero_point.type, sum.shape);
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    const double scale = x_scale * PerAxis(w_scale, sum.shape, 1, flat) / y_scale;
    y.values[flat] =
        Saturate(y.type, std::nearbyint(sum.values[flat] * scale) + y_zero_point.values.at(0));
  }
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterQuantizationOps(OpTable& table) {
  table.Add("QuantizeLinear", {10, 13}, QuantizeLinear, 2);
  table.Add("DequantizeLinear", {10, 13}, DequantizeLinear, 2);
  table.Add("DynamicQuantizeLinear", {11}, DynamicQuantizeLinear);
  table.Add("MatMulInteger", {10}, MatMulInteger, 2);
  table.Add("QLinearMatMul", {10}, QLinearMatMul, 8);
  table.Add("ConvInteger", {10}, ConvInteger, 2);
  table.Add("QLinearConv", {10}, QLinearConv, 8);
}

}  // namespace zooci::reference
