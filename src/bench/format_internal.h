// Number formatting shared by the bench module's text and SVG writers (not part of bench.h).
#pragma once

#include <string>

namespace zooci::bench_internal {

// `value` with exactly `decimals` digits after the point. Locale-independent (to_chars).
std::string FormatFixed(double value, int decimals);

// `value` rounded to `digits` significant digits without trailing zeros: fixed notation for
// magnitudes in [1e-4, 1e15) (so 12345.6 prints as "12346", not "1.235e+04"), scientific
// outside. Locale-independent.
std::string FormatSignificant(double value, int digits);

}  // namespace zooci::bench_internal
