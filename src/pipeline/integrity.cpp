// The integrity step: the README model table against the files, Git LFS pointers and rules,
// and the hub manifest entries of the folder's models. Also the checks after a removal.
#include <map>

#include "onnx/onnx_io.h"
#include "pipeline/internal.h"

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

}  // namespace

StepResult CheckIntegrity(const StepContext& context) {
  const ModelFolder& folder = *context.folder;
  StepResult step;
  step.name = "integrity";
  std::string readme_file = folder.relative + "/README.md";
  auto add = [&](std::string message, std::string file, int line = 0,
                 ReasonLevel level = ReasonLevel::kDecline) {
    step.reasons.push_back(
        MakeReason("integrity", std::move(message), std::move(file), line, level));
  };

  // Git LFS: pointers instead of content, and coverage by the zoo's LFS rules.
  bool zoo_uses_lfs = false;
  if (auto attributes = ReadFile(folder.root / ".gitattributes", uint64_t{1} << 20);
      attributes.ok()) {
    zoo_uses_lfs = attributes->find("filter=lfs") != std::string::npos;
  }
  std::map<fs::path, ModelInfo> infos;
  std::vector<fs::path> files = folder.models;
  files.insert(files.end(), folder.archives.begin(), folder.archives.end());
  for (const fs::path& file : files) {
    std::string relative = RelativeTo(folder.root, file);
    if (ReadLfsPointer(file).has_value()) {
      add(relative + " is stored as a Git LFS pointer, not the file itself; run git lfs pull",
          relative);
      continue;
    }
    if (zoo_uses_lfs && !CoveredByLfs(folder.root, fs::path(relative))) {
      add(relative + " is not covered by a Git LFS rule in .gitattributes", relative);
    }
    if (file.extension() == ".onnx") {
      auto info = ReadModelInfo(file);
      if (info.ok()) infos[file] = std::move(*info);
    }
  }

  // The README model table against the files.
  auto readme = ParseReadme(folder.dir / "README.md");
  int rows = 0;
  if (readme.ok()) {
    for (const ModelTable& table : readme->model_tables) {
      for (const ModelTableRow& row : table.rows) {
        ++rows;
        auto cell = [&](int column) {
          return column >= 0 && column < static_cast<int>(row.cells.size()) ? row.cells[column]
                                                                            : std::string();
        };
        const ModelInfo* info = nullptr;
        fs::path model_path;
        for (const MarkdownLink& link : row.cell_links) {
          if (link.target.find("://") != std::string::npos) continue;
          fs::path target = (folder.dir / link.target).lexically_normal();
          if (!fs::exists(target)) {
            add("the model table links " + link.target + ", which does not exist", readme_file,
                row.line);
          } else if (infos.count(target) != 0) {
            info = &infos[target];
            model_path = target;
          }
        }
        if (info == nullptr) continue;
        auto opset = info->opset_import.find("");
        if (opset == info->opset_import.end()) opset = info->opset_import.find("ai.onnx");
        std::string opset_cell = FirstNumber(cell(table.opset_column));
        if (opset != info->opset_import.end() && !opset_cell.empty() &&
            opset_cell != std::to_string(opset->second)) {
          add("the model table says opset " + opset_cell + " but " +
                  model_path.filename().string() + " imports ai.onnx opset " +
                  std::to_string(opset->second),
              readme_file, row.line);
        }
        std::string onnx_cell = FirstNumber(cell(table.onnx_version_column));
        if (!onnx_cell.empty() && !OnnxVersionMatchesIr(onnx_cell, info->ir_version)) {
          add("the model table says ONNX " + onnx_cell + " but the model has IR version " +
                  std::to_string(info->ir_version),
              readme_file, row.line, ReasonLevel::kWarning);
        }
        std::string stem = model_path.stem().string();
        std::string expected_suffix =
            opset != info->opset_import.end() ? "-" + std::to_string(opset->second) : "";
        bool named = !expected_suffix.empty() && (EndsWith(stem, expected_suffix) ||
                                                  EndsWith(stem, expected_suffix + "-int8") ||
                                                  EndsWith(stem, expected_suffix + "-qdq"));
        if (!named) {
          add(model_path.filename().string() + " does not follow <name>-<opset>.onnx (opset " +
                  std::to_string(opset->second) + ")",
              RelativeTo(folder.root, model_path), 0, ReasonLevel::kWarning);
        }
      }
    }
  }

  // The hub manifest's entries for this folder's models.
  if (context.manifest != nullptr) {
    for (const auto& [model_path, info] : infos) {
      std::string relative = RelativeTo(folder.root, model_path);
      const ManifestEntry* entry = nullptr;
      for (const ManifestEntry& candidate : *context.manifest) {
        if (candidate.model_path == relative) entry = &candidate;
      }
      if (entry == nullptr) {
        add("ONNX_HUB_MANIFEST.json has no entry for " + relative, "ONNX_HUB_MANIFEST.json");
        continue;
      }
      auto sha = context.hasher->Hash(model_path);
      std::error_code error;
      uint64_t bytes = fs::file_size(model_path, error);
      if (sha.ok() && (*sha != entry->model_sha || bytes != entry->model_bytes)) {
        add("ONNX_HUB_MANIFEST.json is stale for " + relative +
                ": model_sha/model_bytes differ "
                "from the file (run zooci manifest --write)",
            "ONNX_HUB_MANIFEST.json");
      }
      if (entry->has_io_ports && (!SameIoPorts(entry->inputs, IoPortsOf(info.inputs)) ||
                                  !SameIoPorts(entry->outputs, IoPortsOf(info.outputs)))) {
        add("ONNX_HUB_MANIFEST.json io_ports differ from " + relative + "'s inputs and outputs",
            "ONNX_HUB_MANIFEST.json");
      }
      if (!entry->model_with_data_path.empty()) {
        fs::path archive = folder.root / entry->model_with_data_path;
        auto archive_sha = context.hasher->Hash(archive);
        if (!archive_sha.ok() || *archive_sha != entry->model_with_data_sha) {
          add("ONNX_HUB_MANIFEST.json model_with_data_sha does not match " +
                  entry->model_with_data_path,
              "ONNX_HUB_MANIFEST.json");
        }
      }
    }
  } else if (!context.manifest_present) {
    add("the zoo has no ONNX_HUB_MANIFEST.json", "ONNX_HUB_MANIFEST.json", 0, ReasonLevel::kWarning);
  }
  Conclude(step, std::to_string(files.size()) + " model files, " + std::to_string(rows) +
                     " model table rows");
  return step;
}

std::vector<Reason> CheckRemovedFolder(const fs::path& root, const std::string& folder,
                                       const std::vector<ManifestEntry>* manifest) {
  std::vector<Reason> reasons;
  auto main = ParseReadme(root / "README.md");
  if (main.ok()) {
    for (const MarkdownLink& link : main->links) {
      if (link.target.find("://") != std::string::npos) continue;
      std::string target =
          (root / link.target).lexically_normal().lexically_relative(root).generic_string();
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
