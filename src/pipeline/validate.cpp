// `zooci validate`: discovery of model folders, the changed-since selection, the step sequence
// per model, parallel reviews, verdicts.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "pipeline/internal.h"

namespace zooci {
namespace pipeline_internal {

Result<Changes> ChangedModelFolders(const fs::path& root, const std::string& ref,
                                    const std::vector<ModelFolder>& folders) {
  ExitInfo exit_info;
  auto output =
      RunCommand({"git", "-C", root.string(), "diff", "--name-status", "-M", "-z", ref + "...HEAD"},
                 &exit_info);
  if (!output.ok() || !exit_info.exited || exit_info.exit_code != 0) {
    return Error("--changed-since " + ref + ": git diff failed in " + root.string() +
                 " (is it a git repository, and is " + ref + " a commit?)");
  }
  // Folder of a path: the deepest reviewed folder containing it (HEAD), else the path's
  // directory chain as it was (for deletions).
  auto folder_of = [&](const std::string& path) -> std::string {
    std::string best;
    for (const ModelFolder& folder : folders) {
      if (StartsWith(path, folder.relative + "/") && folder.relative.size() > best.size()) {
        best = folder.relative;
      }
    }
    return best;
  };
  // Folders that review `path` from elsewhere (a model table link outside the folder).
  auto linking_folders = [&](const std::string& path) {
    std::vector<std::string> linking;
    fs::path absolute = root / path;
    for (const ModelFolder& folder : folders) {
      bool links = std::find(folder.models.begin(), folder.models.end(), absolute) !=
                       folder.models.end() ||
                   std::find(folder.archives.begin(), folder.archives.end(), absolute) !=
                       folder.archives.end();
      if (links && !StartsWith(path, folder.relative + "/")) linking.push_back(folder.relative);
    }
    return linking;
  };
  auto removed_folder_of = [&](const std::string& path) {
    // A removed model folder: the parent of its model/ directory, or the file's directory.
    fs::path dir = fs::path(path).parent_path();
    if (dir.filename() == "model" || dir.filename() == "dependencies") dir = dir.parent_path();
    return dir.generic_string();
  };
  Changes changes;
  // A folder whose files were all added is "added"; any modified file makes it "modified"; a
  // rename is kept as the more telling label.
  auto add = [&](const std::string& folder, const std::string& change) {
    if (folder.empty()) return;
    for (auto& [known, known_change] : changes.reviewed) {
      if (known == folder) {
        if (known_change == "added" && change != "added") known_change = change;
        return;
      }
    }
    changes.reviewed.emplace_back(folder, change);
  };
  std::vector<std::string> fields = SplitString(*output, '\0');
  for (size_t index = 0; index < fields.size();) {
    const std::string& status = fields[index];
    if (status.empty()) {
      ++index;
      continue;
    }
    if (status[0] == 'R' || status[0] == 'C') {
      if (index + 2 >= fields.size()) break;
      const std::string& from = fields[index + 1];
      const std::string& to = fields[index + 2];
      changes.touched.push_back(to);
      for (const std::string& linking : linking_folders(to)) add(linking, "modified");
      std::string new_folder = folder_of(to);
      std::string old_folder = removed_folder_of(from);
      if (!new_folder.empty() && old_folder != new_folder) {
        add(new_folder, "renamed from " + old_folder);
        if (folder_of(from).empty()) changes.removed.push_back(old_folder);
      } else {
        add(new_folder, "modified");
      }
      index += 3;
      continue;
    }
    if (index + 1 >= fields.size()) break;
    const std::string& path = fields[index + 1];
    if (status[0] != 'D') changes.touched.push_back(path);
    for (const std::string& linking : linking_folders(path)) add(linking, "modified");
    std::string folder = folder_of(path);
    if (status[0] == 'D' && folder.empty()) {
      changes.removed.push_back(removed_folder_of(path));
    } else {
      add(folder, status[0] == 'A' ? "added" : "modified");
    }
    index += 2;
  }
  std::sort(changes.removed.begin(), changes.removed.end());
  changes.removed.erase(std::unique(changes.removed.begin(), changes.removed.end()),
                        changes.removed.end());
  return changes;
}

Reason MakeReason(std::string step, std::string message, std::string file, int line,
                  ReasonLevel level) {
  Reason reason;
  reason.step = std::move(step);
  reason.message = std::move(message);
  reason.file = std::move(file);
  reason.line = line;
  reason.level = level;
  return reason;
}

void Conclude(StepResult& step, std::string summary) {
  step.summary = std::move(summary);
  if (step.status == StepStatus::kSkipped) return;
  bool declines = std::any_of(step.reasons.begin(), step.reasons.end(),
                              [](const Reason& reason) { return reason.declines(); });
  step.status = declines ? StepStatus::kFail : StepStatus::kPass;
}

}  // namespace pipeline_internal

using namespace pipeline_internal;

namespace {

// One declining reason per directory holding model files that no folder reviews (only those the
// diff touched, when `touched` is given): a model nobody reviewed is never accepted.
std::vector<Reason> UnreviewedReasons(const std::vector<UnreviewedFile>& unreviewed,
                                      const std::vector<std::string>* touched) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_dir;
  for (const UnreviewedFile& file : unreviewed) {
    if (touched != nullptr &&
        std::find(touched->begin(), touched->end(), file.file) == touched->end()) {
      continue;
    }
    std::string dir = fs::path(file.file).parent_path().generic_string();
    by_dir[{dir.empty() ? "." : dir, file.reason}].push_back(fs::path(file.file).filename());
  }
  std::vector<Reason> reasons;
  for (const auto& [key, names] : by_dir) {
    const auto& [dir, why] = key;
    std::string listed = JoinStrings(
        std::vector<std::string>(names.begin(), names.begin() + std::min<size_t>(names.size(), 5)),
        ", ");
    if (names.size() > 5) listed += ", and " + std::to_string(names.size() - 5) + " more";
    reasons.push_back(MakeReason("zoo",
                                 Plural(names.size(), "model file") + " in " + dir +
                                     " not reviewed (" + listed + "): " + why +
                                     "; add the model folder's README.md",
                                 dir));
  }
  return reasons;
}

// `text` with every "<root>/" removed.
std::string WithoutRoot(std::string text, const fs::path& root) {
  const std::string prefix = root.string() + "/";
  for (size_t pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix, pos)) {
    text.erase(pos, prefix.size());
  }
  return text;
}

