// Child processes with pipes and resource limits.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "base/base.h"

extern char** environ;

namespace zooci {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Runs in the forked child before exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(int stdin_read, int stdout_write, int stderr_fd, bool new_session,
                            const ProcessLimits& limits, char* const* argv, char* const* envp) {
  if (new_session && setsid() < 0) _exit(126);
  if (dup2(stdin_read, STDIN_FILENO) < 0 || dup2(stdout_write, STDOUT_FILENO) < 0) _exit(126);
  if (stderr_fd >= 0 && dup2(stderr_fd, STDERR_FILENO) < 0) _exit(126);
  if (limits.address_space_bytes > 0) {
    struct rlimit rl {
      limits.address_space_bytes, limits.address_space_bytes
    };
    setrlimit(RLIMIT_AS, &rl);
  }
  if (limits.cpu_seconds > 0) {
    struct rlimit rl {
      limits.cpu_seconds, limits.cpu_seconds + 1
    };
    setrlimit(RLIMIT_CPU, &rl);
  }
  struct rlimit no_core {
    0, 0
  };
  setrlimit(RLIMIT_CORE, &no_core);
  execve(argv[0], argv, envp);
  _exit(127);
}

}  // namespace

std::string ExitInfo::Describe() const {
  if (exited) return "exit code " + std::to_string(exit_code);
  if (signaled) {
    const char* name = strsignal(signal);
    return "signal " + std::to_string(signal) + " (" + (name != nullptr ? name : "?") + ")";
  }
  return "still running";
}

namespace {

// `program` itself when it names a path; otherwise the first executable of that name on $PATH,
// as a shell would find it. Resolved before fork, where searching is still allowed to allocate.
std::string ResolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  for (const std::string& dir : SplitString(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;  // execve fails with ENOENT; the child exits 127
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const Options& options) {
  if (options.argv.empty()) return Error("spawn: empty argv");
  // Everything the child needs is prepared before fork (no allocation after fork).
  std::vector<std::string> argv_storage = options.argv;
  argv_storage[0] = ResolveProgram(argv_storage[0]);
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  // An extra_env key replaces the inherited entry (getenv returns the first match).
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view inherited(*entry);
    std::string_view key = inherited.substr(0, inherited.find('='));
    bool overridden = false;
    for (const auto& extra : options.extra_env) overridden = overridden || extra.first == key;
    if (!overridden) env_storage.emplace_back(inherited);
  }
  for (const auto& [key, value] : options.extra_env) env_storage.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  int err_from_child[2] = {-1, -1};
  auto close_all = [&] {
    CloseFd(to_child[0]), CloseFd(to_child[1]), CloseFd(from_child[0]), CloseFd(from_child[1]);
    CloseFd(err_from_child[0]), CloseFd(err_from_child[1]);
  };
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0 ||
      (options.capture_stderr && pipe2(err_from_child, O_CLOEXEC) != 0)) {
    std::string message = std::strerror(errno);
    close_all();
    return Error("spawn " + options.argv[0] + ": pipe: " + message);
  }
  int stderr_fd = -1;
  if (options.capture_stderr) {
    stderr_fd = err_from_child[1];
    err_from_child[1] = -1;
  } else if (options.stderr_path) {
    stderr_fd = open(options.stderr_path->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (stderr_fd < 0) {
      std::string message = std::strerror(errno);
      close_all();
      return Error("spawn " + options.argv[0] + ": cannot open " + options.stderr_path->string() +
                   ": " + message);
    }
  }
  pid_t pid = fork();
  if (pid == 0) {
    ExecChild(to_child[0], from_child[1], stderr_fd, options.new_session, options.limits,
              argv.data(), envp.data());
  }
  std::string fork_error = pid < 0 ? std::strerror(errno) : "";
  CloseFd(to_child[0]);
  CloseFd(from_child[1]);
  CloseFd(stderr_fd);
  if (pid < 0) {
    close_all();
    return Error("spawn " + options.argv[0] + ": fork: " + fork_error);
  }
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, to_child[1], from_child[0], err_from_child[0], options.new_session));
}

ChildProcess::~ChildProcess() {
  if (!exit_) Kill();
  CloseFd(stdin_fd_);
  CloseFd(stdout_fd_);
  CloseFd(stderr_fd_);
}

ExitInfo ChildProcess::Reap(bool block) {
  if (exit_) return *exit_;
  int wait_status = 0;
  pid_t done;
  do {
    done = waitpid(pid_, &wait_status, block ? 0 : WNOHANG);
  } while (done < 0 && errno == EINTR);
  ExitInfo info;
  if (done == pid_) {
    info.exited = WIFEXITED(wait_status);
    info.exit_code = info.exited ? WEXITSTATUS(wait_status) : 0;
    info.signaled = WIFSIGNALED(wait_status);
    info.signal = info.signaled ? WTERMSIG(wait_status) : 0;
    exit_ = info;
  }
  return info;
}

