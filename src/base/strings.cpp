// String helpers, number parsing and formatting, the clock, process memory.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "base/base.h"

namespace zooci {

std::vector<std::string> SplitString(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string FormatDouble(double value, int significant) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", significant, value);
  return buffer;
}

std::string FormatNumber(double value, int decimals) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[400];  // DBL_MAX in fixed notation has 309 digits
  std::snprintf(buffer, sizeof buffer, "%.*f", std::clamp(decimals, 0, 17), value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::string Plural(size_t count, std::string_view singular, std::string_view plural) {
  std::string noun(count == 1 ? singular : plural.empty() ? singular : plural);
  if (count != 1 && plural.empty()) noun += "s";
  return std::to_string(count) + " " + noun;
}

std::string FormatDurationNs(int64_t ns) {
  double value = static_cast<double>(ns);
  // Thresholds at 999.5 of the smaller unit: 3 significant digits would round it to "1e+03".
  if (value >= 999.5e6) {
    double seconds = value / 1e9;
    return (seconds >= 999.5 ? FormatDouble(std::round(seconds), 20) : FormatDouble(seconds, 3)) +
           " s";
  }
  if (value >= 999.5e3) return FormatDouble(value / 1e6, 3) + " ms";
  return FormatDouble(value / 1e3, 3) + " us";
}

std::string JoinStrings(const std::vector<std::string>& parts, std::string_view separator) {
  std::string joined;
  for (size_t part_idx = 0; part_idx < parts.size(); ++part_idx) {
    if (part_idx > 0) joined += separator;
    joined += parts[part_idx];
  }
  return joined;
}

Result<double> ParseDouble(std::string_view text, std::string_view what) {
  std::string_view trimmed = Trim(text);
  double value = 0;
  auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (trimmed.empty() || ec != std::errc() || end != trimmed.data() + trimmed.size() ||
      !std::isfinite(value)) {
    return Error(std::string(what) + ": '" + std::string(text) + "' is not a finite number");
  }
  return value;
}

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  std::string_view trimmed = Trim(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (trimmed.empty() || ec != std::errc() || end != trimmed.data() + trimmed.size()) {
    return Error(std::string(what) + ": '" + std::string(text) + "' is not an integer");
  }
  return value;
}

namespace {
class SteadyClock final : public Clock {
 public:
  int64_t NowNs() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

const Clock& SystemClock() {
  static const SteadyClock clock;
  return clock;
}

uint64_t PeakRssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (StartsWith(line, "VmHWM:")) {
      auto kib = ParseInt(Trim(std::string_view(line).substr(6, line.size() - 6 - 3)), "VmHWM");
      return kib.ok() ? static_cast<uint64_t>(*kib) * 1024 : 0;
    }
  }
  return 0;
}

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const char* entity = ch == '&'    ? "&amp;"
                         : ch == '<'  ? "&lt;"
                         : ch == '>'  ? "&gt;"
                         : ch == '"'  ? "&quot;"
                         : ch == '\'' ? "&apos;"
                                      : nullptr;
    if (entity != nullptr) {
      out += entity;
    } else if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') {
      out += ch;
    }
  }
  return out;
}

std::string PackInt64(const std::vector<int64_t>& values) {
  std::string bytes(values.size() * 8, '\0');
  for (size_t index = 0; index < values.size(); ++index) {
    uint64_t value = static_cast<uint64_t>(values[index]);
    for (int byte = 0; byte < 8; ++byte) {
      bytes[index * 8 + byte] = static_cast<char>((value >> (8 * byte)) & 0xff);
    }
  }
  return bytes;
}

Result<std::vector<int64_t>> UnpackInt64(std::string_view bytes) {
  if (bytes.size() % 8 != 0) {
    return Error("int64 blob of " + std::to_string(bytes.size()) + " bytes (not a multiple of 8)");
  }
  std::vector<int64_t> values(bytes.size() / 8);
  for (size_t index = 0; index < values.size(); ++index) {
    uint64_t value = 0;
    for (int byte = 0; byte < 8; ++byte) {
      value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[index * 8 + byte]))
               << (8 * byte);
    }
    values[index] = static_cast<int64_t>(value);
  }
  return values;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string LowerHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

}  // namespace zooci
