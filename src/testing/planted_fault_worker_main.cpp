// zooci-planted-fault-worker: a worker with one known bug, so tests can show that `zooci
// difftest` finds and minimises a real runtime fault (tests/cli/difftest_planted_fault.sh).
// Test-only: built with the tests, never installed, and nothing in production reads it.
//
//   --backend reference   the real reference interpreter (the oracle)
//   --backend ort         ONNX Runtime with a planted fault: every Softmax normalises over axis 0,
//                         whatever axis the model asks for. The model is rewritten before ONNX
//                         Runtime loads it; everything else is the real runtime. And a planted
//                         crash: a model with a Floor node (an operator the random graphs never
//                         use) kills the worker (SIGSEGV) as it loads.
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "runtime/runtime.h"

namespace zooci {
namespace {

class SoftmaxAxisZeroBackend final : public Backend {
 public:
  SoftmaxAxisZeroBackend(std::unique_ptr<Backend> ort, TempDir scratch)
      : ort_(std::move(ort)), scratch_(std::move(scratch)) {}

  std::string name() const override {
    return ort_->name() + " (planted fault: Softmax axis 0; planted crash: Floor)";
  }
  std::string version() const override { return ort_->version(); }
  SessionDescription DescribeSession(const SessionConfig& config) const override {
    return ort_->DescribeSession(config);
  }

  Result<std::unique_ptr<Session>> Load(const fs::path& model_path,
                                        const SessionConfig& config) override {
    ZC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(model_path));
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes))
      return Error("planted-fault: cannot parse " + model_path.string());
    for (onnx::NodeProto& node : *model.mutable_graph()->mutable_node()) {
      if (node.op_type() == "Floor") std::raise(SIGSEGV);
      if (node.op_type() != "Softmax") continue;
      auto* attributes = node.mutable_attribute();
      for (int attr_idx = attributes->size() - 1; attr_idx >= 0; --attr_idx) {
        if (attributes->Get(attr_idx).name() == "axis") attributes->DeleteSubrange(attr_idx, 1);
      }
      onnx::AttributeProto* axis = node.add_attribute();
      axis->set_name("axis");
      axis->set_type(onnx::AttributeProto::INT);
      axis->set_i(0);
    }
    fs::path rewritten = scratch_.path() / ("model" + std::to_string(counter_++) + ".onnx");
    std::string out;
    model.SerializeToString(&out);
    ZC_RETURN_IF_ERROR(WriteFileAtomic(rewritten, out));
    return ort_->Load(rewritten, config);
  }

 private:
  std::unique_ptr<Backend> ort_;
  TempDir scratch_;
  int64_t counter_ = 0;
};

}  // namespace
}  // namespace zooci

int main(int argc, char** argv) {
  std::string backend_name = "ort";
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string arg = argv[arg_idx];
    if (arg == "--backend" && arg_idx + 1 < argc) {
      backend_name = argv[++arg_idx];
    } else {
      std::fprintf(stderr, "zooci-planted-fault-worker: unexpected argument '%s'\n", arg.c_str());
      return 2;
    }
  }
  std::unique_ptr<zooci::Backend> backend;
  if (backend_name == "reference") {
    backend = zooci::MakeReferenceBackend();
  } else if (backend_name == "ort") {
    auto scratch = zooci::TempDir::Create("zooci-planted-fault");
    if (!scratch.ok()) {
      std::fprintf(stderr, "zooci-planted-fault-worker: %s\n", scratch.error().message().c_str());
      return 2;
    }
    backend = std::make_unique<zooci::SoftmaxAxisZeroBackend>(zooci::MakeOrtBackend(),
                                                              std::move(*scratch));
  } else {
    std::fprintf(stderr, "zooci-planted-fault-worker: backend '%s' not offered (ort, reference)\n",
                 backend_name.c_str());
    return 2;
  }
  return zooci::RunWorkerLoop(*backend, STDIN_FILENO, STDOUT_FILENO);
}
