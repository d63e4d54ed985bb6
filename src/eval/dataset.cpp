// Dataset listing: ImageFolder trees and CSV/TSV files of path,label rows.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "eval/eval.h"

namespace zooci {
namespace {

bool IsImageFile(const fs::path& path) {
  static const std::set<std::string> extensions = {".png", ".jpg",  ".jpeg", ".bmp", ".ppm",
                                                   ".pgm", ".webp", ".tif",  ".tiff"};
  return extensions.count(AsciiLower(path.extension().string())) != 0;
}

bool InsideLexically(const fs::path& root, const fs::path& path) {
  std::string relative = path.lexically_normal().lexically_relative(root.lexically_normal())
                             .generic_string();
  return !relative.empty() && relative != ".." && relative.rfind("../", 0) != 0;
}

// A file the dataset names: inside spec.root when it is set (symbolic links resolved).
Status CheckInside(const DatasetSpec& spec, const fs::path& path) {
  if (spec.root.empty()) return OkStatus();
  return CheckFileInside(spec.root, path);
}

Result<std::string> ReadDatasetFile(const DatasetSpec& spec, const fs::path& path,
                                    uint64_t max_bytes) {
  ZC_RETURN_IF_ERROR(CheckInside(spec, path));
  return ReadFile(path, max_bytes);
}

Result<std::vector<std::string>> ReadLabels(const DatasetSpec& spec, const fs::path& path) {
  ZC_ASSIGN_OR_RETURN(std::string text, ReadDatasetFile(spec, path, uint64_t{16} << 20));
  std::vector<std::string> labels;
  for (const std::string& line : SplitString(text, '\n')) {
    std::string_view name = Trim(line);
    if (!name.empty()) labels.emplace_back(name);
  }
  if (labels.empty()) return Error(path.string() + ": no class names");
  std::set<std::string> unique(labels.begin(), labels.end());
  if (unique.size() != labels.size()) return Error(path.string() + ": a class name repeats");
  return labels;
}

Result<Dataset> LoadImageFolder(const DatasetSpec& spec) {
  Dataset dataset;
  std::error_code error;
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(spec.path, error)) {
    if (entry.is_directory(error)) folders.push_back(entry.path().filename().string());
  }
  if (error) return Error(spec.path.string() + ": " + error.message());
  std::sort(folders.begin(), folders.end());
  if (!spec.labels.empty()) {
    ZC_ASSIGN_OR_RETURN(dataset.class_names, ReadLabels(spec, spec.labels));
    for (const std::string& folder : folders) {
      if (std::find(dataset.class_names.begin(), dataset.class_names.end(), folder) ==
          dataset.class_names.end()) {
        return Error((spec.path / folder).string() + ": class '" + folder + "' is not in " +
                     spec.labels.string());
      }
    }
  } else {
    dataset.class_names = folders;
  }
  for (size_t label = 0; label < dataset.class_names.size(); ++label) {
    fs::path folder = spec.path / dataset.class_names[label];
    if (!fs::is_directory(folder, error)) continue;  // a class without samples
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
      if (!IsImageFile(entry.path())) continue;
      if (entry.is_symlink(error) || !entry.is_regular_file(error)) {
        ZC_RETURN_IF_ERROR(CheckInside(spec, entry.path()));  // a link leaving the folder
        if (!entry.is_regular_file(error)) continue;
      }
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      dataset.samples.push_back({file, static_cast<int64_t>(label)});
    }
  }
  return dataset;
}

Result<Dataset> LoadTable(const DatasetSpec& spec) {
  Dataset dataset;
  ZC_ASSIGN_OR_RETURN(dataset.class_names, ReadLabels(spec, spec.labels));
  std::map<std::string, int64_t> by_name;
  for (size_t index = 0; index < dataset.class_names.size(); ++index) {
    by_name[dataset.class_names[index]] = static_cast<int64_t>(index);
  }
  ZC_ASSIGN_OR_RETURN(std::string text, ReadDatasetFile(spec, spec.path, uint64_t{1} << 30));
  char separator = spec.format == DatasetFormat::kTsv ? '\t' : ',';
  fs::path base = spec.path.parent_path();
  std::vector<std::string> lines = SplitString(text, '\n');
  for (size_t line_idx = spec.header ? 1 : 0; line_idx < lines.size(); ++line_idx) {
    std::string_view line = Trim(lines[line_idx]);
    if (line.empty()) continue;
    std::string where = spec.path.string() + ":" + std::to_string(line_idx + 1);
    std::vector<std::string> cells = SplitString(line, separator);
    if (cells.size() != 2) return Error(where + ": expected 2 columns (path, label)");
    std::string path_text(Trim(cells[0]));
    std::string label_text(Trim(cells[1]));
    if (!spec.root.empty()) {
      // A row names a file of the model folder: never an absolute path or one climbing out.
      fs::path lexical = fs::path(path_text).lexically_normal();
      if (lexical.is_absolute() || (!lexical.empty() && *lexical.begin() == "..") ||
          !InsideLexically(spec.root, base / lexical)) {
        return Error(where + ": '" + path_text +
                     "' is not a path inside the model folder; it was not read");
      }
    }
    fs::path path = fs::path(path_text).is_absolute() ? fs::path(path_text) : base / path_text;
    std::error_code error;
    if (Status inside = CheckInside(spec, path); !inside.ok()) {
      return Error(where + ": " + inside.error().message());
    }
    if (!fs::is_regular_file(path, error)) return Error(where + ": no such image " + path.string());
    int64_t label = -1;
    auto named = by_name.find(label_text);
    if (named != by_name.end()) {
      label = named->second;
    } else if (auto index = ParseInt(label_text, "label"); index.ok()) {
      label = *index;
    }
    if (label < 0 || label >= static_cast<int64_t>(dataset.class_names.size())) {
      return Error(where + ": label '" + label_text + "' is neither a class name of " +
                   spec.labels.string() + " nor an index below " +
                   std::to_string(dataset.class_names.size()));
    }
    dataset.samples.push_back({path, label});
  }
  return dataset;
}

}  // namespace

Result<Dataset> LoadDataset(const DatasetSpec& spec) {
  Result<Dataset> dataset =
      spec.format == DatasetFormat::kImageFolder ? LoadImageFolder(spec) : LoadTable(spec);
  if (!dataset.ok()) return dataset;
  if (dataset->samples.empty()) return Error(spec.path.string() + ": the dataset has no samples");
  if (spec.limit > 0 && static_cast<int64_t>(dataset->samples.size()) > spec.limit) {
    dataset->samples.resize(static_cast<size_t>(spec.limit));
  }
  return dataset;
}

}  // namespace zooci
