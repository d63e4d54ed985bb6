// The step result cache: one JSON file per key under the cache directory.
#include <sys/stat.h>

#include "onnx/onnx_io.h"
#include "pipeline/internal.h"

namespace zooci::pipeline_internal {

using json = nlohmann::json;

json StepToJson(const StepResult& step) {
  json reasons = json::array();
  for (const Reason& reason : step.reasons) {
    reasons.push_back({{"step", reason.step},
                       {"message", reason.message},
                       {"file", reason.file},
                       {"line", reason.line},
                       {"node", reason.node},
                       {"level", ReasonLevelName(reason.level)}});
  }
  return {{"name", step.name},       {"status", StepStatusName(step.status)},
          {"summary", step.summary}, {"reasons", reasons},
          {"seconds", step.seconds}, {"details", step.details_json}};
}

StepResult StepFromJson(const json& data) {
  StepResult step;
  step.name = data.at("name").get<std::string>();
  std::string status = data.at("status").get<std::string>();
  if (status != "pass" && status != "fail" && status != "skipped") {
    // An entry this version cannot read is a miss, never a pass.
    throw json::other_error::create(501, "unknown step status", nullptr);
  }
  step.status = status == "fail"      ? StepStatus::kFail
                : status == "skipped" ? StepStatus::kSkipped
                                      : StepStatus::kPass;
  step.summary = data.at("summary").get<std::string>();
  for (const json& item : data.at("reasons")) {
    std::string level = item.at("level").get<std::string>();
    ReasonLevel parsed = level == "decline"      ? ReasonLevel::kDecline
                         : level == "unverified" ? ReasonLevel::kUnverified
                         : level == "warning"
                             ? ReasonLevel::kWarning
                             : throw json::other_error::create(501, "unknown reason level", nullptr);
    Reason reason =
        MakeReason(item.at("step").get<std::string>(), item.at("message").get<std::string>(),
                   item.at("file").get<std::string>(), item.at("line").get<int>(), parsed);
    reason.node = item.at("node").get<std::string>();
    step.reasons.push_back(std::move(reason));
  }
  step.seconds = data.at("seconds").get<double>();
  step.details_json = data.at("details").get<std::string>();
  return step;
}

std::string WithoutRoot(std::string text, const fs::path& root) {
  const std::string prefix = root.string() + "/";
  for (size_t pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix, pos)) {
    text.erase(pos, prefix.size());
  }
  return text;
}

void WithoutRoot(StepResult& step, const fs::path& root) {
  step.summary = WithoutRoot(step.summary, root);
  step.details_json = WithoutRoot(step.details_json, root);
  for (Reason& reason : step.reasons) reason.message = WithoutRoot(reason.message, root);
}

std::vector<fs::path> ModelAndExternalData(const fs::path& model, const fs::path& root) {
  std::vector<fs::path> files = {model};
  auto info = ReadModelInfo(model);
  if (!info.ok()) return files;
  for (const std::string& location : info->external_data_locations) {
    fs::path data = (model.parent_path() / location).lexically_normal();
    // Locations that leave the folder are the check step's to decline; they are never read.
    if (CheckFileInside(root, data).ok()) files.push_back(data);
  }
  return files;
}

std::optional<std::string> StepCache::Key(const std::string& step, const std::string& versions,
                                          const std::string& config,
                                          const std::vector<fs::path>& inputs,
                                          const fs::path& root) const {
  if (dir_.empty()) return std::nullopt;
  std::string material = step + "\n" + versions + "\n" + config + "\n";
  for (const fs::path& input : inputs) {
    auto sha = hasher_->Hash(input);
    if (!sha.ok()) return std::nullopt;
    material += input.lexically_normal().lexically_relative(root).generic_string() + " " + *sha +
                "\n";
  }
  return Sha256Hex(material);
}

Result<std::string> FileHasher::Hash(const fs::path& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return Error(path.string() + ": cannot stat");
  // As git's index, plus the inode change time: an edit that restores size and modification
  // time (touch -d, an editor keeping mtime) still changes ctime, which no user can set.
  auto time_text = [](const timespec& time) {
    return std::to_string(time.tv_sec) + "." + std::to_string(time.tv_nsec);
  };
  std::string stat_key =
      Sha256Hex(fs::absolute(path).string() + "|" + std::to_string(info.st_size) + "|" +
                time_text(info.st_mtim) + "|" + time_text(info.st_ctim) + "|" +
                std::to_string(info.st_ino) + "|" + std::to_string(info.st_dev));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto known = memo_.find(stat_key);
    if (known != memo_.end()) return known->second;
  }
  fs::path stored = dir_.empty() ? fs::path() : dir_ / "files" / stat_key;
  if (!stored.empty()) {
    auto text = ReadFile(stored, 128);
    if (text.ok() && text->size() == 64) {
      std::lock_guard<std::mutex> lock(mutex_);
      memo_[stat_key] = *text;
      return *text;
    }
  }
  ZC_ASSIGN_OR_RETURN(std::string sha, Sha256File(path));
  if (!stored.empty()) {
    std::error_code error;
    fs::create_directories(stored.parent_path(), error);
    (void)WriteFileAtomic(stored, sha);  // best effort, like the step cache
  }
  std::lock_guard<std::mutex> lock(mutex_);
  memo_[stat_key] = sha;
  return sha;
}

std::optional<StepResult> StepCache::Load(const std::string& key) const {
  auto text = ReadFile(dir_ / (key + ".json"), uint64_t{64} << 20);
  if (!text.ok()) return std::nullopt;
  try {
    StepResult result = StepFromJson(json::parse(*text));
    result.cached = true;
    return result;
  } catch (const json::exception&) {
    return std::nullopt;  // a damaged entry is a miss; the next Store replaces it
  }
}

void StepCache::Store(const std::string& key, const StepResult& result) const {
  std::error_code error;
  fs::create_directories(dir_, error);
  // Best effort: a cache that cannot be written only costs time.
  (void)WriteFileAtomic(dir_ / (key + ".json"), StepToJson(result).dump());
}

}  // namespace zooci::pipeline_internal
