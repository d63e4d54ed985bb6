// Git LFS pointers among the reviewed model files, told apart (see LfsReview in internal.h):
// content not fetched (the checkout's matter: one zoo-wide notice, and the folders' models are
// not verified), a pointer outside the .gitattributes LFS rules, and an object LFS cannot fetch
// (both the submitter's defects). With --fetch-lfs, `git lfs` fetches the reviewed folders'
// pointers first, and only theirs.
#include <map>

#include "pipeline/internal.h"

namespace zooci::pipeline_internal {
namespace {

// The top of the git work tree holding `zoo`, or `zoo` itself outside git.
fs::path RepositoryRoot(const fs::path& zoo) {
  CommandOptions options;
  options.timeout_ms = 10000;
  auto result = RunCapturedCommand({"git", "-C", zoo.string(), "rev-parse", "--show-toplevel"},
                                   options);
  if (!result.ok() || result->timed_out || !result->exit.exited || result->exit.exit_code != 0) {
    return zoo;
  }
  std::string top(Trim(result->stdout_text));
  return top.empty() ? zoo : fs::path(top);
}

}  // namespace

const LfsFileState* LfsReview::Find(const fs::path& path) const {
  auto it = files.find(path);
  return it == files.end() ? nullptr : &it->second;
}

LfsReview ReviewLfs(const fs::path& root, const std::vector<const ModelFolder*>& folders,
                    bool fetch) {
  LfsReview review;
  fs::path repo = RepositoryRoot(root);
  std::vector<std::string> to_fetch;
  std::map<std::string, fs::path> by_repo_path;
  for (const ModelFolder* folder : folders) {
    std::vector<fs::path> files = folder->models;
    files.insert(files.end(), folder->archives.begin(), folder->archives.end());
    for (const fs::path& file : files) {
      std::optional<LfsPointer> pointer = ReadLfsPointer(file);
      if (!pointer) continue;
      std::string repo_relative = file.lexically_relative(repo).generic_string();
      LfsFileState state;
      state.pointer = *pointer;
      state.status = ClassifyPointer(repo, repo_relative) == LfsPointerStatus::kOutsideRules
                         ? LfsFileState::kOutsideRules
                         : LfsFileState::kNotFetched;
      if (state.status == LfsFileState::kNotFetched && fetch &&
          review.files.count(file) == 0) {
        to_fetch.push_back(repo_relative);
        by_repo_path[repo_relative] = file;
      }
      review.files[file] = state;
    }
  }
  size_t not_fetched = 0;
  for (const auto& [path, state] : review.files) not_fetched += state.status == LfsFileState::kNotFetched;
  if (!fetch) {
    if (not_fetched > 0) {
      review.zoo_reasons.push_back(MakeReason(
          "zoo",
          Plural(not_fetched, "model file") + " of the reviewed folders " +
              (not_fetched == 1 ? "is a Git LFS pointer" : "are Git LFS pointers") +
              " whose content is not in this checkout (cloned without Git LFS): the check, test, "
              "eval and bench steps that need it did not run. Run zooci validate --fetch-lfs (or "
              "git lfs pull) to review them",
          "", 0, ReasonLevel::kWarning));
    }
    return review;
  }
  if (to_fetch.empty()) return review;
  auto outcome = FetchLfsContent(repo, to_fetch);
  if (!outcome.ok()) {
    review.zoo_reasons.push_back(
        MakeReason("zoo",
                   "git lfs could not fetch the content of " + Plural(to_fetch.size(), "file") +
                       ": " + outcome.error().message() + "; they were not reviewed",
                   "", 0, ReasonLevel::kUnverified));
    return review;
  }
  for (const std::string& fetched : outcome->fetched) {
    review.files[by_repo_path[fetched]].status = LfsFileState::kFetched;
  }
  for (const LfsFetchFailure& failure : outcome->failed) {
    LfsFileState& state = review.files[by_repo_path[failure.path]];
    state.status = failure.object_missing ? LfsFileState::kObjectMissing
                                          : LfsFileState::kFetchFailed;
    state.reason = failure.reason;
  }
  review.fetched = outcome->fetched.size();
  return review;
}

}  // namespace zooci::pipeline_internal
