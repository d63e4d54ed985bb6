// The integrity step: Git LFS (pointers outside the rules, objects LFS cannot fetch, real files
// the rules should cover), the README model table against the files (links, opset, ONNX version,
// names), and the hub manifest's entries against the files — from the content, or from a Git LFS
// pointer's oid and size when the content is not in the checkout. Also the checks after a removal.
#include <map>

#include "onnx/onnx_io.h"
#include "pipeline/internal.h"
#include "pipeline/readme_links.h"

namespace zooci::pipeline_internal {
namespace {

// The ONNX releases that write each IR version (onnx.helper.VERSION_TABLE).
bool OnnxVersionMatchesIr(const std::string& onnx_version, int64_t ir_version) {
  static const std::map<int64_t, std::vector<std::string>> releases = {
      {3, {"1.0", "1.1", "1.2", "1.3"}},
      {4, {"1.4"}},
      {5, {"1.5"}},
      {6, {"1.6"}},
      {7, {"1.7", "1.8", "1.9"}},
      {8, {"1.10", "1.11", "1.12", "1.13"}},
      {9, {"1.14", "1.15"}},
      {10, {"1.16", "1.17"}},
      {11, {"1.18"}}};
  auto it = releases.find(ir_version);
  if (it == releases.end()) return true;  // unknown IR: nothing to compare against
  for (const std::string& release : it->second) {
    if (onnx_version == release || StartsWith(onnx_version, release + ".")) return true;
  }
  return false;
}

std::string FirstNumber(const std::string& text) {
  size_t start = text.find_first_of("0123456789");
  if (start == std::string::npos) return "";
  size_t end = text.find_first_not_of("0123456789.", start);
  std::string number = text.substr(start, end == std::string::npos ? end : end - start);
  while (!number.empty() && number.back() == '.') number.pop_back();
  return number;
}

// "-12" of "resnet50-v1-12.onnx", "-12-int8.onnx", "-12-qdq.onnx": the opset the name states.
std::string OpsetInName(const fs::path& model) {
  std::string stem = model.stem().string();
  for (const char* suffix : {"-int8", "-qdq", "-fp16", "-fp32"}) {
    if (EndsWith(stem, suffix)) stem.resize(stem.size() - std::string_view(suffix).size());
  }
  size_t dash = stem.rfind('-');
  if (dash == std::string::npos || dash + 1 >= stem.size()) return "";
  std::string digits = stem.substr(dash + 1);
  return digits.find_first_not_of("0123456789") == std::string::npos ? digits : "";
}

class IntegrityReview {
 public:
  explicit IntegrityReview(const StepContext& context)
      : context_(context),
        folder_(*context.folder),
        readme_file_(folder_.relative + "/README.md") {
    step_.name = "integrity";
  }

  StepResult Run() {
    ReadModels();
    CheckSymlinks();
    CheckLfs();
    CheckTable();
    CheckManifest();
    Conclude(step_, Plural(files_.size(), "model file") + ", " + Plural(rows_, "model table row"));
    return std::move(step_);
  }

 private:
  void Add(std::string message, std::string file, int line = 0,
           ReasonLevel level = ReasonLevel::kDecline) {
    step_.reasons.push_back(
        MakeReason("integrity", std::move(message), std::move(file), line, level));
  }

  void ReadModels() {
    files_ = folder_.models;
    files_.insert(files_.end(), folder_.archives.begin(), folder_.archives.end());
    for (const fs::path& model : folder_.models) {
      if (Pointer(model) != nullptr) continue;
      if (auto info = ReadModelInfo(model); info.ok()) infos_[model] = std::move(*info);
    }
  }

  // The LFS state of a file that is still a pointer (nullptr for real content).
  const LfsFileState* Pointer(const fs::path& file) const {
    const LfsFileState* state = context_.lfs ? context_.lfs->Find(file) : nullptr;
    return state != nullptr && state->status != LfsFileState::kFetched ? state : nullptr;
  }

  // A symbolic link in the folder whose target leaves the repository: never followed (no step
  // reads it), and a defect: a submission ships its files, not pointers into the CI machine.
  void CheckSymlinks() {
    std::error_code error;
    auto options = fs::directory_options::skip_permission_denied;
    size_t visited = 0;
    for (auto it = fs::recursive_directory_iterator(folder_.dir, options, error);
         !error && it != fs::recursive_directory_iterator() && ++visited <= 100000;
         it.increment(error)) {
      std::error_code entry_error;
      const fs::path& path = it->path();
      if (it->is_directory(entry_error) && !it->is_symlink(entry_error) &&
          path != folder_.dir && fs::exists(path / "README.md", entry_error)) {
        it.disable_recursion_pending();  // a nested model folder reviews itself
        continue;
      }
      if (!it->is_symlink(entry_error) || IsWithin(folder_.root, path)) continue;
      std::string relative = RelativeTo(folder_.root, path);
      Status inside = CheckFileInside(folder_.root, path);
      Add((inside.ok() ? relative + " leaves the repository" : inside.error().message()) +
              ": commit the file itself",
          relative);
    }
  }

