// Shared test support: small ONNX models built in code, and the FakeBackend. Linked only into
// tests and the fake worker.
#pragma once

#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace zooci::testing {

// Serialized ModelProto: y = Identity(x) over a tensor of `elem_type` with a symbolic first dim.
std::string IdentityModel(ElemType elem_type = ElemType::kFloat, int64_t opset = 13);
// y = x + 1 (float). Used to produce outputs that differ from inputs.
std::string AddOneModel();
// y = <op_type>(x) over float [N, 3], no attributes ("Relu"; or an operator a runtime lacks).
std::string UnaryOpModel(const std::string& op_type, int64_t opset = 13);
// y = MatMul(x, w): x float [N, 3], w a float [3, 2] initializer holding `weights` row-major.
std::string MatMulModel(const std::vector<float>& weights);
// y = ConstantOfShape(shape), shape an int64[2] input: feeding [n, n] asks for n*n*4 bytes.
std::string MemoryBombModel();
// A Loop of `trip_count` iterations of a Sum over x: runs for a long time.
std::string SlowLoopModel(int64_t trip_count);

Tensor FloatTensor(const std::string& name, std::vector<int64_t> shape,
                   const std::vector<float>& values);
Tensor Int64Tensor(const std::string& name, std::vector<int64_t> shape,
                   const std::vector<int64_t>& values);
std::vector<float> FloatValues(const Tensor& tensor);

// A fresh temporary directory, removed when the pointer dies. Aborts (with the reason) when none
// can be created: no test can run meaningfully then.
std::unique_ptr<TempDir> ScratchDir(std::string_view prefix);
// Sandbox settings for the real zooci-worker of this build, logging into `log_dir`.
SandboxConfig RealWorkerConfig(const fs::path& log_dir, int64_t timeout_ms = 60000,
                               uint64_t memory_limit_bytes = 0);

// The project's shared reference material (real zoo READMEs and hub manifest): the first of
// $ZOOCI_REFERENCE_DIR, <source>/../shared/reference and /work/shared/reference that exists;
// empty when none does (tests that need it skip).
fs::path ReferenceDir();

// Writes `contents` to `path`, creating parent directories. Aborts the test on failure.
void WriteTestFile(const fs::path& path, std::string_view contents);
// Writes a model directory: model.onnx and test_data_set_0 with the given inputs and outputs.
void WriteCase(const fs::path& dir, const std::string& model, const std::vector<Value>& inputs,
               const std::vector<Value>& outputs);

// A Backend whose behaviour is chosen by the model file's name:
//   crash*.onnx  -> the process dies with SIGSEGV while loading
//   hang*.onnx   -> loading never returns
//   oom*.onnx    -> loading throws std::bad_alloc
//   fail*.onnx   -> loading returns an error
//   anything else -> a session echoing each input as output "y<k>"
std::unique_ptr<Backend> MakeFakeBackend();

}  // namespace zooci::testing
