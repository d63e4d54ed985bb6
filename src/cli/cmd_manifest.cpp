// `zooci manifest --check|--write ZOO_DIR`: the onnx.hub manifest (ONNX_HUB_MANIFEST.json).
#include <iostream>

#include "cli/cli.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

struct ManifestFlags {
  std::string zoo;
  bool check = false;
  bool write = false;
};

int RunManifest(const ManifestFlags& flags) {
  if (flags.check == flags.write) {
    std::cerr << "zooci manifest: give exactly one of --check and --write\n";
    return kExitUsage;
  }
  fs::path root(flags.zoo);
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    std::cerr << "zooci manifest: " << flags.zoo << ": not a directory\n";
    return kExitUsage;
  }
  std::vector<std::string> problems;
  auto built = BuildManifest(root, &problems);
  if (!built.ok()) {
    std::cerr << "zooci manifest: " << built.error().message() << "\n";
    return kExitUsage;
  }
  for (const std::string& problem : problems) std::cerr << "warning: " << problem << "\n";
  fs::path path = root / "ONNX_HUB_MANIFEST.json";
  if (flags.write) {
    Status written = WriteFileAtomic(path, WriteManifestJson(*built));
    if (!written.ok()) {
      std::cerr << "zooci manifest: " << written.error().message() << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << path.string() << " (" << built->size() << " entries)\n";
    return kExitOk;
  }
  auto on_disk = ReadManifest(path);
  if (!on_disk.ok()) {
    std::cerr << "zooci manifest: " << on_disk.error().message() << "\n";
    return kExitFailed;
  }
  std::vector<std::string> differences = CompareManifests(*on_disk, *built);
  for (const std::string& difference : differences) std::cout << difference << "\n";
  std::cout << path.string() << ": "
            << (differences.empty() ? "up to date"
                                    : std::to_string(differences.size()) + " difference(s)")
            << " (" << on_disk->size() << " entries)\n";
  return differences.empty() ? kExitOk : kExitFailed;
}

}  // namespace

CommandSpec ManifestCommand() {
  return {"manifest", "Check or write the zoo's ONNX_HUB_MANIFEST.json (onnx.hub format)",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<ManifestFlags>();
            app.add_option("zoo", flags->zoo, "The zoo directory")->required();
            app.add_flag("--check", flags->check,
                         "Report stale SHA-256s, sizes, io_ports, missing and dangling entries");
            app.add_flag("--write", flags->write, "Rewrite the manifest from the zoo");
            return [flags] { return RunManifest(*flags); };
          }};
}

}  // namespace zooci
