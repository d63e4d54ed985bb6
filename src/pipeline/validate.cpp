// `zooci validate`: discovery of model folders, the changed-since selection, the step sequence
// per model, parallel reviews, verdicts.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "pipeline/internal.h"
#include "pipeline/readme_links.h"

namespace zooci {
namespace pipeline_internal {

Result<std::string> Git(const fs::path& root, std::vector<std::string> args,
                        const std::string& what) {
  args.insert(args.begin(), {"git", "-C", root.string()});
  CommandOptions options;
  options.timeout_ms = 120000;
  options.extra_env = {{"GIT_TERMINAL_PROMPT", "0"}, {"LC_ALL", "C"}};
  auto result = RunCapturedCommand(args, options);
  if (!result.ok()) return Error(what + ": " + result.error().message());
  if (result->timed_out) return Error(what + ": git did not finish within 120 s");
  if (!result->exit.exited || result->exit.exit_code != 0) {
    std::string message(Trim(result->stderr_text.substr(0, 300)));
    return Error(what + (message.empty() ? "" : ": " + message));
  }
  return result->stdout_text;
}

Result<Changes> ChangedModelFolders(const fs::path& root, const std::string& ref,
                                    const std::vector<ModelFolder>& folders) {
  // The ref comes from a command line or a pull request: never an option to git. It must name a
  // commit; git resolves it after --end-of-options.
  const std::string context = "--changed-since '" + ref + "'";
  if (ref.empty() || ref[0] == '-' || ref.find('\n') != std::string::npos) {
    return Error(context + ": not a revision (a ref may not start with '-')");
  }
  ZC_ASSIGN_OR_RETURN(std::string top, Git(root, {"rev-parse", "--show-toplevel"},
                                           root.string() + " is not in a git repository"));
  ZC_ASSIGN_OR_RETURN(std::string commit,
                      Git(root, {"rev-parse", "--verify", "--quiet", "--end-of-options",
                                 ref + "^{commit}"},
                          context + ": no such commit in " + root.string()));
  commit = std::string(Trim(commit));
  // Paths from git are relative to the repository's top; the zoo may be a folder inside it.
  std::error_code error;
  fs::path top_path = fs::weakly_canonical(fs::path(std::string(Trim(top))), error);
  std::string prefix =
      fs::weakly_canonical(root, error).lexically_relative(top_path).generic_string();
  prefix = prefix == "." || prefix.empty() ? "" : prefix + "/";
  ZC_ASSIGN_OR_RETURN(std::string output,
                      Git(root, {"diff", "--name-status", "-M", "-z", "--end-of-options",
                                 commit + "...HEAD", "--"},
                          context + ": git diff failed"));
  // Repository path -> zoo path; nullopt outside the zoo.
  auto in_zoo = [&](const std::string& path) -> std::optional<std::string> {
    if (prefix.empty()) return path;
    if (!StartsWith(path, prefix)) return std::nullopt;
    return path.substr(prefix.size());
  };

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
    if (dir.filename() == "model" || dir.filename() == "models" ||
        dir.filename() == "dependencies") {
      dir = dir.parent_path();
    }
    return dir.generic_string();
  };
  Changes changes;
  changes.base_commit = commit;
  changes.zoo_prefix = prefix;
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
  std::vector<std::string> fields = SplitString(output, '\0');
  for (size_t index = 0; index < fields.size();) {
    const std::string& status = fields[index];
    if (status.empty()) {
      ++index;
      continue;
    }
    bool rename = status[0] == 'R' || status[0] == 'C';
    size_t paths = rename ? 2 : 1;
    if (index + paths >= fields.size()) break;
    std::optional<std::string> from = in_zoo(fields[index + 1]);
    std::optional<std::string> to = rename ? in_zoo(fields[index + 2]) : from;
    index += 1 + paths;
    if (!from && !to) continue;  // outside the zoo
    if (to && status[0] != 'D') {
      changes.touched.push_back(*to);
      for (const std::string& linking : linking_folders(*to)) add(linking, "modified");
    }
    if (rename) {
      std::string new_folder = to ? folder_of(*to) : "";
      std::string old_folder = from ? removed_folder_of(*from) : "";
      if (!new_folder.empty() && old_folder != new_folder) {
        add(new_folder, from ? "renamed from " + old_folder : "added");
        if (from && folder_of(*from).empty()) changes.removed.push_back(old_folder);
      } else {
        add(new_folder, "modified");
      }
      continue;
    }
    std::string folder = folder_of(*from);
    if (status[0] == 'D' && folder.empty()) {
      changes.removed.push_back(removed_folder_of(*from));
    } else {
      add(folder, status[0] == 'A' ? "added" : "modified");
    }
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
                                     " not reviewed (" + listed + "): " + why,
                                 dir));
  }
  return reasons;
}

