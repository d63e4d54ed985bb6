// zooci-worker: runs models for the sandbox. Speaks the protocol of runtime/protocol.h on
// stdin/stdout with the backend chosen by `--backend NAME` (default: ort).
// `zooci-worker [--backend NAME] --version` prints that backend's "name version".
#include <unistd.h>

#include <cstdio>
#include <string>

#include "eval/eval.h"
#include "runtime/runtime.h"

namespace {

// The runtimes this worker can load, by the name `--backend` takes. A new runtime is one entry.
struct BackendEntry {
  const char* name;
  std::unique_ptr<zooci::Backend> (*make)();
};
constexpr BackendEntry kBackends[] = {
    {"ort", zooci::MakeOrtBackend},
    {"opencv", zooci::MakeOpenCvBackend},
    {"reference", zooci::MakeReferenceBackend},
};

int Usage(const std::string& problem) {
  std::string names;
  for (const BackendEntry& entry : kBackends)
    names += std::string(names.empty() ? "" : ", ") + entry.name;
  std::fprintf(stderr, "zooci-worker: %s\nusage: zooci-worker [--backend %s] [--version]\n",
               problem.c_str(), names.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend_name = "ort";
  bool print_version = false;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string arg = argv[arg_idx];
    if (arg == "--version") {
      print_version = true;
    } else if (arg == "--backend" && arg_idx + 1 < argc) {
      backend_name = argv[++arg_idx];
    } else {
      return Usage("unexpected argument '" + arg + "'");
    }
  }
  std::unique_ptr<zooci::Backend> backend;
  for (const BackendEntry& entry : kBackends) {
    if (backend_name == entry.name) backend = entry.make();
  }
  if (!backend) return Usage("unknown backend '" + backend_name + "'");
  if (print_version) {
    std::printf("%s %s\n", backend->name().c_str(), backend->version().c_str());
    return 0;
  }
  zooci::RegisterEvalJobs();
  int code = zooci::RunWorkerLoop(*backend, STDIN_FILENO, STDOUT_FILENO);
  // The parent waits for this exit; tearing down the runtime and every library's statics (tens of
  // milliseconds for ONNX Runtime) serves nobody. Every answer has been written (unbuffered).
  std::fflush(nullptr);
  _exit(code);
}
