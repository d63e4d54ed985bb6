// A pull request's checkout for one job: fetched into a per-repository bare mirror, then checked
// out into the job's own directory — the head merged onto the current base when it merges
// cleanly, else the head alone. Pull-request content is hostile: git runs without hooks, without
// submodules, without LFS smudging (the pipeline fetches the LFS objects of the changed folders
// itself), with every ref after --end-of-options and every sha checked to be one, and the mirror
// and checkout are held to a size limit.
#include <algorithm>
#include <cctype>

#include "service/internal.h"

namespace zooci::service_internal {
namespace {

constexpr int64_t kGitTimeoutMs = 300000;

// Environment for every git call: no prompt, no system or global config that could add hooks,
// no LFS smudge.
std::vector<std::pair<std::string, std::string>> GitEnv() {
  return {{"GIT_TERMINAL_PROMPT", "0"},       {"GIT_CONFIG_NOSYSTEM", "1"},
          {"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_LFS_SKIP_SMUDGE", "1"},
          {"LC_ALL", "C"},                    {"GIT_ASKPASS", "/bin/false"}};
}

Result<std::string> RunGit(const fs::path& dir, std::vector<std::string> args,
                           const std::string& what) {
  std::vector<std::string> argv = {"git",
                                   "-C",
                                   dir.string(),
                                   "-c",
                                   "core.hooksPath=/dev/null",
                                   "-c",
                                   "submodule.recurse=false",
                                   "-c",
                                   "protocol.ext.allow=never",
                                   "-c",
                                   "core.symlinks=true",
                                   "-c",
                                   "user.name=zooci",
                                   "-c",
                                   "user.email=zooci@localhost",
                                   "-c",
                                   "filter.lfs.smudge=git-lfs smudge --skip -- %f",
                                   "-c",
                                   "filter.lfs.process=git-lfs filter-process --skip"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout_ms = kGitTimeoutMs;
  options.extra_env = GitEnv();
  auto result = RunCapturedCommand(argv, options);
  if (!result.ok()) return Error(what + ": " + result.error().message());
  if (result->timed_out) return Error(what + ": git did not finish within 300 s");
  if (!result->exit.exited || result->exit.exit_code != 0) {
    std::string message(Trim(result->stderr_text.substr(0, 400)));
    return Error(what + (message.empty() ? "" : ": " + message));
  }
  return std::string(Trim(result->stdout_text));
}

Status GitOk(const fs::path& dir, std::vector<std::string> args, const std::string& what) {
  Result<std::string> result = RunGit(dir, std::move(args), what);
  if (!result.ok()) return result.error();
  return OkStatus();
}

bool IsSha(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

// A branch name from an event, safe as a refspec part: git's own rules, checked by
// `git check-ref-format --branch` after our cheap filter (no option, no refspec syntax).
Status CheckBranchName(const std::string& name) {
  if (name.empty() || name[0] == '-' || name.find_first_of(":^~?*[\\ \t\n") != std::string::npos ||
      name.find("..") != std::string::npos || name.size() > 255) {
    return Error("'" + name + "' is not a branch name");
  }
  return OkStatus();
}

// "owner/zoo" -> "owner__zoo.git": one mirror per repository, a plain file name.
std::string MirrorName(const std::string& repo) {
  std::string name;
  for (char c : repo) {
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  }
  if (name.empty() || name[0] == '.') name = "_" + name;
  return name + ".git";
}

uint64_t TreeBytes(const fs::path& dir) {
  uint64_t bytes = 0;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied,
                                                  error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code entry_error;
    if (it->is_regular_file(entry_error) && !it->is_symlink(entry_error)) {
      bytes += it->file_size(entry_error);
    }
  }
  return bytes;
}

}  // namespace

Result<Workspace> PrepareWorkspace(const WorkspaceRequest& request) {
  const std::string context = "prepare the checkout of " + request.repo + " at " + request.head_sha;
  if (!IsSha(request.head_sha)) return Error(context + ": the head is not a 40-hex commit id");
  if (!request.base_sha.empty() && !IsSha(request.base_sha)) {
    return Error(context + ": the base is not a 40-hex commit id");
  }
  ZC_RETURN_IF_ERROR(CheckBranchName(request.head_ref));
  ZC_RETURN_IF_ERROR(CheckBranchName(request.base_ref));
  if (request.head_clone_url.empty() || request.head_clone_url[0] == '-' ||
      request.base_clone_url.empty() || request.base_clone_url[0] == '-') {
    return Error(context + ": a clone URL is empty or looks like an option");
  }

  std::error_code error;
  fs::create_directories(request.mirrors_dir, error);
  const fs::path mirror = fs::absolute(request.mirrors_dir, error) / MirrorName(request.repo);
  if (!fs::exists(mirror / "HEAD")) {
    fs::create_directories(mirror, error);
    ZC_RETURN_IF_ERROR(GitOk(mirror, {"init", "--bare", "--quiet"}, context + ": git init"));
  }
  // The base branch from the base repository, the head branch from the head repository (a fork's
  // pull request comes from another one). Both into namespaced refs of the mirror.
  ZC_RETURN_IF_ERROR(GitOk(mirror,
                            {"fetch", "--quiet", "--no-tags", "--no-recurse-submodules",
                             "--force", "--end-of-options", request.base_clone_url,
                             "refs/heads/" + request.base_ref + ":refs/zooci/base"},
                            context + ": fetch the base branch"));
  ZC_RETURN_IF_ERROR(GitOk(mirror,
                            {"fetch", "--quiet", "--no-tags", "--no-recurse-submodules",
                             "--force", "--end-of-options", request.head_clone_url,
                             "refs/heads/" + request.head_ref + ":refs/zooci/head"},
                            context + ": fetch the head branch"));
  ZC_ASSIGN_OR_RETURN(std::string head,
                      RunGit(mirror, {"rev-parse", "--verify", "--end-of-options",
                                      "refs/zooci/head^{commit}"},
                             context + ": resolve the head"));
  if (head != request.head_sha) {
    // A newer push arrived after the event; this job is superseded by the newer one.
    return Error(context + ": the head branch is now at " + head + " (a newer push)");
  }
  if (TreeBytes(mirror) > request.max_bytes) {
    return Error(context + ": the repository is over the size limit of " +
                 std::to_string(request.max_bytes) + " bytes");
  }

  Workspace workspace;
  workspace.dir = request.job_dir / "zoo";
  fs::remove_all(workspace.dir, error);
  fs::create_directories(request.job_dir, error);
  ZC_RETURN_IF_ERROR(GitOk(request.job_dir,
                            {"clone", "--quiet", "--shared", "--no-checkout", "--no-tags",
                             "--end-of-options", mirror.string(), workspace.dir.string()},
                            context + ": clone the mirror"));
  ZC_ASSIGN_OR_RETURN(std::string base,
                      RunGit(mirror, {"rev-parse", "--verify", "--end-of-options",
                                      "refs/zooci/base^{commit}"},
                             context + ": resolve the base"));
  workspace.base_sha = base;
  // The head merged onto the current base when it merges cleanly; else the head alone (the
  // review then compares the head with the merge base).
  ZC_RETURN_IF_ERROR(GitOk(workspace.dir, {"checkout", "--quiet", "--detach", base, "--"},
                            context + ": check out the base"));
  Result<std::string> merged =
      RunGit(workspace.dir, {"merge", "--quiet", "--no-ff", "--no-edit", "--end-of-options", head},
             context + ": merge");
  if (merged.ok()) {
    workspace.merged = true;
  } else {
    (void)RunGit(workspace.dir, {"merge", "--abort"}, context);
    ZC_RETURN_IF_ERROR(GitOk(workspace.dir, {"checkout", "--quiet", "--force", "--detach", head, "--"},
                              context + ": check out the head"));
    ZC_ASSIGN_OR_RETURN(workspace.base_sha,
                        RunGit(workspace.dir, {"merge-base", "--end-of-options", base, head},
                               context + ": find the merge base"));
  }
  // LFS objects come from the repository the pull request comes from.
  ZC_RETURN_IF_ERROR(GitOk(workspace.dir, {"remote", "set-url", "origin", request.head_clone_url},
                            context + ": point origin at the pull request's repository"));
  if (TreeBytes(workspace.dir) > request.max_bytes * 2) {
    return Error(context + ": the checkout is over the size limit");
  }
  workspace.head_sha = head;
  return workspace;
}

}  // namespace zooci::service_internal
