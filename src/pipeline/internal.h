// Private to pipeline: the model folder under review and the steps.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
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

// Every README of a review, parsed once, read only from inside the repository (CheckFileInside)
// and up to kMaxReadmeBytes. Thread-safe; the references it returns live as long as it does.
class ReadmeStore {
 public:
  static constexpr uint64_t kMaxReadmeBytes = uint64_t{1} << 20;
  explicit ReadmeStore(fs::path root);
  // The parsed README at `path`, or why it cannot be read (a symlink leaving the repository, too
  // large, not a regular file), as a sentence for the submitter.
  const Result<Readme>& Get(const fs::path& path);

 private:
  Result<Readme> Parse(const fs::path& path) const;
  fs::path root_;
  std::mutex mutex_;
  std::map<fs::path, std::unique_ptr<Result<Readme>>> parsed_;  // guarded by mutex_
};

// Every model file under `root`, by the folder that reviews it.
ZooLayout DiscoverZoo(const fs::path& root, ReadmeStore& readmes);
bool IsModelFile(const fs::path& path);    // .onnx, .tar.gz, .tgz (any case)
bool IsArchiveFile(const fs::path& path);  // .tar.gz, .tgz
std::string RelativeTo(const fs::path& root, const fs::path& path);  // '/'-separated

// What changed between `ref` and HEAD (three-dot: since the merge base), by model folder.
struct Changes {
  std::vector<std::pair<std::string, std::string>> reviewed;  // folder -> "added", "modified",
                                                              // "renamed from X"
  std::vector<std::string> removed;                           // folders deleted or renamed away
  std::vector<std::string> touched;  // every path the diff adds, modifies or renames to
  std::string base_commit;           // the ref, resolved to a commit id
  std::string zoo_prefix;            // the zoo's folder in the repository ("" or "zoo/")
};
// Runs git in `root` (argv after "git -C root"); its stdout, or an error naming `what`.
Result<std::string> Git(const fs::path& root, std::vector<std::string> args,
                        const std::string& what);

// ---- zoo_config_review.cpp: which zooci-zoo.yaml governs a review.
struct GoverningConfig {
  ZooConfig config;
  std::vector<Reason> reasons;  // about the configuration itself (zoo-level)
};
// Reviewing a change (`changes` non-null), the base commit's zooci-zoo.yaml governs: a pull
// request must not relax the rules it is judged by. A change to the file is reported (a
// maintainer must review it: an unverified reason), with the head version's parse error if it has
// one. Otherwise the file at `root`.
Result<GoverningConfig> LoadGoverningConfig(const fs::path& root, const Changes* changes);
Result<Changes> ChangedModelFolders(const fs::path& root, const std::string& ref,
                                    const std::vector<ModelFolder>& folders);

// ---- lfs_review.cpp: Git LFS pointers among the reviewed model files.
struct LfsFileState {
  enum Status {
    kNotFetched,     // covered by an LFS rule; the checkout lacks the content (not verified)
    kOutsideRules,   // committed outside the .gitattributes LFS rules (declines)
    kObjectMissing,  // LFS cannot fetch the object: never pushed (declines)
    kFetchFailed,    // the fetch failed for a reason of the environment (not verified)
    kFetched,        // fetched by --fetch-lfs: the file now holds the model
  };
  Status status = kNotFetched;
  LfsPointer pointer;
  std::string reason;  // git-lfs's one-line reason for kObjectMissing and kFetchFailed
};
struct LfsReview {
  std::map<fs::path, LfsFileState> files;  // every pointer among the reviewed model files
  std::vector<Reason> zoo_reasons;         // the zoo-wide notice; a failed fetch
  size_t fetched = 0;
  const LfsFileState* Find(const fs::path& path) const;  // nullptr: not a pointer
};
// Classifies the pointers of `folders` and, with `fetch`, fetches those not fetched (git lfs in
// the repository holding `root`).
LfsReview ReviewLfs(const fs::path& root, const std::vector<const ModelFolder*>& folders,
                    bool fetch);

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

// ---- runtimes.cpp, matrix_step.cpp: the compatibility matrix.

// A runtime of the matrix and the executor that runs it.
struct MatrixRuntime {
  ReviewRuntime review;
  Executor* executor = nullptr;  // null: not checked (review.not_checked says why)
};

// The matrix's runtimes from --runtimes (options.runtimes), else the zoo's `runtimes`: the primary
// (options.runtime) first and always required; none when neither sets a list. Names are checked
// against RuntimeNames(); errors name the flag, or the file, line and key.
Result<std::vector<ReviewRuntime>> ChooseRuntimes(const ValidateOptions& options,
                                                  const ZooConfig& config);

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
  ReadmeStore* readmes = nullptr;        // every README, parsed once
  const LfsReview* lfs = nullptr;        // the pointers among the reviewed model files
  // The compatibility matrix's runtimes, the primary first; empty: no matrix step.
  const std::vector<MatrixRuntime>* matrix = nullptr;
};