// The steps in order; a failed gate skips the model steps after it.
ModelReview ReviewFolder(const StepContext& context, const std::string& change) {
  ModelReview review;
  review.folder = context.folder->relative;
  review.change = change;
  auto timed = [](StepResult (*step)(const StepContext&), const StepContext& step_context) {
    int64_t start_ns = SystemClock().NowNs();
    StepResult result = step(step_context);
    if (!result.cached)
      result.seconds = static_cast<double>(SystemClock().NowNs() - start_ns) / 1e9;
    return result;
  };
  review.steps.push_back(timed(CheckArtifacts, context));
  review.steps.push_back(timed(CheckIntegrity, context));
  StepResult check = timed(RunCheckStep, context);
  bool runnable = check.status != StepStatus::kFail;
  review.steps.push_back(std::move(check));
  static constexpr struct {
    const char* name;
    StepResult (*run)(const StepContext&);
  } kModelSteps[] = {{"test", RunTestStep}, {"eval", RunEvalStep}, {"bench", RunBenchStep}};
  for (const auto& step : kModelSteps) {
    if (!runnable) {
      StepResult skipped;
      skipped.name = step.name;
      skipped.status = StepStatus::kSkipped;
      skipped.summary = "skipped: the model did not pass check";
      review.steps.push_back(std::move(skipped));
      continue;
    }
    review.steps.push_back(timed(step.run, context));
  }
  if (std::optional<StepResult> baseline = RunBaselineStep(context, review.steps)) {
    review.steps.push_back(std::move(*baseline));
  }
  // Messages name files by their place in the repository, never by the checkout's path.
  for (StepResult& step : review.steps) {
    for (Reason& reason : step.reasons) reason.message = WithoutRoot(reason.message, context.folder->root);
    step.summary = WithoutRoot(step.summary, context.folder->root);
  }
  review.verdict = VerdictOf(review.steps);
  return review;
}

}  // namespace

