// Which model files a zoo holds and which model folder reviews each: every `.onnx`, `.tar.gz` and
// `.tgz` below the zoo root belongs to the deepest folder above it that has a README.md (the zoo
// root's own README is the main README, not a model folder); a model file that a README's model
// table links from elsewhere in the repository is reviewed by that folder too. A model file with
// no such folder is reported as not reviewed, with the reason. Symlinked directories are never
// followed; hidden directories (.git, .github, ...) hold no models.
#include <algorithm>
#include <map>
#include <set>

#include "pipeline/internal.h"

namespace zooci::pipeline_internal {
namespace {

bool IsArchive(std::string_view name) {
  return EndsWith(name, ".tar.gz") || EndsWith(name, ".tgz");
}

// The folder (relative, '/'-separated) that owns `relative_file`: its deepest ancestor directory,
// below the root, holding a README.md; "" when none.
std::string OwnerOf(const std::string& relative_file, const std::set<std::string>& readme_dirs) {
  std::string dir = fs::path(relative_file).parent_path().generic_string();
  while (!dir.empty()) {
    if (readme_dirs.count(dir) != 0) return dir;
    size_t slash = dir.rfind('/');
    dir = slash == std::string::npos ? "" : dir.substr(0, slash);
  }
  return "";
}

void AddUnique(std::vector<fs::path>& paths, const fs::path& path) {
  if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
}

}  // namespace

bool IsModelFile(const fs::path& path) {
  std::string name = AsciiLower(path.filename().string());
  return EndsWith(name, ".onnx") || IsArchive(name);
}

bool IsArchiveFile(const fs::path& path) {
  return IsArchive(AsciiLower(path.filename().string()));
}

std::string RelativeTo(const fs::path& root, const fs::path& path) {
  return path.lexically_relative(root).generic_string();
}

ZooLayout DiscoverZoo(const fs::path& root, ReadmeStore& readmes) {
  std::set<std::string> readme_dirs;
  std::vector<std::string> model_files;  // relative, sorted below
  std::vector<std::string> linked_models;  // model files that are symbolic links
  std::error_code error;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, options, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const fs::path& path = it->path();
    std::error_code entry_error;
    if (it->is_symlink(entry_error)) {  // never followed
      std::string relative = RelativeTo(root, path);
      if (path.filename() == "README.md" && path.parent_path() != root) {
        // The folder is reviewed; its README is read only if the link stays inside.
        readme_dirs.insert(fs::path(relative).parent_path().generic_string());
      } else if (IsModelFile(path)) {
        linked_models.push_back(relative);
      }
      continue;
    }
    if (it->is_directory(entry_error)) {
      if (StartsWith(path.filename().string(), ".")) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(entry_error)) continue;
    std::string relative = RelativeTo(root, path);
    if (path.filename() == "README.md" && path.parent_path() != root) {
      readme_dirs.insert(fs::path(relative).parent_path().generic_string());
    } else if (IsModelFile(path)) {
      model_files.push_back(relative);
    }
  }
  std::sort(model_files.begin(), model_files.end());

  ZooLayout layout;
  std::sort(linked_models.begin(), linked_models.end());
  for (const std::string& file : linked_models) {
    layout.unreviewed.push_back(
        {file, "a symbolic link, not followed: commit model files as files (through Git LFS)"});
  }
  std::map<std::string, ModelFolder> folders;
  auto folder_for = [&](const std::string& relative) -> ModelFolder& {
    ModelFolder& folder = folders[relative];
    if (folder.relative.empty()) {
      folder.root = root;
      folder.relative = relative;
      folder.dir = root / relative;
    }
    return folder;
  };
  for (const std::string& file : model_files) {
    std::string owner = OwnerOf(file, readme_dirs);
    if (owner.empty()) {
      layout.unreviewed.push_back(
          {file, "no README.md in its folder or in a parent folder below the zoo root: add the "
                 "model folder's README.md"});
      continue;
    }
    ModelFolder& folder = folder_for(owner);
    fs::path path = root / file;
    AddUnique(IsArchiveFile(path) ? folder.archives : folder.models, path);
  }

  // Model files that a README's model table links from outside the folder (e.g. "../shared/x.onnx")
  // are reviewed by the linking folder as well; links to files that do not exist are the
  // integrity step's to report.
  for (const std::string& dir : readme_dirs) {
    const Result<Readme>& readme = readmes.Get(root / dir / "README.md");
    if (!readme.ok()) continue;  // the folder's artifacts step says why
    for (const ModelTable& table : readme->model_tables) {
      for (const ModelTableRow& row : table.rows) {
        for (const MarkdownLink& link : row.cell_links) {
          if (link.target.find("://") != std::string::npos) continue;
          std::string target = link.target.substr(0, link.target.find_first_of("#?"));
          if (target.empty() || target[0] == '/') continue;
          fs::path path = (root / dir / target).lexically_normal();
          std::string relative = RelativeTo(root, path);
          if (StartsWith(relative, "..") || !IsModelFile(path)) continue;
          std::error_code stat_error;
          if (!fs::is_regular_file(fs::symlink_status(path, stat_error))) continue;
          if (OwnerOf(relative, readme_dirs) == dir) continue;
          ModelFolder& folder = folder_for(dir);
          AddUnique(IsArchiveFile(path) ? folder.archives : folder.models, path);
        }
      }
    }
  }
  for (auto& [relative, folder] : folders) {
    std::sort(folder.models.begin(), folder.models.end());
    std::sort(folder.archives.begin(), folder.archives.end());
    layout.folders.push_back(std::move(folder));
  }
  return layout;
}

}  // namespace zooci::pipeline_internal
