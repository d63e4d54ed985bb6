// The peer for bench/bench_harness.sh: the least code that still "benchmarks a model" with ONNX
// Runtime. One process, no sandbox, no protocol: create a session with the options `zooci bench`
// uses, convert test_data_set_0's inputs to Ort::Values once, warm up, then time each
// Ort::Session::Run with steady_clock until both minimums are met.
//
//   bench_minimal_bench_loop MODEL DATA_DIR|- THREADS WARMUP MIN_MS MIN_QUERIES
//
// DATA_DIR holds input_0.pb, input_1.pb, ... bound to the model's inputs in order; "-" means
// MODEL's directory/test_data_set_0. Prints one JSON object:
//   {"p50_ms", "mean_ms", "queries", "wall_s", "per_query_wall_us"}
// p50 is interpolated as zooci does (sorted, h = (n-1)*0.5).
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "onnx/onnx_io.h"

namespace {

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Usage() {
  std::fprintf(stderr,
               "usage: bench_minimal_bench_loop MODEL DATA_DIR|- THREADS WARMUP MIN_MS "
               "MIN_QUERIES\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) return Usage();
  const zooci::fs::path model = argv[1];
  zooci::fs::path data_dir = argv[2];
  if (data_dir == "-") data_dir = model.parent_path() / "test_data_set_0";
  const int threads = std::atoi(argv[3]);
  const int warmup = std::atoi(argv[4]);
  const int64_t min_ms = std::atoll(argv[5]);
  const int64_t min_queries = std::atoll(argv[6]);

  try {
    // ONNX Runtime's telemetry off before the first OrtEnv, as zooci-worker does (docs/design.md).
    setenv("ORT_DISABLE_TELEMETRY", "1", 1);
    Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "bench");
    env.DisableTelemetryEvents();
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(threads);
    options.SetInterOpNumThreads(0);
    options.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
    Ort::Session session(env, model.c_str(), options);

    Ort::AllocatorWithDefaultOptions allocator;
    std::vector<std::string> input_names, output_names;
    for (size_t i = 0; i < session.GetInputCount(); ++i)
      input_names.push_back(session.GetInputNameAllocated(i, allocator).get());
    for (size_t i = 0; i < session.GetOutputCount(); ++i)
      output_names.push_back(session.GetOutputNameAllocated(i, allocator).get());

    std::vector<Ort::Value> values;
    std::vector<const char*> input_ptrs, output_ptrs;
    for (size_t k = 0; k < input_names.size(); ++k) {
      zooci::fs::path file = data_dir / ("input_" + std::to_string(k) + ".pb");
      if (!zooci::fs::exists(file)) break;
      auto value = zooci::ReadValueFile(file, zooci::ValueKind::kTensor);
      if (!value.ok()) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(), value.error().message().c_str());
        return 1;
      }
      const zooci::Tensor& t = value->tensor;
      if (t.elem_type == zooci::ElemType::kString) {
        std::fprintf(stderr, "%s: string inputs are not supported here\n", file.c_str());
        return 1;
      }
      Ort::Value ort =
          Ort::Value::CreateTensor(allocator, t.shape.data(), t.shape.size(),
                                   static_cast<ONNXTensorElementDataType>(t.elem_type));
      if (!t.data.empty()) std::memcpy(ort.GetTensorMutableRawData(), t.data.data(), t.data.size());
      values.push_back(std::move(ort));
      input_ptrs.push_back(input_names[k].c_str());
    }
    for (const std::string& name : output_names) output_ptrs.push_back(name.c_str());

    auto run = [&] {
      // Outputs are dropped, as zooci's OrtPreparedRun drops them.
      session.Run(Ort::RunOptions{nullptr}, input_ptrs.data(), values.data(), values.size(),
                  output_ptrs.data(), output_ptrs.size());
    };
    for (int i = 0; i < warmup; ++i) run();

    std::vector<int64_t> latencies;
    latencies.reserve(1024);
    const int64_t start_ns = SteadyNs();
    const int64_t min_end_ns = start_ns + min_ms * 1000000;
    for (;;) {
      int64_t begin_ns = SteadyNs();
      run();
      int64_t end_ns = SteadyNs();
      latencies.push_back(end_ns - begin_ns);
      if (end_ns >= min_end_ns && static_cast<int64_t>(latencies.size()) >= min_queries) break;
    }
    const int64_t wall_ns = SteadyNs() - start_ns;

    std::sort(latencies.begin(), latencies.end());
    const size_t n = latencies.size();
    const double h = (n - 1) * 0.5;
    const size_t lo = static_cast<size_t>(h);
    const size_t hi = std::min(lo + 1, n - 1);
    const double p50_ns = latencies[lo] + (h - lo) * double(latencies[hi] - latencies[lo]);
    double sum_ns = 0;
    for (int64_t ns : latencies) sum_ns += static_cast<double>(ns);
    std::printf(
        "{\"p50_ms\": %.9g, \"mean_ms\": %.9g, \"queries\": %zu, \"wall_s\": %.9g, "
        "\"per_query_wall_us\": %.9g}\n",
        p50_ns / 1e6, sum_ns / n / 1e6, n, wall_ns / 1e9, wall_ns / 1e3 / n);
    return 0;
  } catch (const Ort::Exception& e) {
    std::fprintf(stderr, "onnxruntime: %s\n", e.what());
    return 1;
  }
}
