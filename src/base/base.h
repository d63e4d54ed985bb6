// base: the public surface shared by every module. Errors as values (result.h), files and
// paths, temporary directories, child processes with resource limits, and the clock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace zooci {

namespace fs = std::filesystem;

// ---- Files -------------------------------------------------------------------------------------

// Reads a whole file. Fails (without reading) when the file is larger than `max_bytes`.
Result<std::string> ReadFile(const fs::path& path, uint64_t max_bytes = uint64_t{1} << 31);

// Writes `contents` to `path` atomically (temp file in the same directory, then rename).
Status WriteFileAtomic(const fs::path& path, std::string_view contents);

// True when `path`, after resolving symlinks and "..", lies inside `root` (or is root itself).
bool IsWithin(const fs::path& root, const fs::path& path);

// For content from an untrusted repository: whether `path` is a regular file whose real location
// (every symbolic link resolved) lies inside `root`, checked without reading it. The error is a
// sentence for the submitter naming the path relative to `root` and, for a link, its target as
// written in the link, never anything read from outside: "dependencies/x.ipynb is a symbolic link
// to '/etc/passwd', which leaves the repository; it was not read".
Status CheckFileInside(const fs::path& root, const fs::path& path);
// CheckFileInside, then ReadFile of the file's real location.
Result<std::string> ReadFileInside(const fs::path& root, const fs::path& path, uint64_t max_bytes);

// A directory created under $TMPDIR (or /tmp) and removed with everything in it on destruction.
class TempDir {
 public:
  static Result<TempDir> Create(std::string_view prefix = "zooci");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const fs::path& path() const { return path_; }

 private:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// Directory of the running executable (from /proc/self/exe).
Result<fs::path> ExecutableDir();

// ---- Child processes ---------------------------------------------------------------------------

struct ProcessLimits {
  uint64_t address_space_bytes = 0;  // RLIMIT_AS; 0 = unlimited.
  uint64_t cpu_seconds = 0;          // RLIMIT_CPU; 0 = unlimited.
};

// How a child process ended.
struct ExitInfo {
  bool exited = false;  // exited normally with `exit_code`
  int exit_code = 0;
  bool signaled = false;  // killed by `signal`
  int signal = 0;
  std::string Describe() const;  // "exit code 3", "signal 11 (Segmentation fault)"
};

// A child process connected by two pipes (its stdin and stdout); stderr is inherited or
// redirected to a file. The destructor kills (SIGKILL) and reaps a child still running.
// Not thread-safe: one owner at a time.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] without a '/' is looked up on $PATH
    ProcessLimits limits;
    std::optional<fs::path> stderr_path;  // append child's stderr here; inherit when unset
    // A third pipe for the child's stderr, read through stderr_fd(); stderr_path is then unused.
    bool capture_stderr = false;
    // setsid() in the child: a session and process group of its own and no controlling terminal
    // (nothing it starts can prompt on one). Kill() then signals the whole process group.
    bool new_session = false;
    std::vector<std::pair<std::string, std::string>> extra_env;
  };
  static Result<std::unique_ptr<ChildProcess>> Spawn(const Options& options);
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }  // -1 unless Options::capture_stderr

  // Sends SIGKILL (if still running) and reaps the child. With Options::new_session the whole
  // process group is signalled first, so grandchildren die with it.
  ExitInfo Kill();
  // Reaps the child if it has exited, without waiting; nullopt while it is still running.
  std::optional<ExitInfo> TryReap();
  // Closes the child's stdin (it reads end-of-file); idempotent.
  void CloseStdin();
  // Closes the child's stdin and waits up to `timeout_ms` for it to exit, then kills it.
  ExitInfo CloseAndWait(int timeout_ms);

 private:
  ChildProcess(pid_t pid, int stdin_fd, int stdout_fd, int stderr_fd, bool new_session)
      : pid_(pid),
        stdin_fd_(stdin_fd),
        stdout_fd_(stdout_fd),
        stderr_fd_(stderr_fd),
        new_session_(new_session) {}
  ExitInfo Reap(bool block);
  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  int stderr_fd_;
  bool new_session_;
  std::optional<ExitInfo> exit_;
};

