// Private to difftest: running one spec on the runtimes and judging the outputs.
#pragma once

#include <chrono>

#include "difftest/difftest.h"

namespace zooci::difftest_internal {

// The runtimes of a run: executors by name, and where model files are written for them.
class Runtimes {
 public:
  Runtimes(std::vector<std::string> names,
           std::map<std::string, std::unique_ptr<Executor>> executors, TempDir work_dir)
      : names_(std::move(names)),
        executors_(std::move(executors)),
        work_dir_(std::move(work_dir)) {}

  const std::vector<std::string>& names() const { return names_; }
  Executor& Get(const std::string& name) { return *executors_.at(name); }

  // Writes `bytes` as a fresh model file (one per call: workers cache sessions by path) and runs
  // `inputs` on `runtime`.
  RunOutcome Run(const std::string& runtime, const std::string& bytes,
                 const std::vector<Tensor>& inputs);

 private:
  std::vector<std::string> names_;
  std::map<std::string, std::unique_ptr<Executor>> executors_;
  TempDir work_dir_;
  int64_t model_counter_ = 0;
};

// The first error of the strict check of `bytes`, or "" when it passes.
std::string CheckError(const std::string& bytes, const std::string& display_name);

// How `outcome` compares with the oracle's outputs.
RuntimeResult Judge(const std::string& runtime, const RunOutcome& outcome,
                    const std::vector<Value>& expected);

// The oracle's outputs of a run, or the reason there are none.
Result<std::vector<Value>> OracleOutputs(const RunOutcome& outcome);

// Writes `spec` with the oracle's `outputs` as <dir>/model.onnx + test_data_set_0/.
Status WriteCase(const fs::path& dir, const std::string& model_bytes, const ModelSpec& spec,
                 const std::vector<Value>& outputs);

using SteadyClock = std::chrono::steady_clock;

}  // namespace zooci::difftest_internal
