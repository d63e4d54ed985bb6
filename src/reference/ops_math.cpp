// Elementwise functions of one input (Abs, Sqrt, Sin, Erf, IsNaN, ...) and the casts.
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "reference/internal.h"

namespace zooci::reference {
namespace {

using UnaryFunction = double (*)(double);

Array Map(const Array& x, ElemType out_type, UnaryFunction fn) {
  Array y = MakeArray(out_type, x.shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) y.values[idx] = fn(x.values[idx]);
  return y;
}

// One function per operator, each mapping x to y of the same type. Versions (ONNX 1.12):
// Abs, Neg, Sqrt, Exp, Log, Reciprocal, Floor, Ceil: 1, 6, 13; Sign-9, 13; Erf-9, 13; Round-11;
// Sin, Cos, Tan, Asin, Acos, Atan: 7; Sinh, Cosh, Asinh, Acosh, Atanh: 9.
template <UnaryFunction fn>
Result<Outputs> SameType(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), ctx.input(0).type, fn)};
}

double Negate(double x) {
  return -x;
}
double Reciprocal(double x) {
  return 1.0 / x;
}
double Sign(double x) {
  return std::isnan(x) ? x : (x > 0) - (x < 0);
}
// Round-11: halves to even, as numpy.round and the default floating-point mode do.
double RoundHalfEven(double x) {
  return std::nearbyint(x);
}
double Abs(double x) {
  return std::fabs(x);
}
double Sqrt(double x) {
  return std::sqrt(x);
}
double Exp(double x) {
  return std::exp(x);
}
double Log(double x) {
  return std::log(x);
}
double Floor(double x) {
  return std::floor(x);
}
double Ceil(double x) {
  return std::ceil(x);
}
double Sin(double x) {
  return std::sin(x);
}
double Cos(double x) {
  return std::cos(x);
}
double Tan(double x) {
  return std::tan(x);
}
double Asin(double x) {
  return std::asin(x);
}
double Acos(double x) {
  return std::acos(x);
}
double Atan(double x) {
  return std::atan(x);
}
double Sinh(double x) {
  return std::sinh(x);
}
double Cosh(double x) {
  return std::cosh(x);
}
double Asinh(double x) {
  return std::asinh(x);
}
double Acosh(double x) {
  return std::acosh(x);
}
double Atanh(double x) {
  return std::atanh(x);
}
double Erf(double x) {
  return std::erf(x);
}

// Not-1: logical negation of booleans.
Result<Outputs> Not(const OpContext& ctx) {
  return Outputs{Map(ctx.input(0), ElemType::kBool, [](double x) { return x == 0 ? 1.0 : 0.0; })};
}

// IsNaN-9, 13.
Result<Outputs> IsNaN(const OpContext& ctx) {
  return Outputs{
      Map(ctx.input(0), ElemType::kBool, [](double x) { return std::isnan(x) ? 1.0 : 0.0; })};
}

// IsInf-10: detect_positive / detect_negative (both 1 by default) choose which infinities count.
Result<Outputs> IsInf(const OpContext& ctx) {
  const bool positive = ctx.Int("detect_positive", 1) != 0;
  const bool negative = ctx.Int("detect_negative", 1) != 0;
  Array y = MakeArray(ElemType::kBool, ctx.input(0).shape);
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    const double x = ctx.input(0).values[idx];
    y.values[idx] = std::isinf(x) && ((x > 0 && positive) || (x < 0 && negative)) ? 1.0 : 0.0;
  }
  return Outputs{std::move(y)};
}

// A number as Cast writes it into a string: the shortest text that reads back as the same value
// of the source type ("0.039187793" for a float32), "NaN", "INF", "-INF".
std::string FormatForCast(double value, ElemType from) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "INF" : "-INF";
  char text[64];
  std::to_chars_result written;
  if (from == ElemType::kDouble) {
    written = std::to_chars(text, text + sizeof(text), value);
  } else if (IsFloatingPoint(from)) {
    written = std::to_chars(text, text + sizeof(text), static_cast<float>(value));
  } else {
    written = std::to_chars(text, text + sizeof(text), ToInt(value));
  }
  return std::string(text, written.ptr);
}

