// `zooci version` and `zooci --version`.
#include <google/protobuf/stubs/common.h>

#include <iostream>

#include "cli/cli.h"
#include "cli/version.h"
#include "runtime/runtime.h"

namespace zooci {

std::string VersionText() {
  std::string text = std::string("zooci ") + ZOOCI_VERSION + "\n";
  // The runtimes are asked from the libraries the worker loads, never assumed.
  auto worker = DefaultWorkerExecutable();
  for (const std::string& runtime_name : RuntimeNames()) {
    ExitInfo exit_info;
    auto runtime =
        worker.ok()
            ? RunCommand({worker->string(), "--backend", runtime_name, "--version"}, &exit_info)
            : Result<std::string>(worker.error());
    if (runtime.ok() && exit_info.exited && exit_info.exit_code == 0) {
      text += std::string(Trim(*runtime)) + " (loaded by " + worker->string() + ")\n";
    } else {
      text += runtime_name + " runtime: unavailable (" +
              (runtime.ok() ? exit_info.Describe() : runtime.error().message()) + ")\n";
    }
  }
  text += std::string("onnx ") + ZOOCI_ONNX_VERSION + "\n";
  text += "protobuf " + google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION) + "\n";
  return text;
}

CommandSpec VersionCommand() {
  return {"version",
          "Print the versions of ZooCI, its runtimes (ONNX Runtime, OpenCV DNN, the reference "
          "interpreter), ONNX and protobuf",
          [](CLI::App&) {
            return CommandHandler([] {
              std::cout << VersionText();
              return kExitOk;
            });
          }};
}

}  // namespace zooci
