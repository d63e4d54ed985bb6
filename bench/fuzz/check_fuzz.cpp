// libFuzzer target for the compliance checker (bench/fuzz_check.sh, `make fuzz`): any bytes go
// through CheckModelBytes and then through all three report writers. The checker's contract
// (src/check/check.h) is that this never crashes, hangs, leaks or allocates in proportion to a
// size the input merely declares; ASan/UBSan and libFuzzer's -timeout/-rss_limit_mb enforce it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../check_tiny_model.h"
#include "check/check.h"

namespace {

zooci::CheckOptions FuzzOptions() {
  zooci::CheckOptions options;        // defaults (profile, depth limits) ...
  options.max_file_bytes = 1u << 20;  // ... except the file size cap: 1 MiB
  return options;
}

void CheckAndFormat(std::string_view bytes, const zooci::CheckOptions& options) {
  std::vector<zooci::ModelReport> reports;
  reports.push_back(zooci::CheckModelBytes(bytes, "", options, "fuzz.onnx"));
  size_t total = zooci::FormatCheckText(reports).size();
  total += zooci::FormatCheckJson(reports).size();
  total += zooci::FormatCheckSarif(reports, "fuzz").size();
  total += static_cast<size_t>(reports.front().Counts().errors);
  total += zooci::ReachesSeverity(reports, zooci::Severity::kError) ? 1 : 0;
  volatile size_t sink = total;  // keep the writers' work observable
  (void)sink;
}

}  // namespace

// Warm-up: the first check initialises libonnx's op-schema registry (static, lives until exit), so
// it is paid here once instead of inside the first input's timeout.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  CheckAndFormat(zooci::bench::TinyModel(), FuzzOptions());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const zooci::CheckOptions options = FuzzOptions();
  CheckAndFormat(std::string_view(reinterpret_cast<const char*>(data), size), options);
  return 0;
}