// Cast-1 (`to` a string name in opset 1 is not supported), 6, 9 (strings), 13 (bfloat16):
// numbers convert as C conversions do (the interpreter rounds to `to`); strings are parsed as
// numbers, accepting "NaN", "INF", "+INF", "-INF" in any case.
Result<Array> CastTo(const Array& x, ElemType to) {
  Array y = MakeArray(to, x.shape);
  if (to == ElemType::kString) {
    for (size_t idx = 0; idx < y.strings.size(); ++idx)
      y.strings[idx] = x.is_string() ? x.strings[idx] : FormatForCast(x.values[idx], x.type);
    return y;
  }
  for (size_t idx = 0; idx < y.values.size(); ++idx) {
    if (!x.is_string()) {
      const double value = x.values[idx];
      y.values[idx] = IsFloatingPoint(to) || to == ElemType::kBool ? value : std::trunc(value);
      continue;
    }
    const std::string& text = x.strings[idx];
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      return Error("cannot cast string '" + text + "' to " + ElemTypeName(to));
    y.values[idx] = value;
  }
  return y;
}

Result<Outputs> Cast(const OpContext& ctx) {
  const auto to = static_cast<ElemType>(ctx.Int("to", 0));
  if (!IsKnownElemType(to) || to == ElemType::kComplex64 || to == ElemType::kComplex128)
    return Error("cast to " + ElemTypeName(to) + " not supported");
  ZC_ASSIGN_OR_RETURN(Array y, CastTo(ctx.input(0), to));
  return Outputs{std::move(y)};
}

// CastLike-15: Cast to the element type of the second input.
Result<Outputs> CastLike(const OpContext& ctx) {
  ZC_ASSIGN_OR_RETURN(Array y, CastTo(ctx.input(0), ctx.input(1).type));
  return Outputs{std::move(y)};
}

}  // namespace

void RegisterMathOps(OpTable& table) {
  table.Add("Abs", {1, 6, 13}, SameType<Abs>);
  table.Add("Neg", {1, 6, 13}, SameType<Negate>);
  table.Add("Sqrt", {1, 6, 13}, SameType<Sqrt>);
  table.Add("Exp", {1, 6, 13}, SameType<Exp>);
  table.Add("Log", {1, 6, 13}, SameType<Log>);
  table.Add("Reciprocal", {1, 6, 13}, SameType<Reciprocal>);
  table.Add("Floor", {1, 6, 13}, SameType<Floor>);
  table.Add("Ceil", {1, 6, 13}, SameType<Ceil>);
  table.Add("Round", {11}, SameType<RoundHalfEven>);
  table.Add("Sign", {9, 13}, SameType<Sign>);
  table.Add("Sin", {7}, SameType<Sin>);
  table.Add("Cos", {7}, SameType<Cos>);
  table.Add("Tan", {7}, SameType<Tan>);
  table.Add("Asin", {7}, SameType<Asin>);
  table.Add("Acos", {7}, SameType<Acos>);
  table.Add("Atan", {7}, SameType<Atan>);
  table.Add("Sinh", {9}, SameType<Sinh>);
  table.Add("Cosh", {9}, SameType<Cosh>);
  table.Add("Asinh", {9}, SameType<Asinh>);
  table.Add("Acosh", {9}, SameType<Acosh>);
  table.Add("Atanh", {9}, SameType<Atanh>);
  table.Add("Erf", {9, 13}, SameType<Erf>);
  table.Add("Not", {1}, Not);
  table.Add("IsNaN", {9, 13}, IsNaN);
  table.Add("IsInf", {10}, IsInf);
  table.Add("Cast", {6, 9, 13}, Cast);
  table.Add("CastLike", {15}, CastLike, 2);
}

}  // namespace zooci::reference