// The executor of each matrix runtime: `executor` for the primary, a new one from
// options.make_executor for each other (kept in `owned`). A runtime whose executor cannot be made
// or whose workers do not start is kept, with why it checks nothing.
std::vector<MatrixRuntime> StartRuntimes(std::vector<ReviewRuntime> chosen,
                                         const ValidateOptions& options, Executor& executor,
                                         const std::string& primary_backend,
                                         std::vector<std::unique_ptr<Executor>>* owned) {
  std::vector<MatrixRuntime> runtimes;
  for (ReviewRuntime& review : chosen) {
    MatrixRuntime runtime;
    if (review.primary) {
      review.backend = primary_backend;
      runtime.executor = &executor;
    } else if (!options.make_executor) {
      review.not_checked = "this review has no executor for it";
    } else {
      auto made = options.make_executor(review.name);
      auto description = made.ok() ? (*made)->BackendDescription()
                                   : Result<std::string>(made.error());
      if (description.ok()) {
        review.backend = *description;
        runtime.executor = made->get();
        owned->push_back(std::move(*made));
      } else {
        review.not_checked =
            "its worker could not start: " + description.error().message();
      }
    }
    runtime.review = std::move(review);
    runtimes.push_back(std::move(runtime));
  }
  return runtimes;
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
  if (context.matrix != nullptr && !context.matrix->empty()) {
    review.steps.push_back(runnable ? timed(RunMatrixStep, context)
                                    : Skipped("matrix", "the model did not pass check", false));
  }
  // Messages name files by their place in the repository, never by the checkout's path.
  for (StepResult& step : review.steps) WithoutRoot(step, context.folder->root);
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
  ReadmeStore readmes(root);
  ZooLayout layout = DiscoverZoo(root, readmes);
  const std::vector<ModelFolder>& folders = layout.folders;
  std::vector<std::pair<const ModelFolder*, std::string>> selected;
  std::vector<std::string> removed, touched;
  std::optional<Changes> changed;            // when reviewing a change
  std::optional<GoverningConfig> governing;  // the zooci-zoo.yaml that applies
  if (options.changed_since.empty()) {
    for (const ModelFolder& folder : folders) selected.emplace_back(&folder, "");
  } else {
    ZC_ASSIGN_OR_RETURN(changed, ChangedModelFolders(root, options.changed_since, folders));
    Changes& changes = *changed;
    for (const auto& [relative, change] : changes.reviewed) {
      for (const ModelFolder& folder : folders) {
        if (folder.relative == relative) selected.emplace_back(&folder, change);
      }
    }
    removed = changes.removed;
    touched = std::move(changes.touched);
    // A changed file outside every folder that a folder's README links (a script or notebook
    // shared by several folders): those folders are reviewed again.
    for (const ModelFolder& folder : folders) {
      bool chosen = std::any_of(selected.begin(), selected.end(),
                                [&](const auto& pick) { return pick.first == &folder; });
      const Result<Readme>& readme = readmes.Get(folder.dir / "README.md");
      if (chosen || !readme.ok()) continue;
      for (const MarkdownLink& link : readme->links) {
        fs::path target = ResolveLink(root, folder.dir, link.target);
        std::string relative = target.empty() ? "" : RelativeTo(root, target);
        if (!relative.empty() &&
            std::find(touched.begin(), touched.end(), relative) != touched.end()) {
          selected.emplace_back(&folder, "modified: " + relative + ", which it links, changed");
          break;
        }
      }
    }
    bool unreviewed_touched = std::any_of(
        layout.unreviewed.begin(), layout.unreviewed.end(), [&](const UnreviewedFile& file) {
          return std::find(touched.begin(), touched.end(), file.file) != touched.end();
        });
    // Edits of zooci-zoo.yaml and of the zoo's datasets are reviewed on their own
    // (LoadGoverningConfig reports them).
    ZC_ASSIGN_OR_RETURN(governing, LoadGoverningConfig(root, &changes));
    bool zoo_files_only = std::all_of(touched.begin(), touched.end(), [&](const std::string& file) {
      return file == kZooConfigFile || std::any_of(governing->config.datasets.begin(),
                                                   governing->config.datasets.end(),
                                                   [&](const ZooDataset& dataset) {
                                                     return StartsWith(file, dataset.folder + "/");
                                                   });
    });
    if (selected.empty() && removed.empty() && !unreviewed_touched && !touched.empty() &&
        !zoo_files_only) {
      // Never "no models to review" (an ACCEPT) for a change that touched the zoo.
      std::vector<std::string> shown(touched.begin(),
                                     touched.begin() + std::min<size_t>(touched.size(), 5));
      return Error("--changed-since " + options.changed_since + ": the change touches " +
                   Plural(touched.size(), "file") + " under the zoo (" + JoinStrings(shown, ", ") +
                   (touched.size() > 5 ? ", ..." : "") +
                   ") but no model folder and nothing a model README links: nothing to review "
                   "them against");
    }
  }
  if (folders.empty() && layout.unreviewed.empty() && options.changed_since.empty()) {
    return Error(options.zoo.string() + ": no model folder (a README.md with .onnx files)");
  }
  for (Reason& reason : UnreviewedReasons(layout.unreviewed, options.changed_since.empty()
                                                                  ? nullptr
                                                                  : &touched)) {
    report.zoo_reasons.push_back(std::move(reason));
  }

  // Reviewing a change, the base commit's zooci-zoo.yaml governs (zoo_config_review.cpp).
  if (!governing) {
    ZC_ASSIGN_OR_RETURN(governing, LoadGoverningConfig(root, nullptr));
  }
  for (Reason& reason : governing->reasons) report.zoo_reasons.push_back(std::move(reason));
  const ZooConfig& config = governing->config;
  ZC_ASSIGN_OR_RETURN(std::vector<ReviewRuntime> chosen, ChooseRuntimes(options, config));
  std::vector<std::unique_ptr<Executor>> matrix_executors;  // the other runtimes' sandboxes
  std::vector<MatrixRuntime> matrix = StartRuntimes(std::move(chosen), options, executor,
                                                    report.runtime, &matrix_executors);
  for (const MatrixRuntime& runtime : matrix) report.runtimes.push_back(runtime.review);
  const Result<Readme>& main_readme = readmes.Get(root / "README.md");
  std::optional<std::vector<ManifestEntry>> manifest;
  fs::path manifest_path = root / "ONNX_HUB_MANIFEST.json";
  if (fs::exists(fs::symlink_status(manifest_path, error))) {
    Status inside = CheckFileInside(root, manifest_path);
    auto read = inside.ok() ? ReadManifest(manifest_path)
                            : Result<std::vector<ManifestEntry>>(inside.error());
    if (read.ok()) {
      manifest = std::move(*read);
    } else {
      report.zoo_reasons.push_back(
          MakeReason("zoo", "the manifest cannot be read: " + read.error().message(),
                     "ONNX_HUB_MANIFEST.json"));
    }
  }
  for (const std::string& folder : removed) {
    for (Reason& reason : CheckRemovedFolder(root, folder, manifest ? &*manifest : nullptr, readmes)) {
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
      context.main_readme = main_readme.ok() ? &*main_readme : nullptr;
      context.readmes = &readmes;
      context.lfs = &lfs;
      context.matrix = &matrix;
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

  for (Reason& reason : report.zoo_reasons) reason.message = WithoutRoot(reason.message, root);
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
