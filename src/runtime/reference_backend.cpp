// ReferenceBackend: ZooCI's own reference interpreter (reference/reference.h) as a runtime.
//
// Every error reads "reference: ..."; an operator the interpreter lacks is refused when the
// session is created ("reference: operator Foo (opset 13) not implemented"). An allocation
// failure (a huge ConstantOfShape under the worker's memory limit) becomes kOutOfMemoryPrefix.
// SessionConfig does not apply: the interpreter has no threads and no optimisation levels.
#include <new>

#include "reference/reference.h"
#include "runtime/runtime.h"

#ifndef ZOOCI_VERSION
#error "ZOOCI_VERSION must be defined by the build"
#endif

namespace zooci {
namespace {

constexpr const char* kBackendName = "reference";

Error Refusal(const Error& error) {
  return Error(std::string(kBackendName) + ": " + error.message());
}

Error OutOfMemory(const char* what) {
  return Error(std::string(kOutOfMemoryPrefix) + kBackendName + ": " + what +
               ": allocation failed");
}

class ReferenceSession final : public Session {
 public:
  ReferenceSession(ModelInfo info, std::unique_ptr<ReferenceModel> model)
      : info_(std::move(info)), model_(std::move(model)) {}

  const std::vector<ValueInfo>& inputs() const override { return info_.inputs; }
  const std::vector<ValueInfo>& outputs() const override { return info_.outputs; }

  // Thread-safe: ReferenceModel::Run keeps no state between calls.
  Result<std::vector<Value>> Run(const std::vector<Value>& inputs) override {
    try {
      Result<std::vector<Value>> outputs = model_->Run(inputs);
      if (!outputs.ok()) return Refusal(outputs.error());
      return outputs;
    } catch (const std::bad_alloc&) {
      return OutOfMemory("run");
    } catch (const std::length_error&) {
      return OutOfMemory("run");
    }
  }

 private:
  ModelInfo info_;
  std::unique_ptr<ReferenceModel> model_;
};

class ReferenceBackend final : public Backend {
 public:
  std::string name() const override { return kBackendName; }
  // The interpreter is part of ZooCI: its version is ZooCI's.
  std::string version() const override { return ZOOCI_VERSION; }
  SessionDescription DescribeSession(const SessionConfig& /*config*/) const override {
    return {"interpreter", "one thread, no graph optimization (thread and optimization settings "
                           "do not apply)"};
  }

  Result<std::unique_ptr<Session>> Load(const fs::path& model_path,
                                        const SessionConfig& /*config*/) override {
    ZC_ASSIGN_OR_RETURN(ModelInfo info, ReadModelInfo(model_path));
    try {
      Result<std::unique_ptr<ReferenceModel>> model = LoadReferenceModel(model_path);
      if (!model.ok()) return Refusal(model.error());
      return std::unique_ptr<Session>(
          std::make_unique<ReferenceSession>(std::move(info), std::move(*model)));
    } catch (const std::bad_alloc&) {
      return OutOfMemory("load");
    } catch (const std::length_error&) {
      return OutOfMemory("load");
    }
  }
};

}  // namespace

std::unique_ptr<Backend> MakeReferenceBackend() {
  return std::make_unique<ReferenceBackend>();
}

}  // namespace zooci
