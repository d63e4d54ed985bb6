// The zoo's own configuration, `zooci-zoo.yaml` at the zoo root (docs/zoo-config.md has the full
// format with an example). Parsed once, strictly: unknown keys are errors listing the valid ones,
// every error names "<file>:<line>: <key path>". yaml-cpp's exceptions stay in this file.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "zoo/zoo.h"

namespace zooci {
namespace {


const std::vector<ArtifactInfo> kArtifacts = {
    {Artifact::kReadme, "readme", 1, "a README.md with a model table"},
    {Artifact::kLinks, "links", 1, "relative links in the README that resolve"},
    {Artifact::kInferenceNotebook, "inference-notebook", 2,
     "a notebook (or script, or complete inline example) that runs the model"},
    {Artifact::kInferenceDetails, "inference-details", 2,
     "the model's input and output described in the README"},
    {Artifact::kValidationNotebook, "validation-notebook", 3,
     "a notebook (or script) that measures the claimed metric"},
    {Artifact::kAccuracy, "accuracy", 3, "the measured accuracy (or other metric) in the README"},
    {Artifact::kPreprocessing, "preprocessing", 4,
     "a preprocessing script (linked, or complete inline code)"},
    {Artifact::kPostprocessing, "postprocessing", 4,
     "a postprocessing script (linked, or complete inline code)"},
    {Artifact::kDataset, "dataset", 5, "the dataset and how to obtain and prepare it"},
    {Artifact::kNotebookScripts, "notebook-scripts", 6,
     "the scripts the notebooks run, in the submission"},
    {Artifact::kDescription, "description", 7, "a description of the model"},
    {Artifact::kUseCases, "use-cases", 7, "the model's use cases"},
    {Artifact::kReferences, "references", 7, "references (papers, sources)"},
    {Artifact::kContributors, "contributors", 7, "the contributors"},
    {Artifact::kLicense, "license", 7, "licence information"},
    {Artifact::kMainReadmeLink, "main-readme-link", 8, "a link from the zoo's main README"},
};

const char* TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined value";
  }
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Status Parse(const YAML::Node& root, ZooConfig* config) const {
    ZC_ASSIGN_OR_RETURN(auto fields,
                        Fields(root, "", {"repository", "artifacts", "licenses", "baselines",
                                          "tasks", "runtimes", "claims", "datasets"}));
    for (const auto& [name, key, value] : fields) {
      if (name == "repository") {
        ZC_ASSIGN_OR_RETURN(config->repository, Scalar(value, name));
        if (std::count(config->repository.begin(), config->repository.end(), '/') != 1) {
          return Fail(value, name, "expected OWNER/NAME (e.g. onnx/models)");
        }
      } else if (name == "artifacts") {
        ZC_RETURN_IF_ERROR(ParseArtifacts(value, config));
      } else if (name == "licenses") {
        config->licenses_line = key.Mark().is_null() ? 0 : key.Mark().line + 1;
        if (!value.IsSequence()) {
          return Fail(value, name, std::string("expected a list, got ") + TypeName(value));
        }
        for (size_t index = 0; index < value.size(); ++index) {
          ZC_ASSIGN_OR_RETURN(std::string id,
                              Scalar(value[index], name + "[" + std::to_string(index) + "]"));
          config->licenses.push_back(id);
        }
      } else if (name == "baselines") {
        ZC_RETURN_IF_ERROR(ParseBaselines(value, config));
      } else if (name == "runtimes") {
        ZC_RETURN_IF_ERROR(ParseRuntimes(value, config));
      } else if (name == "datasets") {
        ZC_RETURN_IF_ERROR(ParseDatasets(value, config));
      } else if (name == "claims") {
        ZC_ASSIGN_OR_RETURN(auto claims, Fields(value, name, {"max_tolerance_pp"}));
        for (const auto& [field, field_key, field_value] : claims) {
          ZC_ASSIGN_OR_RETURN(config->max_claim_tolerance_pp,
                              Number(field_value, name + "." + field));
          if (config->max_claim_tolerance_pp < 0) {
            return Fail(field_value, name + "." + field, "must be at least 0");
          }
          config->max_claim_tolerance_line =
              field_key.Mark().is_null() ? 0 : field_key.Mark().line + 1;
        }
      } else if (name == "tasks") {
        ZC_ASSIGN_OR_RETURN(auto tasks, Fields(value, name, {}));
        for (const auto& [prefix, task_key, task] : tasks) {
          ZC_ASSIGN_OR_RETURN(std::string task_name, Scalar(task, name + "." + prefix));
          config->tasks.emplace_back(prefix, task_name);
        }
      }
    }
    return OkStatus();
  }

 private:
  struct Entry {
    std::string name;
    YAML::Node key, value;
  };

  Error Fail(const YAML::Node& node, const std::string& path, const std::string& message) const {
    std::string where = file_;
    if (node.IsDefined() && !node.Mark().is_null()) {
      where += ":" + std::to_string(node.Mark().line + 1);
    }
    return Error(where + ": " + (path.empty() ? "" : path + ": ") + message);
  }

