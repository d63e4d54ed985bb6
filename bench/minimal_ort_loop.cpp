// The peer for bench/test_corpus.sh: the least work that still "runs the corpus". One process,
// for each case directory: create an ONNX Runtime session, then run every test_data_set once.
// No sandbox, no comparison, no report. Prints the number of cases and runs.
#include <onnxruntime_cxx_api.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "onnx/onnx_io.h"

namespace {

using zooci::fs::path;

// Runs one case; returns the number of data sets run, or -1 when the case could not run.
int RunCase(Ort::Env& env, const path& dir) {
  auto data_sets = zooci::FindDataSets(dir);
  if (!data_sets.ok()) return -1;
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(1);
  Ort::Session session(env, (dir / "model.onnx").c_str(), options);
  Ort::AllocatorWithDefaultOptions allocator;
  std::vector<std::string> input_names, output_names;
  for (size_t i = 0; i < session.GetInputCount(); ++i)
    input_names.push_back(session.GetInputNameAllocated(i, allocator).get());
  for (size_t i = 0; i < session.GetOutputCount(); ++i)
    output_names.push_back(session.GetOutputNameAllocated(i, allocator).get());
  std::vector<const char*> output_ptrs;
  for (auto& name : output_names) output_ptrs.push_back(name.c_str());
  int runs = 0;
  for (const auto& data_set : *data_sets) {
    std::vector<Ort::Value> values;
    std::vector<const char*> names;
    for (size_t k = 0; k < data_set.inputs.size() && k < input_names.size(); ++k) {
      auto value = zooci::ReadValueFile(data_set.inputs[k], zooci::ValueKind::kTensor);
      if (!value.ok() || value->tensor.elem_type == zooci::ElemType::kString) return -1;
      const zooci::Tensor& t = value->tensor;
      Ort::Value ort =
          Ort::Value::CreateTensor(allocator, t.shape.data(), t.shape.size(),
                                   static_cast<ONNXTensorElementDataType>(t.elem_type));
      if (!t.data.empty()) std::memcpy(ort.GetTensorMutableRawData(), t.data.data(), t.data.size());
      values.push_back(std::move(ort));
      names.push_back(input_names[k].c_str());
    }
    session.Run(Ort::RunOptions{nullptr}, names.data(), values.data(), values.size(),
                output_ptrs.data(), output_ptrs.size());
    ++runs;
  }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  // ONNX Runtime's telemetry off before the first OrtEnv, as zooci-worker does (docs/design.md).
  setenv("ORT_DISABLE_TELEMETRY", "1", 1);
  Ort::Env env(ORT_LOGGING_LEVEL_FATAL, "bench");
  env.DisableTelemetryEvents();
  int cases = 0, runs = 0, skipped = 0;
  for (int arg = 1; arg < argc; ++arg) {
    std::vector<path> dirs;
    for (const auto& entry : std::filesystem::directory_iterator(argv[arg]))
      dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    for (const path& dir : dirs) {
      try {
        int done = RunCase(env, dir);
        if (done < 0) {
          ++skipped;
          continue;
        }
        ++cases;
        runs += done;
      } catch (const Ort::Exception&) {
        ++skipped;
      }
    }
  }
  std::printf("cases %d runs %d skipped %d\n", cases, runs, skipped);
  return 0;
}