  void CheckLfs() {
    bool zoo_uses_lfs = false;
    if (auto attributes = ReadFile(folder_.root / ".gitattributes", uint64_t{1} << 20);
        attributes.ok()) {
      zoo_uses_lfs = attributes->find("filter=lfs") != std::string::npos;
    }
    for (const fs::path& file : files_) {
      std::string relative = RelativeTo(folder_.root, file);
      std::string name = file.filename().string();  // the reason's location is the full path
      const LfsFileState* state = Pointer(file);
      if (state == nullptr) {
        if (zoo_uses_lfs && !CoveredByLfs(folder_.root, fs::path(relative))) {
          Add(name + " is not covered by a Git LFS rule in .gitattributes (the zoo stores "
                  "model files in Git LFS): add a rule such as '*." +
                  (IsArchiveFile(file) ? std::string("tar.gz") : std::string("onnx")) +
                  " filter=lfs diff=lfs merge=lfs -text' or commit it through git lfs",
              relative);
        }
        continue;
      }
      switch (state->status) {
        case LfsFileState::kOutsideRules:
          Add(name + " is a Git LFS pointer committed outside the .gitattributes LFS rules, "
                  "so git never replaces it with the model: add an LFS rule covering it and "
                  "commit it again with git lfs",
              relative);
          break;
        case LfsFileState::kObjectMissing:
          Add(name + " is a Git LFS pointer whose object the LFS server does not have (was it "
                  "pushed?): " + state->reason + "; push it with git lfs push --all",
              relative);
          break;
        case LfsFileState::kFetchFailed:
          Add(name + ": its Git LFS content could not be fetched (" + state->reason +
                  "), so it was not reviewed",
              relative, 0, ReasonLevel::kUnverified);
          break;
        case LfsFileState::kNotFetched:
        case LfsFileState::kFetched:
          break;  // the zoo-wide notice and the model steps say it
      }
    }
  }

  void CheckTable() {
    const Result<Readme>& readme = context_.readmes->Get(folder_.dir / "README.md");
    if (!readme.ok()) return;  // the artifacts step reports an unreadable README
    for (const ModelTable& table : readme->model_tables) {
      for (const ModelTableRow& row : table.rows) {
        ++rows_;
        CheckRow(table, row);
      }
    }
  }

  void CheckRow(const ModelTable& table, const ModelTableRow& row) {
    auto cell = [&](int column) {
      return column >= 0 && column < static_cast<int>(row.cells.size()) ? row.cells[column]
                                                                        : std::string();
    };
    std::string opset_cell = FirstNumber(cell(table.opset_column));
    for (const MarkdownLink& link : row.cell_links) {
      fs::path target = ResolveLink(folder_.root, folder_.dir, link.target);
      if (target.empty()) continue;  // external: a download elsewhere
      std::error_code error;
      if (!InsideRoot(folder_.root, target) ||
          !fs::exists(fs::symlink_status(target, error))) {
        Add("the model table links " + link.target + ", which does not exist in the repository",
            readme_file_, row.line);
        continue;
      }
      if (!IsModelFile(target) || IsArchiveFile(target)) continue;
      std::string name = target.filename().string();
      std::string relative = RelativeTo(folder_.root, target);
      // The opset the row states, against the model, its file name and the manifest.
      auto info = infos_.find(target);
      std::string model_opset;
      if (info != infos_.end()) {
        auto opset = info->second.opset_import.find("");
        if (opset == info->second.opset_import.end()) {
          opset = info->second.opset_import.find("ai.onnx");
        }
        if (opset != info->second.opset_import.end()) model_opset = std::to_string(opset->second);
        std::string onnx_cell = FirstNumber(cell(table.onnx_version_column));
        if (!onnx_cell.empty() && !OnnxVersionMatchesIr(onnx_cell, info->second.ir_version)) {
          Add("the model table says ONNX " + onnx_cell + " for " + name +
                  ", but the model has IR version " + std::to_string(info->second.ir_version) +
                  ", which that ONNX release does not write",
              readme_file_, row.line, ReasonLevel::kWarning);
        }
      }
      if (!opset_cell.empty() && !model_opset.empty() && opset_cell != model_opset) {
        Add("the model table says opset " + opset_cell + " but " + name + " imports ai.onnx opset " +
                model_opset,
            readme_file_, row.line);
      }
      std::string named = OpsetInName(target);
      std::string stated = !model_opset.empty() ? model_opset : opset_cell;
      if (!stated.empty() && named != stated) {
        Add(name + " does not follow the zoo's <name>-<opset>.onnx naming (opset " + stated +
                (model_opset.empty() ? ", from the model table" : "") + ")",
            relative, 0, ReasonLevel::kWarning);
      }
      if (const ManifestEntry* entry = ManifestEntryFor(relative);
          entry != nullptr && !opset_cell.empty() && entry->opset_version > 0 &&
          opset_cell != std::to_string(entry->opset_version)) {
        Add("the model table says opset " + opset_cell + " for " + name +
                " but ONNX_HUB_MANIFEST.json says " + std::to_string(entry->opset_version),
            readme_file_, row.line);
      }
    }
  }

