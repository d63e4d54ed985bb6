// `zooci manifest --check|--write [--allow-remove] ZOO_DIR`: the onnx.hub manifest
// (ONNX_HUB_MANIFEST.json) against the zoo's README model tables and files.
#include <iostream>

#include "cli/cli.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

struct ManifestFlags {
  std::string zoo;
  bool check = false;
  bool write = false;
  bool allow_remove = false;
};

const char* KindWord(ManifestChange::Kind kind) {
  switch (kind) {
    case ManifestChange::Kind::kUpdated:
      return "stale";
    case ManifestChange::Kind::kAdded:
      return "missing";
    case ManifestChange::Kind::kRemoved:
      return "dangling";
  }
  return "?";
}

// "stale validated/.../x.onnx (validated/.../README.md:30): opset_version: 9 -> 10 (README)"
void PrintChange(const ManifestChange& change) {
  std::cout << KindWord(change.kind) << " " << change.model_path;
  if (!change.readme_row.empty()) std::cout << " (" << change.readme_row << ")";
  std::cout << ": " << JoinStrings(change.details, "; ") << "\n";
  if (!change.not_applied.empty()) {
    std::cout << "  --write cannot apply this: " << change.not_applied << "\n";
  }
}

// What --write does with the changes, when that is not simply "applies them".
void PrintWriteHints(const ManifestPlan& plan) {
  size_t removes = 0, not_applied = 0;
  for (const ManifestChange& change : plan.changes) {
    removes += change.removes;
    not_applied += !change.not_applied.empty();
  }
  if (removes > 0) {
    std::cout << "  " << removes << " change(s) remove published entries or archives: --write "
              << "applies them only with --allow-remove\n";
  }
  if (not_applied > 0) {
    std::cout << "  " << not_applied << " change(s) cannot be applied by --write (see above)\n";
  }
}

// "3 stale, 6 missing, 28 dangling"
std::string Counts(const ManifestPlan& plan) {
  int counts[3] = {0, 0, 0};
  for (const ManifestChange& change : plan.changes) ++counts[static_cast<int>(change.kind)];
  return std::to_string(counts[0]) + " stale, " + std::to_string(counts[1]) + " missing, " +
         std::to_string(counts[2]) + " dangling";
}

int RunManifest(const ManifestFlags& flags) {
  if (flags.check == flags.write) {
    std::cerr << "zooci manifest: give exactly one of --check and --write\n";
    return kExitUsage;
  }
  if (flags.allow_remove && !flags.write) {
    std::cerr << "zooci manifest: --allow-remove goes with --write\n";
    return kExitUsage;
  }
  fs::path root(flags.zoo);
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    std::cerr << "zooci manifest: " << flags.zoo << ": not a directory\n";
    return kExitUsage;
  }
  fs::path path = root / "ONNX_HUB_MANIFEST.json";
  std::vector<ManifestEntry> on_disk;
  bool present = fs::exists(path, error);
  if (present) {
    auto read = ReadManifest(path);
    if (!read.ok()) {  // never overwrite what cannot be read
      std::cerr << "zooci manifest: " << read.error().message() << "\n";
      return kExitUsage;
    }
    on_disk = std::move(*read);
  }
  auto plan = PlanManifest(root, on_disk);
  if (!plan.ok()) {
    std::cerr << "zooci manifest: " << plan.error().message() << "\n";
    return kExitUsage;
  }
  for (const std::string& warning : plan->warnings) std::cerr << "warning: " << warning << "\n";
  for (const ManifestChange& change : plan->changes) PrintChange(change);
  std::string entries = std::to_string(on_disk.size()) + " entries";

  if (flags.check) {
    if (!present) std::cout << path.string() << ": does not exist\n";
    if (plan->changes.empty() && present) {
      std::cout << path.string() << ": up to date (" << entries << ")\n";
      return kExitOk;
    }
    std::cout << path.string() << ": " << plan->changes.size() << " difference(s) in " << entries
              << ": " << Counts(*plan) << "\n";
    PrintWriteHints(*plan);
    return kExitFailed;
  }

  Status written = WriteManifest(path, *plan, flags.allow_remove);
  if (!written.ok()) {
    std::cerr << "zooci manifest: " << written.error().message()
              << (plan->removes() && !flags.allow_remove ? "; pass --allow-remove to remove them"
                                                         : "")
              << "\n";
    return kExitUsage;
  }
  size_t not_applied = 0;
  for (const ManifestChange& change : plan->changes) not_applied += !change.not_applied.empty();
  std::cout << "wrote " << path.string() << ": " << plan->entries.size() << " entries ("
            << (plan->changes.size() - not_applied) << " change(s) applied, " << not_applied
            << " not applied)\n";
  return kExitOk;
}

}  // namespace

CommandSpec ManifestCommand() {
  return {"manifest", "Check or update the zoo's ONNX_HUB_MANIFEST.json (onnx.hub format)",
          [](CLI::App& app) -> CommandHandler {
            auto flags = std::make_shared<ManifestFlags>();
            app.footer(
                "The manifest is compared with the model tables of the zoo's README.md files and\n"
                "their files. A Git LFS pointer file counts as the object it points to (its oid\n"
                "and size; a warning names pointers no .gitattributes rule covers). Differences:\n"
                "  stale     an entry's sha/bytes, opset, ONNX version, name or archive differ;\n"
                "            --write updates them. io_ports, extra_ports and tags are kept while\n"
                "            the model's SHA-256 is unchanged; when it changed, io_ports are\n"
                "            recomputed from the model, or dropped with a warning when the model\n"
                "            is only an LFS pointer; extra_ports are dropped with a warning.\n"
                "  missing   a README row links a model file that has no entry; --write adds it\n"
                "            once the model itself is present (not an LFS pointer).\n"
                "  dangling  an entry whose model file or README row is gone, or a duplicate.\n"
                "--write refuses to remove published data (dangling entries, or the archive\n"
                "fields of an entry whose archive is gone): exit 2, file untouched, naming them,\n"
                "unless --allow-remove. A README row whose model file does not exist is only a\n"
                "warning (it has no entry to keep).\n"
                "Everything else of an entry (key order, unknown keys, version spelling) is kept.\n"
                "Exit: --check 0 up to date, 1 differences; --write 0 written; 2 bad input or\n"
                "refused.");
            app.add_option("zoo", flags->zoo, "The zoo directory")->required();
            app.add_flag("--check", flags->check,
                         "Report stale, missing and dangling entries (exit 1 when there are any)");
            app.add_flag("--write", flags->write,
                         "Update the manifest in place (atomically), keeping what cannot be "
                         "recomputed");
            app.add_flag("--allow-remove", flags->allow_remove,
                         "With --write: remove dangling entries and archives that are gone");
            return [flags] { return RunManifest(*flags); };
          }};
}

}  // namespace zooci