// Writes all of `data` to `fd`, retrying on EINTR and short writes.
Status WriteAll(int fd, std::string_view data);
// Reads exactly `size` bytes from `fd` into `out`, waiting at most until `deadline` (steady clock).
// Distinguishes end-of-file ("closed") from timeout ("timed out") in the error message prefix;
// see ReadStatus.
enum class ReadStatus { kOk, kClosed, kTimedOut, kError };
ReadStatus ReadExact(int fd, char* out, size_t size, std::chrono::steady_clock::time_point deadline,
                     std::string* error);

// Runs a command to completion and returns its stdout (stderr inherited). For tools and tests.
Result<std::string> RunCommand(const std::vector<std::string>& argv, ExitInfo* exit_info = nullptr);

struct CommandOptions {
  // Wall-clock limit; 0 = none. At the limit the command's whole process group is killed.
  int64_t timeout_ms = 0;
  std::vector<std::pair<std::string, std::string>> extra_env;
  // Output beyond this, per stream, is read and dropped (the command never blocks on a pipe).
  uint64_t max_output_bytes = uint64_t{16} << 20;
};

struct CommandResult {
  std::string stdout_text;
  std::string stderr_text;
  ExitInfo exit;           // after a timeout: SIGKILL, unless it had already exited
  bool timed_out = false;  // killed at CommandOptions::timeout_ms
};

// Runs a command with stdin closed, stdout and stderr captured, in a session of its own (no
// controlling terminal; see ChildProcess::Options::new_session). Fails only when the command
// cannot be started; a non-zero exit or a timeout is reported in the result.
Result<CommandResult> RunCapturedCommand(const std::vector<std::string>& argv,
                                         const CommandOptions& options);

// ---- Clock -------------------------------------------------------------------------------------

// Monotonic time source; a fake lets tests control time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowNs() const = 0;
};
const Clock& SystemClock();

// ---- Strings -----------------------------------------------------------------------------------

std::vector<std::string> SplitString(std::string_view text, char separator);
std::string_view Trim(std::string_view text);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);
// Formats a double with up to `significant` significant digits ("1e-05", "0.123").
std::string FormatDouble(double value, int significant = 6);
// A number for people: fixed notation, at most `decimals` decimals, trailing zeros removed
// ("98.33", "1930", "0.5"; never "1.93e+03"); "nan", "inf", "-inf" for non-finite values.
std::string FormatNumber(double value, int decimals = 2);
// "1 model", "3 models"; `plural` when the noun does not take an "s" ("1 entry", "2 entries").
std::string Plural(size_t count, std::string_view singular, std::string_view plural = {});
// "1.2 s", "35 ms", "850 us".
std::string FormatDurationNs(int64_t ns);
std::string JoinStrings(const std::vector<std::string>& parts, std::string_view separator);
// Escapes & < > " ' for XML and HTML text and attribute values; drops the C0 controls XML 1.0
// forbids (tab, LF and CR stay).
std::string EscapeXml(std::string_view text);
// Lower-case hexadecimal of `bytes` (digests: "a94a8f...").
std::string LowerHex(std::string_view bytes);

// Owns a file descriptor (-1 = none) and closes it when destroyed.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }

 private:
  int fd_;
};
// ASCII letters folded to lower case; other bytes (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view text);
// int64 values as packed little-endian bytes (8 per value), and back; odd lengths are errors.
std::string PackInt64(const std::vector<int64_t>& values);
Result<std::vector<int64_t>> UnpackInt64(std::string_view bytes);
// Parses a whole string as a number; an error names `what`.
Result<double> ParseDouble(std::string_view text, std::string_view what);
Result<int64_t> ParseInt(std::string_view text, std::string_view what);

// Peak resident set size of this process (VmHWM), in bytes; 0 when unknown.
uint64_t PeakRssBytes();

}  // namespace zooci
