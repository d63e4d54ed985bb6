// What the onnx.hub manifest is built from: README model-table rows, digests of zoo files that
// may be Git LFS pointers, and io_ports read from models.
#include <algorithm>

#include "zoo/manifest_internal.h"
#include "zoo/readme_internal.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

// The generator's tags: the README folder's components with '_' as ' ' (without the leading
// "validated" that the zoo's revamp added to paths but not to tags), plus "preprocessing" for a
// model linked under a preproc/ folder.
std::vector<std::string> Tags(const std::string& folder, const std::string& link) {
  std::vector<std::string> tags;
  for (std::string part : SplitString(folder, '/')) {
    if (part.empty() || (tags.empty() && part == "validated")) continue;
    std::replace(part.begin(), part.end(), '_', ' ');
    tags.push_back(part);
  }
  for (const std::string& part : SplitString(link, '/')) {
    if (part == "preproc") {
      tags.push_back("preprocessing");
      break;
    }
  }
  return tags;
}

// The first link written in the cell (the generator reads the cell's first element's href).
std::string LinkIn(const ModelTableRow& row, int column) {
  if (column < 0 || column >= static_cast<int>(row.cells.size())) return "";
  const std::string& cell = row.cells[column];
  size_t best = std::string::npos;
  std::string target;
  for (const MarkdownLink& link : row.cell_links) {
    size_t at = cell.find("(" + link.target);
    if (at < best) {
      best = at;
      target = link.target;
    }
  }
  return target;
}

std::string Cell(const ModelTableRow& row, int column) {
  if (column < 0 || column >= static_cast<int>(row.cells.size())) return "";
  return zoo_internal::StripInlineMarkup(row.cells[column]);
}

bool IsHidden(const fs::path& path, const fs::path& root) {
  for (const fs::path& part : path.lexically_relative(root)) {
    if (StartsWith(part.string(), ".")) return true;
  }
  return false;
}

// `link` (relative to `dir`) as a '/'-separated path relative to `root`; "" when it is a URL, an
// anchor, absolute, or leaves the zoo.
std::string ZooPath(const fs::path& root, const fs::path& dir, const std::string& link) {
  if (link.empty() || link.find("://") != std::string::npos || StartsWith(link, "#") ||
      StartsWith(link, "/")) {
    return "";
  }
  std::string target = link.substr(0, link.find_first_of("?#"));
  std::string relative =
      (dir / target).lexically_normal().lexically_relative(root).generic_string();
  if (relative.empty() || relative == "." || relative == ".." || StartsWith(relative, "../")) {
    return "";
  }
  return relative;
}

}  // namespace

Result<ZooFileDigest> DigestZooFile(const fs::path& path, const ContentHasher& hash_content) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return Error(path.string() +
                 (fs::exists(path, error) ? ": not a regular file" : ": does not exist"));
  }
  if (std::optional<LfsPointer> pointer = ReadLfsPointer(path)) {
    return ZooFileDigest{pointer->oid_sha256, pointer->size, /*from_lfs_pointer=*/true};
  }
  ZooFileDigest digest;
  ZC_ASSIGN_OR_RETURN(digest.sha256, hash_content ? hash_content(path) : Sha256File(path));
  digest.bytes = fs::file_size(path, error);
  if (error) return Error(path.string() + ": " + error.message());
  return digest;
}

std::vector<IoPort> IoPortsOf(const std::vector<ValueInfo>& values) {
  std::vector<IoPort> ports;
  for (const ValueInfo& value : values) {
    IoPort port;
    port.name = value.name;
    // ONNX Runtime's type string: the description without shapes ("seq(tensor(uint8))"); it
    // gives a shape for tensors only (a sequence's is []).
    for (size_t pos = 0; pos < value.type_description.size(); ++pos) {
      if (value.type_description[pos] != '[') {
        port.type += value.type_description[pos];
        continue;
      }
      size_t close = value.type_description.find(']', pos);
      if (close == std::string::npos) break;
      pos = close;
    }
    if (value.kind != ValueKind::kTensor) {
      ports.push_back(std::move(port));
      continue;
    }
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

namespace zoo_internal {

Result<std::vector<ManifestRow>> ScanManifestRows(const fs::path& root,
                                                  std::vector<std::string>* warnings) {
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
  std::vector<ManifestRow> rows;
  for (const fs::path& readme_path : readmes) {
    std::string readme_name = readme_path.lexically_relative(root).generic_string();
    auto readme = ParseReadme(readme_path);
    if (!readme.ok()) {
      warnings->push_back(readme_name + ": cannot be read: " + readme.error().message());
      continue;
    }
    fs::path dir = readme_path.parent_path();
    std::string folder = dir.lexically_relative(root).generic_string();
    for (const ModelTable& table : readme->model_tables) {
      for (const ModelTableRow& row : table.rows) {
        std::string link = LinkIn(row, table.download_column);
        std::string model_path = ZooPath(root, dir, link);
        if (model_path.empty() || !EndsWith(model_path, ".onnx")) continue;
        ManifestRow result;
        result.where = readme_name + ":" + std::to_string(row.line);
        result.model = Cell(row, table.model_column);
        result.model_path = model_path;
        result.onnx_version = Cell(row, table.onnx_version_column);
        result.opset = Cell(row, table.opset_column);
        result.with_data_path = ZooPath(root, dir, LinkIn(row, table.download_with_data_column));
        result.tags = Tags(folder, link);
        rows.push_back(std::move(result));
      }
    }
  }
  return rows;
}

bool SameOnnxVersion(std::string_view a, std::string_view b) {
  auto release = [](std::string_view text) {
    std::vector<std::string> parts = SplitString(Trim(text), '.');
    while (parts.size() > 2 && parts.back() == "0") parts.pop_back();
    return parts;
  };
  return release(a) == release(b);
}

}  // namespace zoo_internal
}  // namespace zooci