StepResult CheckArtifacts(const StepContext& context);
StepResult CheckIntegrity(const StepContext& context);
StepResult RunCheckStep(const StepContext& context);
StepResult RunTestStep(const StepContext& context);
StepResult RunEvalStep(const StepContext& context);
StepResult RunBenchStep(const StepContext& context);
// The folder's test data (else generated inputs) on every matrix runtime (matrix_step.cpp).
StepResult RunMatrixStep(const StepContext& context);

// The zoo's baseline for the folder's task against the eval and bench steps' figures; nullopt when
// the zoo sets none for it (baseline_step.cpp).
std::optional<StepResult> RunBaselineStep(const StepContext& context,
                                          const std::vector<StepResult>& steps);
// The folder's task: its zooci.yaml's, else the zoo configuration's (tasks, layout).
std::string TaskOfFolder(const StepContext& context);

// Checks after a model folder was deleted or renamed away: no link to it in the main README and
// no manifest entry under it.
std::vector<Reason> CheckRemovedFolder(const fs::path& root, const std::string& folder,
                                       const std::vector<ManifestEntry>* manifest,
                                       ReadmeStore& readmes);

// ---- cache.cpp: step results keyed by their inputs.
class StepCache {
 public:
  StepCache(fs::path dir, FileHasher* hasher) : dir_(std::move(dir)), hasher_(hasher) {}
  // Key from the step name, zooci's and the runtime's versions, the configuration and the
  // SHA-256 of every input file. An input that cannot be hashed makes the step uncacheable.
  // Inputs are named by their path relative to `root` in the key (two folders holding the same
  // file are two keys).
  std::optional<std::string> Key(const std::string& step, const std::string& versions,
                                 const std::string& config, const std::vector<fs::path>& inputs,
                                 const fs::path& root) const;
  std::optional<StepResult> Load(const std::string& key) const;
  void Store(const std::string& key, const StepResult& result) const;

 private:
  fs::path dir_;
  FileHasher* hasher_;
};

// `text` with every "<root>/" removed: messages name files by their place in the repository.
std::string WithoutRoot(std::string text, const fs::path& root);
// WithoutRoot on a step's summary and every reason's message.
void WithoutRoot(StepResult& step, const fs::path& root);

// Runs `compute` unless the cache has a result for the same inputs and configuration: the
// content of every file in `inputs` (everything the step reads), the step's `config`, the folder,
// the sandbox's limits, zooci's version and build, and the runtime's version. What is stored is
// what a fresh run shows (repository-relative messages); a transient result is never stored.
template <typename Compute>
StepResult Cached(const StepContext& context, const std::string& step, const std::string& config,
                  const std::vector<fs::path>& inputs, Compute compute) {
  StepCache cache(context.options->cache_dir, context.hasher);
  const fs::path& root = context.folder->root;
  std::string versions = context.options->zooci_version + "|" + context.options->build_id + "|" +
                         context.runtime;
  std::string full_config = config + "|folder=" + context.folder->relative + "|sandbox=" +
                            context.options->executor_config;
  std::optional<std::string> key = cache.Key(step, versions, full_config, inputs, root);
  if (key) {
    if (std::optional<StepResult> hit = cache.Load(*key)) return *hit;
  }
  StepResult result = compute();
  WithoutRoot(result, root);
  if (key && !result.transient) cache.Store(*key, result);
  return result;
}

// A model file and the external data files it names (those inside its folder): what reading the
// model reads.
std::vector<fs::path> ModelAndExternalData(const fs::path& model, const fs::path& root);

// The files of `files` whose content is in the checkout (not Git LFS pointers); `pointers`
// counts the others.
std::vector<fs::path> WithContent(const std::vector<fs::path>& files, size_t* pointers);
// A step that could not run because model content is missing from the checkout: not the
// submission's defect (the integrity step reports pointers that are), but not verified either.
StepResult NotFetched(const StepContext& context, const std::string& name, size_t pointers);
// A step that did not run: a declining reason "skipped: why" when `declines`.
StepResult Skipped(const std::string& name, const std::string& why, bool declines,
                   const std::string& file = {});

nlohmann::json StepToJson(const StepResult& step);
StepResult StepFromJson(const nlohmann::json& data);  // throws json errors

Reason MakeReason(std::string step, std::string message, std::string file = {}, int line = 0,
                  ReasonLevel level = ReasonLevel::kDecline);
// Sets status from the reasons: kFail when one declines.
void Conclude(StepResult& step, std::string summary);

}  // namespace zooci::pipeline_internal
