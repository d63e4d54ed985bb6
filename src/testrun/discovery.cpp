// Finding test cases on disk and in archives.
#include <algorithm>

#include "testrun/testrun.h"

namespace zooci {
namespace {

constexpr int kMaxTreeDepth = 16;

bool IsArchive(const fs::path& path) {
  std::string name = path.filename().string();
  return EndsWith(name, ".tar.gz") || EndsWith(name, ".tgz") || EndsWith(name, ".tar");
}

std::string ArchiveStem(const fs::path& path) {
  std::string name = path.filename().string();
  for (std::string_view suffix : {".tar.gz", ".tgz", ".tar"}) {
    if (EndsWith(name, suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

std::vector<fs::path> ModelFilesIn(const fs::path& dir) {
  std::vector<fs::path> models;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".onnx" && entry.is_regular_file(ec))
      models.push_back(entry.path());
  }
  std::sort(models.begin(), models.end());
  return models;
}

TestCase MakeCase(std::string id, const fs::path& model, const fs::path& data_dir) {
  TestCase test_case;
  test_case.id = std::move(id);
  test_case.model_path = model;
  auto data_sets = FindDataSets(data_dir);
  if (data_sets.ok()) {
    test_case.data_sets = std::move(*data_sets);
  } else {
    test_case.discovery_error = data_sets.error().message();
  }
  return test_case;
}

// Cases of one model directory: one per .onnx file (named after the file when there are several).
void AddModelDir(const std::string& id, const fs::path& dir, const std::vector<fs::path>& models,
                 std::vector<TestCase>* cases) {
  for (const fs::path& model : models) {
    std::string case_id = models.size() == 1 ? id : id + "/" + model.filename().string();
    cases->push_back(MakeCase(case_id, model, dir));
  }
}

// Depth-first, sorted, not following directory symlinks.
void WalkTree(const fs::path& dir, const std::string& id, int depth, std::vector<TestCase>* cases) {
  std::vector<fs::path> models = ModelFilesIn(dir);
  if (!models.empty()) {
    AddModelDir(id, dir, models, cases);
    return;
  }
  if (depth >= kMaxTreeDepth) return;
  std::vector<fs::path> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) children.push_back(entry.path());
  }
  std::sort(children.begin(), children.end());
  for (const fs::path& child : children)
    WalkTree(child, id + "/" + child.filename().string(), depth + 1, cases);
}

// An ONNX Model Zoo archive holds one folder with one .onnx and test_data_set_*. Errors name the
// archive.
Status AddArchive(const fs::path& archive, const ExtractLimits& limits, Discovery* discovery) {
  ZC_ASSIGN_OR_RETURN(TempDir temp, TempDir::Create("zooci-archive").WithContext(archive.string()));
  ZC_RETURN_IF_ERROR(ExtractArchive(archive, temp.path(), limits));
  std::vector<TestCase> found;
  WalkTree(temp.path(), ArchiveStem(archive), 0, &found);
  if (found.empty()) return Error(archive.string() + ": the archive holds no .onnx model");
  for (TestCase& test_case : found) {
    // "<stem>/<folder>" -> "<stem>" when the archive holds the usual single folder.
    if (found.size() == 1) test_case.id = ArchiveStem(archive);
    discovery->cases.push_back(std::move(test_case));
  }
  discovery->temp_dirs.push_back(std::move(temp));
  return OkStatus();
}

}  // namespace

Result<Discovery> DiscoverCases(const std::vector<fs::path>& paths,
                                const std::optional<fs::path>& data_dir,
                                const ExtractLimits& extract_limits) {
  Discovery discovery;
  for (const fs::path& path : paths) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return Error(path.string() + ": no such file or directory");
    std::string name =
        path.filename().empty() ? path.parent_path().filename().string() : path.filename().string();
    if (fs::is_regular_file(status) && path.extension() == ".onnx") {
      fs::path data = data_dir.value_or(path.parent_path());
      if (!fs::is_directory(data)) return Error("--data " + data.string() + ": not a directory");
      discovery.cases.push_back(MakeCase(name, path, data));
    } else if (fs::is_regular_file(status) && IsArchive(path)) {
      ZC_RETURN_IF_ERROR(AddArchive(path, extract_limits, &discovery));
    } else if (fs::is_directory(status)) {
      if (data_dir)
        return Error("--data applies to a model file, not to the directory " + path.string());
      size_t before = discovery.cases.size();
      WalkTree(path, name, 0, &discovery.cases);
      if (discovery.cases.size() == before) return Error(path.string() + ": no .onnx model found");
    } else {
      return Error(path.string() + ": not a model (.onnx), an archive (.tar.gz) or a directory");
    }
  }
  return discovery;
}

}  // namespace zooci
