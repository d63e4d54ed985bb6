// zooci-worker: runs models for the sandbox. Speaks the protocol of runtime/protocol.h on
// stdin/stdout; `zooci-worker --version` prints the ONNX Runtime version it loads.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "eval/eval.h"
#include "runtime/runtime.h"

int main(int argc, char** argv) {
  std::unique_ptr<zooci::Backend> backend = zooci::MakeOrtBackend();
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("%s %s\n", backend->name().c_str(), backend->version().c_str());
    return 0;
  }
  zooci::RegisterEvalJobs();
  return zooci::RunWorkerLoop(*backend, STDIN_FILENO, STDOUT_FILENO);
}