  const ManifestEntry* ManifestEntryFor(const std::string& relative) const {
    if (context_.manifest == nullptr) return nullptr;
    for (const ManifestEntry& entry : *context_.manifest) {
      if (entry.model_path == relative) return &entry;
    }
    return nullptr;
  }

  void CheckManifest() {
    if (context_.manifest == nullptr) {
      if (!context_.manifest_present) {
        Add("the zoo has no ONNX_HUB_MANIFEST.json", "ONNX_HUB_MANIFEST.json", 0,
            ReasonLevel::kWarning);
      }
      return;
    }
    ContentHasher hash = [this](const fs::path& path) { return context_.hasher->Hash(path); };
    for (const fs::path& model : folder_.models) {
      std::string relative = RelativeTo(folder_.root, model);
      const ManifestEntry* entry = ManifestEntryFor(relative);
      if (entry == nullptr) {
        Add("ONNX_HUB_MANIFEST.json has no entry for " + relative +
                " (run zooci manifest --write to add it)",
            "ONNX_HUB_MANIFEST.json");
        continue;
      }
      auto digest = DigestZooFile(model, hash);
      if (digest.ok() && (digest->sha256 != entry->model_sha || digest->bytes != entry->model_bytes)) {
        Add("ONNX_HUB_MANIFEST.json is stale for " + relative + ": it says " +
                Plural(entry->model_bytes, "byte") + " with SHA-256 " +
                entry->model_sha.substr(0, 12) + "…, the " +
                (digest->from_lfs_pointer ? "Git LFS pointer" : "file") + " says " +
                Plural(digest->bytes, "byte") + " with " + digest->sha256.substr(0, 12) +
                "… (run zooci manifest --write)",
            "ONNX_HUB_MANIFEST.json");
      }
      auto info = infos_.find(model);
      if (info != infos_.end() && entry->has_io_ports &&
          (!SameIoPorts(entry->inputs, IoPortsOf(info->second.inputs)) ||
           !SameIoPorts(entry->outputs, IoPortsOf(info->second.outputs)))) {
        Add("ONNX_HUB_MANIFEST.json io_ports differ from " + relative + "'s inputs and outputs",
            "ONNX_HUB_MANIFEST.json");
      }
      if (!entry->model_with_data_path.empty()) {
        fs::path archive = folder_.root / entry->model_with_data_path;
        // The manifest is submission content: a path leaving the repository is never read.
        if (Status inside = CheckFileInside(folder_.root, archive);
            !inside.ok() && fs::exists(fs::symlink_status(archive))) {
          Add("ONNX_HUB_MANIFEST.json names " + entry->model_with_data_path + " for " + relative +
                  ", which is not a file of the repository (" + inside.error().message() +
                  "); it was not read",
              "ONNX_HUB_MANIFEST.json");
          continue;
        }
        auto archive_digest = DigestZooFile(archive, hash);
        if (!archive_digest.ok()) {
          Add("ONNX_HUB_MANIFEST.json names " + entry->model_with_data_path + " for " + relative +
                  ", which does not exist",
              "ONNX_HUB_MANIFEST.json");
        } else if (archive_digest->sha256 != entry->model_with_data_sha ||
                   archive_digest->bytes != entry->model_with_data_bytes) {
          Add("ONNX_HUB_MANIFEST.json model_with_data_sha/_bytes are stale for " +
                  entry->model_with_data_path + " (run zooci manifest --write)",
              "ONNX_HUB_MANIFEST.json");
        }
      }
    }
  }

  const StepContext& context_;
  const ModelFolder& folder_;
  std::string readme_file_;
  std::vector<fs::path> files_;
  std::map<fs::path, ModelInfo> infos_;  // readable real models
  int rows_ = 0;
  StepResult step_;
};

}  // namespace

StepResult CheckIntegrity(const StepContext& context) {
  return IntegrityReview(context).Run();
}

std::vector<Reason> CheckRemovedFolder(const fs::path& root, const std::string& folder,
                                       const std::vector<ManifestEntry>* manifest,
                                       ReadmeStore& readmes) {
  std::vector<Reason> reasons;
  const Result<Readme>& main = readmes.Get(root / "README.md");
  if (main.ok()) {
    for (const MarkdownLink& link : main->links) {
      fs::path resolved = ResolveLink(root, root, link.target);
      if (resolved.empty()) continue;
      std::string target = RelativeTo(root, resolved);
      if (target == folder || StartsWith(target, folder + "/")) {
        reasons.push_back(MakeReason(
            "zoo",
            "the main README still links " + link.target + ", but " + folder + " was removed",
            "README.md", link.line));
      }
    }
  }
  if (manifest != nullptr) {
    for (const ManifestEntry& entry : *manifest) {
      if (StartsWith(entry.model_path, folder + "/")) {
        reasons.push_back(MakeReason("zoo",
                                     "ONNX_HUB_MANIFEST.json still lists " + entry.model_path +
                                         ", but " + folder + " was removed",
                                     "ONNX_HUB_MANIFEST.json"));
      }
    }
  }
  return reasons;
}

}  // namespace zooci::pipeline_internal