ExitInfo ChildProcess::Kill() {
  if (exit_) return *exit_;
  // The group is signalled before the leader is reaped: until then its id cannot be reused.
  if (new_session_) kill(-pid_, SIGKILL);
  // A child that already exited (e.g. crashed) keeps its real exit status.
  ExitInfo info = Reap(/*block=*/false);
  if (exit_) return info;
  kill(pid_, SIGKILL);
  return Reap(/*block=*/true);
}

std::optional<ExitInfo> ChildProcess::TryReap() {
  ExitInfo info = Reap(/*block=*/false);
  if (!exit_) return std::nullopt;
  return info;
}

void ChildProcess::CloseStdin() {
  CloseFd(stdin_fd_);
}

ExitInfo ChildProcess::CloseAndWait(int timeout_ms) {
  CloseFd(stdin_fd_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    ExitInfo info = Reap(/*block=*/false);
    if (exit_) return info;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Kill();
}

Status WriteAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t wrote = write(fd, data.data() + done, data.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return Error(std::string("write: ") + std::strerror(errno));
    done += static_cast<size_t>(wrote);
  }
  return OkStatus();
}

ReadStatus ReadExact(int fd, char* out, size_t size, std::chrono::steady_clock::time_point deadline,
                     std::string* error) {
  size_t done = 0;
  while (done < size) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return ReadStatus::kTimedOut;
    struct pollfd pfd {
      fd, POLLIN, 0
    };
    int ready = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(remaining.count(), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      if (error) *error = std::string("poll: ") + std::strerror(errno);
      return ReadStatus::kError;
    }
    if (ready == 0) return ReadStatus::kTimedOut;
    ssize_t got = read(fd, out + done, size - done);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got < 0) {
      if (error) *error = std::string("read: ") + std::strerror(errno);
      return ReadStatus::kError;
    }
    if (got == 0) return ReadStatus::kClosed;
    done += static_cast<size_t>(got);
  }
  return ReadStatus::kOk;
}

Result<std::string> RunCommand(const std::vector<std::string>& argv, ExitInfo* exit_info) {
  ChildProcess::Options options;
  options.argv = argv;
  ZC_ASSIGN_OR_RETURN(auto child, ChildProcess::Spawn(options));
  child->CloseStdin();
  std::string output;
  char buffer[65536];
  for (;;) {
    ssize_t got = read(child->stdout_fd(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    output.append(buffer, static_cast<size_t>(got));
  }
  ExitInfo info = child->CloseAndWait(60000);
  if (exit_info != nullptr) *exit_info = info;
  return output;
}

namespace {

// Appends what is readable on `fd` to `out` (dropping what exceeds `max_bytes`); false at
// end-of-file or on an error.
bool DrainInto(int fd, std::string* out, uint64_t max_bytes) {
  char buffer[65536];
  ssize_t got = read(fd, buffer, sizeof buffer);
  if (got < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (got <= 0) return false;
  size_t room = out->size() < max_bytes ? static_cast<size_t>(max_bytes - out->size()) : 0;
  out->append(buffer, std::min(room, static_cast<size_t>(got)));
  return true;
}

}  // namespace

Result<CommandResult> RunCapturedCommand(const std::vector<std::string>& argv,
                                         const CommandOptions& options) {
  ChildProcess::Options spawn;
  spawn.argv = argv;
  spawn.capture_stderr = true;
  spawn.new_session = true;
  spawn.extra_env = options.extra_env;
  ZC_ASSIGN_OR_RETURN(auto child, ChildProcess::Spawn(spawn));
  child->CloseStdin();
  using Clock = std::chrono::steady_clock;
  const bool bounded = options.timeout_ms > 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options.timeout_ms);
  auto remaining_ms = [&]() -> int {
    if (!bounded) return -1;  // poll: wait forever
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
  };

  CommandResult result;
  struct Stream {
    int fd;
    std::string* out;
    bool open = true;
  };
  Stream streams[2] = {{child->stdout_fd(), &result.stdout_text},
                       {child->stderr_fd(), &result.stderr_text}};
  while (streams[0].open || streams[1].open) {
    int wait_ms = remaining_ms();
    if (wait_ms == 0) {
      result.timed_out = true;
      break;
    }
    struct pollfd fds[2];
    nfds_t count = 0;
    Stream* polled[2];
    for (Stream& stream : streams) {
      if (!stream.open) continue;
      fds[count] = {stream.fd, POLLIN, 0};
      polled[count++] = &stream;
    }
    int ready = poll(fds, count, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Error(argv[0] + ": poll: " + std::strerror(errno));
    for (nfds_t index = 0; index < count; ++index) {
      if (fds[index].revents == 0) continue;
      polled[index]->open = DrainInto(fds[index].fd, polled[index]->out, options.max_output_bytes);
    }
  }
  // Both pipes are closed: the command is exiting. Wait for it (within the deadline).
  while (!result.timed_out) {
    if (std::optional<ExitInfo> exit = child->TryReap()) {
      result.exit = *exit;
      return result;
    }
    if (remaining_ms() == 0) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.exit = child->Kill();
  return result;
}

}  // namespace zooci
