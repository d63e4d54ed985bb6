// Which zooci-zoo.yaml governs a review. A pull request is judged by the rules of the branch it
// targets: its own copy of the file could drop a required runtime, loosen a policy or lower a
// threshold, so reviewing a change reads the file from the base commit and reports the edit.

#include <algorithm>
#include <optional>

#include "pipeline/internal.h"

namespace zooci {
namespace pipeline_internal {
namespace {

// The file at `commit` ("<prefix>zooci-zoo.yaml"): nullopt when absent, its text otherwise.
Result<std::optional<std::string>> ConfigAtCommit(const fs::path& root, const std::string& commit,
                                                  const std::string& path) {
  const std::string where = std::string(kZooConfigFile) + " at " + commit.substr(0, 12);
  ZC_ASSIGN_OR_RETURN(std::string listing,
                      Git(root, {"ls-tree", "-l", "-z", "--end-of-options", commit, "--", path},
                          where + ": git ls-tree failed"));
  if (listing.empty()) return std::optional<std::string>();
  // "<mode> SP <type> SP <object> SP+ <size> TAB <path> NUL"
  size_t tab = listing.find('\t');
  if (tab == std::string::npos) return Error(where + ": unexpected git ls-tree output");
  std::vector<std::string> fields;
  for (const std::string& field : SplitString(listing.substr(0, tab), ' ')) {
    if (!field.empty()) fields.push_back(field);
  }
  if (fields.size() != 4) return Error(where + ": unexpected git ls-tree output");
  if (fields[1] != "blob" || (fields[0] != "100644" && fields[0] != "100755")) {
    return Error(where + ": not a regular file");
  }
  ZC_ASSIGN_OR_RETURN(int64_t size_bytes, ParseInt(fields[3], where + ": size"));
  if (size_bytes < 0 || static_cast<uint64_t>(size_bytes) > kMaxZooConfigBytes) {
    return Error(where + ": larger than " + std::to_string(kMaxZooConfigBytes >> 20) + " MiB");
  }
  ZC_ASSIGN_OR_RETURN(std::string text, Git(root, {"cat-file", "blob", fields[2]},
                                            where + ": git cat-file failed"));
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<GoverningConfig> LoadGoverningConfig(const fs::path& root, const Changes* changes) {
  GoverningConfig governing;
  if (changes == nullptr) {
    ZC_ASSIGN_OR_RETURN(governing.config, LoadZooConfig(root));
    return governing;
  }
  const std::string path = changes->zoo_prefix + kZooConfigFile;
  ZC_ASSIGN_OR_RETURN(std::optional<std::string> base,
                      ConfigAtCommit(root, changes->base_commit, path));
  if (base) {
    ZC_ASSIGN_OR_RETURN(governing.config,
                        ParseZooConfig(*base, root / kZooConfigFile)
                            .WithContext("the base commit's configuration"));
  }
  // The zoo's datasets (those the base names) are read from the checkout: an edit of one is
  // reported like an edit of the file.
  for (const ZooDataset& dataset : governing.config.datasets) {
    ZC_ASSIGN_OR_RETURN(std::string edited,
                        Git(root, {"diff", "--name-only", "-z", "--end-of-options",
                                   changes->base_commit + "...HEAD", "--",
                                   changes->zoo_prefix + dataset.folder},
                            dataset.folder + ": git diff failed"));
    if (edited.empty()) continue;
    size_t files = std::count(edited.begin(), edited.end(), '\0');
    Reason reason = MakeReason(
        "zoo",
        "this change edits the zoo's dataset for " + dataset.task + " (" + dataset.folder + ", " +
            Plural(files, "file") + "), on which the claims of " + dataset.task +
            " submissions are measured: a maintainer must review the change",
        dataset.folder);
    reason.level = ReasonLevel::kUnverified;
    governing.reasons.push_back(std::move(reason));
  }
  ZC_ASSIGN_OR_RETURN(std::string diff,
                      Git(root, {"diff", "--name-only", "--end-of-options",
                                 changes->base_commit + "...HEAD", "--", path},
                          std::string(kZooConfigFile) + ": git diff failed"));
  if (Trim(diff).empty()) return governing;

  std::string message = "this change edits " + std::string(kZooConfigFile) +
                        "; the review applied the base commit's (" +
                        changes->base_commit.substr(0, 12) + ") " +
                        (base ? "configuration" : "defaults (it had no such file)") +
                        ", not the edited one: a maintainer must review the change";
  // The head version still has to parse: a broken file would break the next review of main.
  auto head = LoadZooConfig(root);
  if (!head.ok()) message += " (the edited file does not parse: " + head.error().message() + ")";
  // Unverified, not a warning: ZooCI cannot judge a change to the rules themselves, and an
  // ACCEPT would pass it silently. The verdict is INCOMPLETE at best until a maintainer looks.
  Reason reason = MakeReason("zoo", message, kZooConfigFile);
  reason.level = ReasonLevel::kUnverified;
  governing.reasons.push_back(std::move(reason));
  return governing;
}

}  // namespace pipeline_internal
}  // namespace zooci