  // A mapping's entries; `valid` empty accepts any key. Duplicate keys are errors.
  Result<std::vector<Entry>> Fields(const YAML::Node& node, const std::string& path,
                                    const std::vector<std::string>& valid) const {
    std::vector<Entry> entries;
    if (node.IsNull()) return entries;
    if (!node.IsMap()) {
      return Fail(node, path, std::string("expected a mapping, got ") + TypeName(node));
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) return Fail(it->first, path, "keys must be scalars");
      std::string name = it->first.Scalar();
      std::string key_path = path.empty() ? name : path + "." + name;
      if (!valid.empty() && std::find(valid.begin(), valid.end(), name) == valid.end()) {
        return Fail(it->first, key_path, "unknown key (valid: " + JoinStrings(valid, ", ") + ")");
      }
      for (const Entry& entry : entries) {
        if (entry.name == name) return Fail(it->first, key_path, "duplicate key");
      }
      entries.push_back({name, it->first, it->second});
    }
    return entries;
  }

  Result<std::string> Scalar(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Fail(node, path, std::string("expected a non-empty string, got ") + TypeName(node));
    }
    return node.Scalar();
  }

  Result<double> Number(const YAML::Node& node, const std::string& path) const {
    ZC_ASSIGN_OR_RETURN(std::string text, Scalar(node, path));
    auto value = ParseDouble(text, path);
    if (!value.ok() || !std::isfinite(*value) || *value < 0) {
      return Fail(node, path, "expected a non-negative number, got '" + text + "'");
    }
    return *value;
  }

  Status ParseArtifacts(const YAML::Node& node, ZooConfig* config) const {
    std::vector<std::string> keys;
    for (const ArtifactInfo& info : kArtifacts) keys.push_back(info.key);
    ZC_ASSIGN_OR_RETURN(auto fields, Fields(node, "artifacts", keys));
    for (const auto& [name, key, value] : fields) {
      std::string path = "artifacts." + name;
      ZC_ASSIGN_OR_RETURN(std::string level, Scalar(value, path));
      ArtifactLevel parsed;
      if (level == "required") {
        parsed = ArtifactLevel::kRequired;
      } else if (level == "recommended") {
        parsed = ArtifactLevel::kRecommended;
      } else if (level == "off") {
        parsed = ArtifactLevel::kOff;
      } else {
        return Fail(value, path, "expected required, recommended or off, got '" + level + "'");
      }
      for (const ArtifactInfo& info : kArtifacts) {
        if (name == info.key) config->artifacts[info.id] = parsed;
      }
    }
    return OkStatus();
  }

  // runtimes: {NAME: required|reported, ...}. Names are checked against the runtimes zooci knows
  // by pipeline, which knows them; here only their form.
  Status ParseRuntimes(const YAML::Node& node, ZooConfig* config) const {
    ZC_ASSIGN_OR_RETURN(auto fields, Fields(node, "runtimes", {}));
    if (fields.empty()) return Fail(node, "runtimes", "expected at least one runtime");
    for (const auto& [name, key, value] : fields) {
      std::string path = "runtimes." + name;
      bool well_formed = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
      if (!well_formed) return Fail(key, path, "a runtime name is lowercase letters and digits");
      ZC_ASSIGN_OR_RETURN(std::string role, Scalar(value, path));
      ZooRuntime runtime;
      runtime.name = name;
      runtime.line = key.Mark().is_null() ? 0 : key.Mark().line + 1;
      if (role == "required") {
        runtime.role = RuntimeRole::kRequired;
      } else if (role == "reported") {
        runtime.role = RuntimeRole::kReported;
      } else {
        return Fail(value, path, "expected required or reported, got '" + role + "'");
      }
      config->runtimes.push_back(std::move(runtime));
    }
    return OkStatus();
  }

  // datasets: {TASK: FOLDER, ...}: folders relative to the zoo's root that stay inside it.
  Status ParseDatasets(const YAML::Node& node, ZooConfig* config) const {
    ZC_ASSIGN_OR_RETURN(auto fields, Fields(node, "datasets", {}));
    for (const auto& [task, key, value] : fields) {
      std::string path = "datasets." + task;
      ZC_ASSIGN_OR_RETURN(std::string folder, Scalar(value, path));
      fs::path normal = fs::path(folder).lexically_normal();
      std::string text = normal.generic_string();
      while (!text.empty() && text.back() == '/') text.pop_back();
      if (normal.is_absolute() || text.empty() || text == "." || text == ".." ||
          StartsWith(text, "../")) {
        return Fail(value, path, "expected a folder inside the zoo, relative to its root");
      }
      config->datasets.push_back(
          {task, text, key.Mark().is_null() ? 0 : key.Mark().line + 1});
    }
    return OkStatus();
  }

  Status ParseBaselines(const YAML::Node& node, ZooConfig* config) const {
    ZC_ASSIGN_OR_RETURN(auto tasks, Fields(node, "baselines", {}));
    for (const auto& [task, task_key, limits] : tasks) {
      std::string path = "baselines." + task;
      TaskBaseline baseline;
      baseline.task = task;
      baseline.line = task_key.Mark().is_null() ? 0 : task_key.Mark().line + 1;
      // Each task's figures, then latency for every task. A key of another task's figures is an
      // error listing this task's: a detector has no top-1 to hold to a minimum.
      struct Limit {
        const char* name;
        std::optional<double>* target;
        bool percent;  // a minimum figure, 0 to 100
      };
      std::vector<Limit> limits_of_task;
      if (task == "image-classification") {
        limits_of_task = {{"min_top1_percent", &baseline.min_top1_percent, true},
                          {"min_top5_percent", &baseline.min_top5_percent, true}};
      } else if (task == "object-detection") {
        limits_of_task = {{"min_map_percent", &baseline.min_map_percent, true},
                          {"min_map50_percent", &baseline.min_map50_percent, true}};
      } else if (task == "semantic-segmentation") {
        limits_of_task = {{"min_miou_percent", &baseline.min_miou_percent, true},
                          {"min_pixel_accuracy_percent", &baseline.min_pixel_accuracy_percent,
                           true}};
      } else {
        return Fail(task_key, path,
                    "unknown task (valid: image-classification, object-detection, "
                    "semantic-segmentation)");
      }
      limits_of_task.push_back({"max_p50_ms", &baseline.max_p50_ms, false});
      limits_of_task.push_back({"max_p90_ms", &baseline.max_p90_ms, false});
      std::vector<std::string> valid;
      for (const Limit& limit : limits_of_task) valid.push_back(limit.name);
      ZC_ASSIGN_OR_RETURN(auto fields, Fields(limits, path, valid));
      for (const auto& [name, key, value] : fields) {
        ZC_ASSIGN_OR_RETURN(double number, Number(value, path + "." + name));
        const Limit& limit = *std::find_if(limits_of_task.begin(), limits_of_task.end(),
                                           [&](const Limit& l) { return l.name == name; });
        if (limit.percent && number > 100) {
          return Fail(value, path + "." + name, "a minimum is a percentage (0 to 100)");
        }
        *limit.target = number;
      }
      config->baselines.push_back(std::move(baseline));
    }
    return OkStatus();
  }

  std::string file_;
};

}  // namespace

