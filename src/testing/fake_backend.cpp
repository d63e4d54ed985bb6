// FakeBackend: a scriptable Backend for sandbox and runner tests.
#include <signal.h>
#include <unistd.h>

#include <new>
#include <thread>

#include "testing/testing.h"

namespace zooci::testing {
namespace {

class EchoSession final : public Session {
 public:
  const std::vector<ValueInfo>& inputs() const override { return infos_; }
  const std::vector<ValueInfo>& outputs() const override { return infos_; }
  Result<std::vector<Value>> Run(const std::vector<Value>& inputs) override {
    std::vector<Value> outputs = inputs;
    for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
      outputs[output_idx].name = "y" + std::to_string(output_idx);
    }
    return outputs;
  }

 private:
  std::vector<ValueInfo> infos_;
};

class FakeBackend final : public Backend {
 public:
  std::string name() const override { return "fake"; }
  std::string version() const override { return "0"; }
  SessionDescription DescribeSession(const SessionConfig&) const override {
    return {"fake device", "echo"};
  }
  Result<std::unique_ptr<Session>> Load(const fs::path& model_path, const SessionConfig&) override {
    std::string name = model_path.filename().string();
    if (StartsWith(name, "crash")) raise(SIGSEGV);
    if (StartsWith(name, "hang")) {
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (StartsWith(name, "oom")) throw std::bad_alloc();
    if (StartsWith(name, "fail")) return Error("fake load failure for " + name);
    return std::unique_ptr<Session>(new EchoSession());
  }
};

}  // namespace

std::unique_ptr<Backend> MakeFakeBackend() {
  return std::make_unique<FakeBackend>();
}

}  // namespace zooci::testing
