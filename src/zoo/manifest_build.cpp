// Building the onnx.hub manifest from a zoo's READMEs and files, and comparing manifests.
#include <algorithm>
#include <map>

#include "onnx/onnx_io.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

std::vector<std::string> Tags(const std::string& folder) {
  std::vector<std::string> tags;
  for (std::string part : SplitString(folder, '/')) {
    if (part.empty() || (tags.empty() && part == "validated")) continue;
    std::replace(part.begin(), part.end(), '_', ' ');
    tags.push_back(part);
  }
  return tags;
}

std::string LinkIn(const ModelTableRow& row, int column) {
  if (column < 0 || column >= static_cast<int>(row.cells.size())) return "";
  const std::string& cell = row.cells[column];
  for (const MarkdownLink& link : row.cell_links) {
    if (cell.find("(" + link.target + ")") != std::string::npos) return link.target;
  }
  return "";
}

std::string Cell(const ModelTableRow& row, int column) {
  if (column < 0 || column >= static_cast<int>(row.cells.size())) return "";
  return std::string(Trim(row.cells[column]));
}

bool IsHidden(const fs::path& path, const fs::path& root) {
  for (const fs::path& part : path.lexically_relative(root)) {
    if (StartsWith(part.string(), ".")) return true;
  }
  return false;
}

}  // namespace

std::vector<IoPort> IoPortsOf(const std::vector<ValueInfo>& values) {
  std::vector<IoPort> ports;
  for (const ValueInfo& value : values) {
    IoPort port;
    port.name = value.name;
    port.type = value.type_description.substr(0, value.type_description.find('['));
    for (const ValueInfo::Dim& dim : value.shape) {
      port.shape.push_back(dim.value >= 0      ? std::to_string(dim.value)
                           : dim.param.empty() ? "null"
                                               : "\"" + dim.param + "\"");
    }
    ports.push_back(std::move(port));
  }
  return ports;
}

bool SameIoPorts(const std::vector<IoPort>& a, const std::vector<IoPort>& b) {
  if (a.size() != b.size()) return false;
  for (size_t index = 0; index < a.size(); ++index) {
    if (a[index].name != b[index].name || a[index].type != b[index].type ||
        a[index].shape != b[index].shape) {
      return false;
    }
  }
  return true;
}

Result<std::vector<ManifestEntry>> BuildManifest(const fs::path& root,
                                                 std::vector<std::string>* problems) {
  std::vector<ManifestEntry> entries;
  std::error_code error;
  std::vector<fs::path> readmes;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().filename() == "README.md" && it->path().parent_path() != root &&
        !IsHidden(it->path(), root)) {
      readmes.push_back(it->path());
    }
  }
  if (error) return Error(root.string() + ": " + error.message());
  std::sort(readmes.begin(), readmes.end());
  for (const fs::path& readme_path : readmes) {
    auto readme = ParseReadme(readme_path);
    if (!readme.ok()) continue;
    fs::path dir = readme_path.parent_path();
    std::string folder = dir.lexically_relative(root).generic_string();
    for (const ModelTable& table : readme->model_tables) {
      for (const ModelTableRow& row : table.rows) {
        std::string model_link = LinkIn(row, table.download_column);
        if (model_link.empty() || !EndsWith(model_link, ".onnx")) continue;
        fs::path model = (dir / model_link).lexically_normal();
        std::string where =
            readme_path.lexically_relative(root).generic_string() + ":" + std::to_string(row.line);
        ManifestEntry entry;
        entry.model = Cell(row, table.model_column);
        entry.model_path = model.lexically_relative(root).generic_string();
        entry.onnx_version = Cell(row, table.onnx_version_column);
        auto opset = ParseInt(Cell(row, table.opset_column), "opset");
        entry.opset_version = opset.ok() ? *opset : 0;
        entry.tags = Tags(folder);
        if (!fs::is_regular_file(model, error)) {
          problems->push_back(where + ": " + entry.model_path + " does not exist");
          continue;
        }
        if (ReadLfsPointer(model).has_value()) {
          problems->push_back(where + ": " + entry.model_path + " is a Git LFS pointer");
          continue;
        }
        ZC_ASSIGN_OR_RETURN(entry.model_sha, Sha256File(model));
        entry.model_bytes = fs::file_size(model, error);
        auto info = ReadModelInfo(model);
        if (info.ok()) {
          entry.has_io_ports = true;
          entry.inputs = IoPortsOf(info->inputs);
          entry.outputs = IoPortsOf(info->outputs);
        }
        std::string data_link = LinkIn(row, table.download_with_data_column);
        if (!data_link.empty()) {
          fs::path archive = (dir / data_link).lexically_normal();
          entry.model_with_data_path = archive.lexically_relative(root).generic_string();
          if (fs::is_regular_file(archive, error)) {
            ZC_ASSIGN_OR_RETURN(entry.model_with_data_sha, Sha256File(archive));
            entry.model_with_data_bytes = fs::file_size(archive, error);
          } else {
            problems->push_back(where + ": " + entry.model_with_data_path + " does not exist");
          }
        }
        entries.push_back(std::move(entry));
      }
    }
  }
  std::sort(entries.begin(), entries.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
    return a.model_path < b.model_path;
  });
  return entries;
}

std::vector<std::string> CompareManifests(const std::vector<ManifestEntry>& on_disk,
                                          const std::vector<ManifestEntry>& built) {
  std::vector<std::string> differences;
  std::map<std::string, const ManifestEntry*> disk_by_path, built_by_path;
  for (const ManifestEntry& entry : on_disk) disk_by_path[entry.model_path] = &entry;
  for (const ManifestEntry& entry : built) built_by_path[entry.model_path] = &entry;
  for (const auto& [path, entry] : built_by_path) {
    auto found = disk_by_path.find(path);
    if (found == disk_by_path.end()) {
      differences.push_back(path + ": missing from the manifest");
      continue;
    }
    const ManifestEntry& disk = *found->second;
    if (disk.model_sha != entry->model_sha || disk.model_bytes != entry->model_bytes) {
      differences.push_back(path + ": stale model_sha/model_bytes");
    }
    if (disk.model_with_data_sha != entry->model_with_data_sha ||
        disk.model_with_data_bytes != entry->model_with_data_bytes) {
      differences.push_back(path + ": stale model_with_data_sha/model_with_data_bytes");
    }
    if (entry->has_io_ports &&
        (!SameIoPorts(disk.inputs, entry->inputs) || !SameIoPorts(disk.outputs, entry->outputs))) {
      differences.push_back(path + ": stale io_ports");
    }
    if (disk.opset_version != entry->opset_version) {
      differences.push_back(path + ": opset_version " + std::to_string(disk.opset_version) +
                            ", the README table says " + std::to_string(entry->opset_version));
    }
  }
  for (const auto& [path, entry] : disk_by_path) {
    if (built_by_path.count(path) == 0) {
      differences.push_back(path + ": dangling entry (no model table row or file)");
    }
  }
  return differences;
}

}  // namespace zooci