const std::vector<ArtifactInfo>& AllArtifacts() {
  return kArtifacts;
}

const ArtifactInfo& InfoOf(Artifact artifact) {
  for (const ArtifactInfo& info : kArtifacts) {
    if (info.id == artifact) return info;
  }
  return kArtifacts.front();
}

ArtifactLevel ZooConfig::Level(Artifact artifact) const {
  auto it = artifacts.find(artifact);
  return it == artifacts.end() ? ArtifactLevel::kRequired : it->second;
}

const TaskBaseline* ZooConfig::BaselineFor(const std::string& task) const {
  for (const TaskBaseline& baseline : baselines) {
    if (baseline.task == task) return &baseline;
  }
  return nullptr;
}

const ZooDataset* ZooConfig::DatasetFor(const std::string& task) const {
  for (const ZooDataset& dataset : datasets) {
    if (dataset.task == task) return &dataset;
  }
  return nullptr;
}

std::string ZooConfig::TaskOf(const std::string& folder) const {
  std::string best_prefix, task;
  for (const auto& [prefix, name] : tasks) {
    bool covers = folder == prefix || StartsWith(folder, prefix + "/");
    if (covers && prefix.size() >= best_prefix.size()) {
      best_prefix = prefix;
      task = name;
    }
  }
  if (!task.empty()) return task;
  // The ONNX Model Zoo's layout names the task in the path: validated/vision/classification/...
  for (const std::string& part : SplitString(folder, '/')) {
    if (part == "classification") return "image-classification";
    if (part == "object_detection_segmentation") return "object-detection";
  }
  return "";
}

Result<ZooConfig> ParseZooConfig(const std::string& text, const fs::path& file) {
  ZooConfig config;
  config.file = file;
  try {
    YAML::Node root_node = YAML::Load(text);
    ZC_RETURN_IF_ERROR(Parser(kZooConfigFile).Parse(root_node, &config));
  } catch (const YAML::Exception& exception) {
    return Error(std::string(kZooConfigFile) + ":" + std::to_string(exception.mark.line + 1) +
                 ": " + exception.msg);
  }
  return config;
}

Result<ZooConfig> LoadZooConfig(const fs::path& root) {
  fs::path path = root / kZooConfigFile;
  std::error_code error;
  if (!fs::exists(fs::symlink_status(path, error))) return ZooConfig{};
  if (!fs::is_regular_file(fs::symlink_status(path, error))) {
    return Error(std::string(kZooConfigFile) + ": not a regular file");
  }
  ZC_ASSIGN_OR_RETURN(std::string text,
                      ReadFile(path, kMaxZooConfigBytes).WithContext(kZooConfigFile));
  return ParseZooConfig(text, path);
}

}  // namespace zooci