Result<ValidateReport> Validate(const ValidateOptions& options, Executor& executor,
                                const ValidateProgress& progress) {
  int64_t start_ns = SystemClock().NowNs();
  std::error_code error;
  if (!fs::is_directory(options.zoo, error)) {
    return Error(options.zoo.string() + ": not a directory");
  }
  ValidateReport report;
  report.zoo = options.zoo.string();
  report.changed_since = options.changed_since;
  report.zooci_version = options.zooci_version;
  auto runtime = executor.BackendDescription();
  report.runtime = runtime.ok() ? *runtime : "unknown runtime";

  fs::path root = fs::absolute(options.zoo, error).lexically_normal();
  ZooLayout layout = DiscoverZoo(root);
  const std::vector<ModelFolder>& folders = layout.folders;
  std::vector<std::pair<const ModelFolder*, std::string>> selected;
  std::vector<std::string> removed, touched;
  if (options.changed_since.empty()) {
    for (const ModelFolder& folder : folders) selected.emplace_back(&folder, "");
  } else {
    ZC_ASSIGN_OR_RETURN(Changes changes, ChangedModelFolders(root, options.changed_since, folders));
    for (const auto& [relative, change] : changes.reviewed) {
      for (const ModelFolder& folder : folders) {
        if (folder.relative == relative) selected.emplace_back(&folder, change);
      }
    }
    removed = changes.removed;
    touched = std::move(changes.touched);
  }
  if (folders.empty() && layout.unreviewed.empty() && options.changed_since.empty()) {
    return Error(options.zoo.string() + ": no model folder (a README.md with .onnx files)");
  }
  for (Reason& reason : UnreviewedReasons(layout.unreviewed, options.changed_since.empty()
                                                                  ? nullptr
                                                                  : &touched)) {
    report.zoo_reasons.push_back(std::move(reason));
  }

  ZC_ASSIGN_OR_RETURN(ZooConfig config, LoadZooConfig(root));
  std::optional<Readme> main_readme;
  if (auto parsed = ParseReadme(root / "README.md"); parsed.ok()) main_readme = std::move(*parsed);
  std::optional<std::vector<ManifestEntry>> manifest;
  fs::path manifest_path = root / "ONNX_HUB_MANIFEST.json";
  if (fs::exists(manifest_path, error)) {
    auto read = ReadManifest(manifest_path);
    if (read.ok()) {
      manifest = std::move(*read);
    } else {
      report.zoo_reasons.push_back(
          MakeReason("zoo", "the manifest cannot be read: " + read.error().message(),
                     "ONNX_HUB_MANIFEST.json"));
    }
  }
  for (const std::string& folder : removed) {
    for (Reason& reason : CheckRemovedFolder(root, folder, manifest ? &*manifest : nullptr)) {
      report.zoo_reasons.push_back(std::move(reason));
    }
  }

  std::vector<const ModelFolder*> reviewed;
  for (const auto& [folder, change] : selected) reviewed.push_back(folder);
  LfsReview lfs = ReviewLfs(root, reviewed, options.fetch_lfs);
  for (const Reason& reason : lfs.zoo_reasons) report.zoo_reasons.push_back(reason);

  FileHasher hasher(options.cache_dir);
  ValidateOptions resolved = options;
  resolved.zoo = root;
  report.models.resize(selected.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  int done = 0;
  auto worker = [&] {
    for (size_t index = next++; index < selected.size(); index = next++) {
      StepContext context;
      context.folder = selected[index].first;
      context.options = &resolved;
      context.executor = &executor;
      context.runtime = report.runtime;
      context.manifest = manifest ? &*manifest : nullptr;
      context.manifest_present = fs::exists(manifest_path);
      context.hasher = &hasher;
      context.config = &config;
      context.main_readme = main_readme ? &*main_readme : nullptr;
      context.lfs = &lfs;
      report.models[index] = ReviewFolder(context, selected[index].second);
      std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (progress) progress(report.models[index], done, static_cast<int>(selected.size()));
    }
  };
  int threads = std::max(1, std::min<int>(options.jobs, static_cast<int>(selected.size())));
  std::vector<std::thread> pool;
  for (int thread_idx = 1; thread_idx < threads; ++thread_idx) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();

  report.verdict = VerdictOf({}, report.zoo_reasons);
  for (const ModelReview& review : report.models) {
    if (review.verdict == Verdict::kDecline ||
        (review.verdict == Verdict::kIncomplete && report.verdict == Verdict::kAccept)) {
      report.verdict = review.verdict;
    }
  }
  report.seconds = static_cast<double>(SystemClock().NowNs() - start_ns) / 1e9;
  return report;
}

}  // namespace zooci
