// compare: decides whether a runtime's output matches the expected reference value, and says
// precisely how it differs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "onnx/onnx_io.h"

namespace zooci {

// An element passes when |expected - actual| <= atol + rtol * |expected|.
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-5;
};

// Global tolerance plus per-output overrides (keyed by output name).
struct ToleranceConfig {
  Tolerance global;
  std::map<std::string, Tolerance> per_output;
  const Tolerance& For(const std::string& output_name) const;
};

// Parses "NAME=RTOL,ATOL" (the --tolerance flag).
Result<std::pair<std::string, Tolerance>> ParseToleranceOverride(std::string_view text);

struct Mismatch {
  std::vector<int64_t> index;  // multi-dimensional index of the element (empty for a scalar)
  int64_t flat_index = 0;
  std::string path;      // position inside sequences/optionals, e.g. "[2]"; empty at top level
  std::string expected;  // formatted element
  std::string actual;
};

// The comparison of one output.
struct OutputComparison {
  std::string name;
  bool passed = false;
  // Structural failures; empty when the structure matched and only values were compared.
  std::string structure_error;  // e.g. "dtype: expected float, got double"
  std::string expected_type;    // Value::Describe() of expected
  std::string actual_type;
  int64_t elements = 0;      // elements compared
  int64_t mismatches = 0;    // elements outside tolerance (or unequal, for exact types)
  double max_abs_error = 0;  // over all compared floating-point elements (NaN pairs excluded)
  double max_rel_error = 0;  // |e-a|/|e| over elements with e != 0
  std::optional<Mismatch> first_mismatch;
  Tolerance tolerance;  // what was applied

  // One line for people: "output 'y': 3 of 1000 elements differ (max abs 0.02, max rel 0.5);
  // first at [0,17]: expected 1.5, got 1.52".
  std::string Summary() const;
};

// Compares `actual` with `expected`. Kinds, element types and shapes must match exactly;
// floating-point elements (float, double, float16, bfloat16, complex parts) within tolerance,
// NaN matches NaN and an infinity matches the infinity of the same sign; integers, bools and
// strings exactly. Sequences compare length then each element; optionals presence then value.
OutputComparison CompareValues(const std::string& name, const Value& expected, const Value& actual,
                               const Tolerance& tolerance);

}  // namespace zooci
