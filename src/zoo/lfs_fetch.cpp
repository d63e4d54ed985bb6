// Git LFS: why a pointer is in the work tree, and fetching the content of chosen pointers with
// Debian's git-lfs 3.x (`git lfs fetch` into the local object store, then `git lfs checkout`).
//
// Paths reach git-lfs only as filepathfilter patterns (wildmatch, gitignore style): a leading '/'
// anchors them to the repository root, so they never look like options, and `\` escapes the
// metacharacters. `--include` lists are split at ',' and each entry is whitespace-trimmed with one
// trailing '/' removed; `git lfs checkout` takes each pattern as its own argument, untouched.
#include <chrono>

#include "zoo/zoo.h"

namespace zooci {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxReasonBytes = 300;
// The filter `git lfs install` configures; without one `git lfs checkout` writes nothing.
constexpr std::string_view kLfsFilterSettings[] = {
    "filter.lfs.clean=git-lfs clean -- %f", "filter.lfs.smudge=git-lfs smudge -- %f",
    "filter.lfs.process=git-lfs filter-process", "filter.lfs.required=true"};
// What git-lfs's wildmatch lets `\` escape; any other backslash would become a '/'.
constexpr std::string_view kWildmatchEscapable = "\\[]*?#";

// A requested path that passed every check and is a pointer now.
struct Candidate {
  std::string given;     // as the caller wrote it
  std::string relative;  // normalized, '/'-separated
  LfsPointer pointer;
};

// The normalized repository-relative form of `given`, or why it is refused.
Result<std::string> RepoRelativePath(const fs::path& repo_root, const std::string& given) {
  if (given.empty()) return Error("empty path");
  if (given.find('\0') != std::string::npos) return Error("path contains a NUL byte");
  fs::path path(given);
  if (path.is_absolute()) return Error("absolute path; expected one relative to the repository");
  std::string relative = path.lexically_normal().generic_string();
  if (relative == ".") return Error("names the repository itself, not a file");
  if (relative == ".." || StartsWith(relative, "../")) return Error("outside the repository");
  if (EndsWith(relative, "/")) return Error("names a directory, not a file");
  for (const std::string& part : SplitString(relative, '/')) {
    if (AsciiLower(part) == ".git") return Error("inside the .git directory");
  }
  std::error_code error;
  if (fs::is_symlink(repo_root / relative, error)) return Error("a symbolic link");
  if (!IsWithin(repo_root, repo_root / relative)) {
    return Error("outside the repository (through a symbolic link)");
  }
  return relative;
}

// A pattern matching exactly `relative` (and nothing else) for `git lfs checkout`.
std::string ExactPattern(std::string_view relative) {
  std::string pattern = "/";
  for (char c : relative) {
    if (kWildmatchEscapable.find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern;
}

// One `--include` entry for `relative`. A ',' cannot be escaped there, so it becomes '?' (any one
// character): at worst a sibling's object is also downloaded into the local store; the checkout
// pattern stays exact. The trailing '/' protects trailing whitespace from git-lfs's trimming, and
// git-lfs removes it.
std::string IncludeEntry(std::string_view relative) {
  std::string entry = ExactPattern(relative);
  for (char& c : entry) {
    if (c == ',') c = '?';
  }
  return entry + "/";
}

std::vector<std::string> OutputLines(const CommandResult& result) {
  std::vector<std::string> lines;
  for (const std::string* text : {&result.stderr_text, &result.stdout_text}) {
    std::string line;
    for (char c : *text + "\n") {
      if (c != '\n' && c != '\r') {
        line += c;
        continue;
      }
      std::string_view trimmed = Trim(line);
      if (!trimmed.empty()) lines.emplace_back(trimmed);
      line.clear();
    }
  }
  return lines;
}

std::string OneLine(std::string_view text) {
  std::string line(text.substr(0, kMaxReasonBytes));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text.size() > kMaxReasonBytes ? line + "..." : line;
}

// git-lfs's first line that is neither progress nor a pointer to its log files, or "".
std::string SummaryLine(const CommandResult& result) {
  for (const std::string& line : OutputLines(result)) {
    bool noise = StartsWith(line, "fetch: Fetching reference") ||
                 StartsWith(line, "Errors logged to") || StartsWith(line, "Use `git lfs logs") ||
                 StartsWith(line, "Downloading LFS objects") ||
                 StartsWith(line, "Checking out LFS objects");
    if (!noise) return OneLine(line);
  }
  return "";
}

// Whether a git-lfs error line says the remote lacks the object: the HTTP batch API's per-object
// 404/410 ("[oid] Object does not exist on the server: [404] ...") or the file:// agent's
// "remote missing object <oid>".
bool SaysObjectMissing(std::string_view line) {
  std::string lower = AsciiLower(line);
  return lower.find("[404]") != std::string::npos || lower.find("[410]") != std::string::npos ||
         lower.find("missing object") != std::string::npos ||
         lower.find("does not exist") != std::string::npos;
}

// Runs `git -C repo_root <args...>` in what is left until `deadline`; `what` names it in errors.
Result<CommandResult> RunGit(const fs::path& repo_root, const std::string& what,
                             const std::vector<std::string>& args, SteadyClock::time_point deadline,
                             int64_t timeout_ms) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) {
    return Error(what + ": timed out (" + std::to_string(timeout_ms) + " ms for the fetch)");
  }
  std::vector<std::string> argv = {"git", "-C", repo_root.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout_ms = left.count();
  // English messages (parsed below); never a credential prompt.
  options.extra_env = {{"GIT_TERMINAL_PROMPT", "0"}, {"LC_ALL", "C"}};
  options.max_output_bytes = uint64_t{1} << 20;
  ZC_ASSIGN_OR_RETURN(CommandResult result, RunCapturedCommand(argv, options).WithContext(what));
  if (result.timed_out) {
    return Error(what + ": timed out (" + std::to_string(timeout_ms) +
                 " ms for the fetch); killed with its children");
  }
  return result;
}

Status Succeeded(const CommandResult& result, const std::string& what) {
  if (result.exit.exited && result.exit.exit_code == 0) return OkStatus();
  std::string summary = SummaryLine(result);
  return Error(what + ": " + result.exit.Describe() + (summary.empty() ? "" : ": " + summary));
}

// That `repo_root` is the top of a work tree and that git-lfs is installed.
Status CheckRepository(const fs::path& repo_root, SteadyClock::time_point deadline,
                       int64_t timeout_ms) {
  ZC_ASSIGN_OR_RETURN(
      CommandResult top,
      RunGit(repo_root, "git rev-parse", {"rev-parse", "--show-toplevel"}, deadline, timeout_ms));
  ZC_RETURN_IF_ERROR(Succeeded(top, "git rev-parse"));
  std::error_code error;
  fs::path expected = fs::weakly_canonical(repo_root, error);
  fs::path actual = fs::weakly_canonical(fs::path(std::string(Trim(top.stdout_text))), error);
  if (expected != actual) {
    return Error(repo_root.string() + " is not the top of its work tree (" + actual.string() + ")");
  }
  ZC_ASSIGN_OR_RETURN(CommandResult version, RunGit(repo_root, "git lfs version",
                                                    {"lfs", "version"}, deadline, timeout_ms));
  return Succeeded(version, "git lfs version (is git-lfs installed?)");
}

// Fails when the repository's .lfsconfig chooses the LFS server (lfs.url or remote.<name>.lfsurl,
// which git-lfs honours) while its git config does not pin lfs.url (git config outranks
// .lfsconfig). git-lfs reads .lfsconfig from the work tree, else the index, else HEAD; all three
// are checked.
Status CheckLfsServerIsTheRepositorys(const fs::path& repo_root, SteadyClock::time_point deadline,
                                      int64_t timeout_ms) {
  ZC_ASSIGN_OR_RETURN(
      CommandResult pinned,
      RunGit(repo_root, "git config", {"config", "--get", "lfs.url"}, deadline, timeout_ms));
  if (pinned.exit.exited && pinned.exit.exit_code == 0) return OkStatus();
  std::vector<std::vector<std::string>> sources = {{"--blob", ":.lfsconfig"},
                                                   {"--blob", "HEAD:.lfsconfig"}};
  std::error_code error;
  if (fs::exists(repo_root / ".lfsconfig", error)) {
    sources.push_back({"--file", (repo_root / ".lfsconfig").string()});
  }
  for (const std::vector<std::string>& source : sources) {
    std::vector<std::string> args = {"config", "--includes"};
    args.insert(args.end(), source.begin(), source.end());
    args.insert(args.end(), {"--get-regexp", "^(lfs\\.url|remote\\..*\\.lfsurl)$"});
    ZC_ASSIGN_OR_RETURN(CommandResult found,
                        RunGit(repo_root, "git config", args, deadline, timeout_ms));
    // Exit 1: no such key, or no such blob.
    if (found.exit.exited && found.exit.exit_code == 0) {
      return Error("refusing to fetch Git LFS content: the repository's .lfsconfig sets " +
                   OneLine(Trim(found.stdout_text)) +
                   "; content may only come from the LFS server of the repository's own git "
                   "configuration (pin lfs.url there to accept this one)");
    }
  }
  return OkStatus();
}

// Why `candidate` is still not its content after `fetch` and `checkout` ran.
LfsFetchFailure Diagnose(const Candidate& candidate, const CommandResult& fetch,
                         const CommandResult& checkout) {
  const std::string& oid = candidate.pointer.oid_sha256;
  const std::string quoted = "\"" + candidate.relative + "\"";
  for (const std::string& line : OutputLines(fetch)) {
    if (line.find(oid) != std::string::npos || line.find(quoted) != std::string::npos) {
      return {candidate.given, OneLine(line), SaysObjectMissing(line)};
    }
  }
  for (const std::string& line : OutputLines(checkout)) {
    if (line.find(quoted) != std::string::npos && !StartsWith(line, "Skipped checkout for")) {
      return {candidate.given, "git lfs checkout: " + OneLine(line), false};
    }
  }
  if (!(fetch.exit.exited && fetch.exit.exit_code == 0)) {
    std::string summary = SummaryLine(fetch);
    return {candidate.given,
            "git lfs fetch failed (" + fetch.exit.Describe() + ")" +
                (summary.empty() ? "" : ": " + summary),
            false};
  }
  return {candidate.given,
          "still a Git LFS pointer after git lfs fetch and checkout (is it committed at HEAD?)",
          false};
}

// Whether `candidate`'s file now holds the content its pointer names; the reason when not.
std::optional<std::string> ContentMismatch(const fs::path& repo_root, const Candidate& candidate) {
  fs::path file = repo_root / candidate.relative;
  std::error_code error;
  uint64_t size_bytes = fs::file_size(file, error);
  if (error) return "cannot read it after checkout: " + error.message();
  if (size_bytes != candidate.pointer.size) {
    return "checked-out size " + std::to_string(size_bytes) + " bytes differs from the pointer's " +
           std::to_string(candidate.pointer.size);
  }
  Result<std::string> sha256 = Sha256File(file);
  if (!sha256.ok()) return "cannot hash it after checkout: " + sha256.error().message();
  if (*sha256 != candidate.pointer.oid_sha256) {
    return "checked-out content has SHA-256 " + *sha256 + ", not the pointer's oid";
  }
  return std::nullopt;
}

}  // namespace

LfsPointerStatus ClassifyPointer(const fs::path& repo_root, const fs::path& relative_path) {
  return CoveredByLfs(repo_root, relative_path) ? LfsPointerStatus::kNotFetched
                                                : LfsPointerStatus::kOutsideRules;
}

Result<LfsFetchOutcome> FetchLfsContent(const fs::path& repo_root,
                                        const std::vector<std::string>& relative_paths,
                                        int64_t timeout_ms) {
  LfsFetchOutcome outcome;
  std::vector<Candidate> candidates;
  for (const std::string& given : relative_paths) {
    Result<std::string> relative = RepoRelativePath(repo_root, given);
    if (!relative.ok()) {
      outcome.failed.push_back({given, "refused: " + relative.error().message(), false});
      continue;
    }
    std::optional<LfsPointer> pointer = ReadLfsPointer(repo_root / *relative);
    if (!pointer) {
      outcome.failed.push_back({given, "refused: not a Git LFS pointer file", false});
    } else if (ClassifyPointer(repo_root, *relative) == LfsPointerStatus::kOutsideRules) {
      outcome.failed.push_back(
          {given,
           "refused: no filter=lfs rule in .gitattributes covers it, so git never replaces the "
           "pointer",
           false});
    } else {
      candidates.push_back({given, *relative, *pointer});
    }
  }
  if (candidates.empty()) return outcome;

  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  ZC_RETURN_IF_ERROR(CheckRepository(repo_root, deadline, timeout_ms));
  ZC_RETURN_IF_ERROR(CheckLfsServerIsTheRepositorys(repo_root, deadline, timeout_ms));

  // Fetch: objects for the chosen paths of HEAD into .git/lfs/objects, from the default remote.
  // "--exclude=" clears lfs.fetchexclude (the ONNX Model Zoo's .lfsconfig excludes *.onnx).
  std::string include = "--include=";
  std::vector<std::string> checkout_args;
  for (std::string_view setting : kLfsFilterSettings) {
    checkout_args.insert(checkout_args.end(), {"-c", std::string(setting)});
  }
  checkout_args.insert(checkout_args.end(), {"lfs", "checkout", "--"});
  for (size_t index = 0; index < candidates.size(); ++index) {
    include += (index > 0 ? "," : "") + IncludeEntry(candidates[index].relative);
    checkout_args.push_back(ExactPattern(candidates[index].relative));
  }
  ZC_ASSIGN_OR_RETURN(CommandResult fetch, RunGit(repo_root, "git lfs fetch",
                                                  {"-c", "lfs.fetchrecentalways=false", "lfs",
                                                   "fetch", include, "--exclude="},
                                                  deadline, timeout_ms));
  // Checkout: pointers in the work tree whose objects are now local become their content (and
  // the index learns the new stat data). The filter settings make it work in a clone made
  // without `git lfs install`.
  ZC_ASSIGN_OR_RETURN(CommandResult checkout,
                      RunGit(repo_root, "git lfs checkout", checkout_args, deadline, timeout_ms));

  for (const Candidate& candidate : candidates) {
    if (ReadLfsPointer(repo_root / candidate.relative)) {
      outcome.failed.push_back(Diagnose(candidate, fetch, checkout));
    } else if (std::optional<std::string> mismatch = ContentMismatch(repo_root, candidate)) {
      outcome.failed.push_back({candidate.given, *mismatch, false});
    } else {
      outcome.fetched.push_back(candidate.given);
    }
  }
  return outcome;
}

}  // namespace zooci
