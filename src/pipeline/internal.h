// Private to pipeline: the model folder under review and the steps.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>

#include "pipeline/pipeline.h"
#include "zoo/zoo.h"

namespace zooci::pipeline_internal {

// A model folder: a directory below the zoo root with a README.md, and the model files it reviews
// (discovery.cpp has the rules).
struct ModelFolder {
  fs::path root;                   // the zoo root
  std::string relative;            // '/'-separated, relative to the root
  fs::path dir;                    // root / relative
  std::vector<fs::path> models;    // .onnx files, sorted
  std::vector<fs::path> archives;  // .tar.gz / .tgz files, sorted
};

// A model file that no folder reviews, and why.
struct UnreviewedFile {
  std::string file;  // relative to the root
  std::string reason;
};

struct ZooLayout {
  std::vector<ModelFolder> folders;  // sorted by path
  std::vector<UnreviewedFile> unreviewed;
};

// Every model file under `root`, by the folder that reviews it.
ZooLayout DiscoverZoo(const fs::path& root);
bool IsModelFile(const fs::path& path);    // .onnx, .tar.gz, .tgz (any case)
bool IsArchiveFile(const fs::path& path);  // .tar.gz, .tgz
std::string RelativeTo(const fs::path& root, const fs::path& path);  // '/'-separated

// What changed between `ref` and HEAD (three-dot: since the merge base), by model folder.
struct Changes {
  std::vector<std::pair<std::string, std::string>> reviewed;  // folder -> "added", "modified",
                                                              // "renamed from X"
  std::vector<std::string> removed;                           // folders deleted or renamed away
  std::vector<std::string> touched;  // every path the diff adds, modifies or renames to
};
Result<Changes> ChangedModelFolders(const fs::path& root, const std::string& ref,
                                    const std::vector<ModelFolder>& folders);

// SHA-256 of files, computed once: remembered for the run, and on disk (under the cache
// directory) by the file's path, size, modification time and inode, as git's index does, so an
// unchanged file is never read again. Thread-safe.
class FileHasher {
 public:
  explicit FileHasher(fs::path cache_dir) : dir_(std::move(cache_dir)) {}
  Result<std::string> Hash(const fs::path& path);

 private:
  fs::path dir_;
  std::mutex mutex_;
  std::map<std::string, std::string> memo_;  // stat key -> content hash; guarded by mutex_
};

// Steps. Each fills `result` (status, summary, reasons, details).
struct StepContext {
  const ModelFolder* folder = nullptr;
  const ValidateOptions* options = nullptr;
  Executor* executor = nullptr;
  std::string runtime;                                   // "onnxruntime 1.30.0", part of cache keys
  const std::vector<ManifestEntry>* manifest = nullptr;  // null when the zoo has none
  bool manifest_present = false;
  FileHasher* hasher = nullptr;
  const ZooConfig* config = nullptr;     // the zoo's zooci-zoo.yaml (defaults when absent)
  const Readme* main_readme = nullptr;   // the zoo's README.md; null when unreadable
};

StepResult CheckArtifacts(const StepContext& context);
StepResult CheckIntegrity(const StepContext& context);
StepResult RunCheckStep(const StepContext& context);
StepResult RunTestStep(const StepContext& context);
StepResult RunEvalStep(const StepContext& context);
StepResult RunBenchStep(const StepContext& context);

// Checks after a model folder was deleted or renamed away: no link to it in the main README and
// no manifest entry under it.
std::vector<Reason> CheckRemovedFolder(const fs::path& root, const std::string& folder,
                                       const std::vector<ManifestEntry>* manifest);

// ---- cache.cpp: step results keyed by their inputs.
class StepCache {
 public:
  StepCache(fs::path dir, FileHasher* hasher) : dir_(std::move(dir)), hasher_(hasher) {}
  // Key from the step name, zooci's and the runtime's versions, the configuration and the
  // SHA-256 of every input file. An input that cannot be hashed makes the step uncacheable.
  std::optional<std::string> Key(const std::string& step, const std::string& versions,
                                 const std::string& config,
                                 const std::vector<fs::path>& inputs) const;
  std::optional<StepResult> Load(const std::string& key) const;
  void Store(const std::string& key, const StepResult& result) const;

 private:
  fs::path dir_;
  FileHasher* hasher_;
};

nlohmann::json StepToJson(const StepResult& step);
StepResult StepFromJson(const nlohmann::json& data);  // throws json errors

Reason MakeReason(std::string step, std::string message, std::string file = {}, int line = 0,
                  ReasonLevel level = ReasonLevel::kDecline);
// Sets status from the reasons: kFail when one declines.
void Conclude(StepResult& step, std::string summary);

}  // namespace zooci::pipeline_internal
