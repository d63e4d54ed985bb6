// Files, paths and temporary directories.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "base/base.h"

namespace zooci {

Result<std::string> ReadFile(const fs::path& path, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO never waits for a writer (it is then refused as not regular).
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Error("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Error(path.string() + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return Error(path.string() + ": file is " + std::to_string(st.st_size) +
                 " bytes, over the limit of " + std::to_string(max_bytes));
  }
  std::string contents(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t got = read(fd, contents.data() + done, contents.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      std::string message = std::strerror(errno);
      close(fd);
      return Error("read " + path.string() + ": " + message);
    }
    if (got == 0) break;  // file shrank while reading
    done += static_cast<size_t>(got);
  }
  contents.resize(done);
  close(fd);
  return contents;
}

Status WriteFileAtomic(const fs::path& path, std::string_view contents) {
  fs::path temp = path;
  temp += ".tmp." + std::to_string(getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error("cannot create " + temp.string() + ": " + std::strerror(errno));
  Status written = WriteAll(fd, contents);
  close(fd);
  if (!written.ok()) {
    unlink(temp.c_str());
    return written.error().WithContext("write " + path.string());
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    std::string message = std::strerror(errno);
    unlink(temp.c_str());
    return Error("rename to " + path.string() + ": " + message);
  }
  return OkStatus();
}

bool IsWithin(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  fs::path canonical_root = fs::weakly_canonical(root, ec);
  if (ec) return false;
  fs::path canonical_path = fs::weakly_canonical(path, ec);
  if (ec) return false;
  auto path_it = canonical_path.begin();
  for (const fs::path& root_part : canonical_root) {
    if (root_part.empty()) continue;  // trailing separator
    if (path_it == canonical_path.end() || root_part != *path_it) return false;
    ++path_it;
  }
  return true;
}

Status CheckFileInside(const fs::path& root, const fs::path& path) {
  std::error_code error;
  const fs::path canonical_root = fs::weakly_canonical(root, error);
  const fs::path absolute = fs::absolute(path, error).lexically_normal();
  std::string relative = absolute.lexically_relative(canonical_root).generic_string();
  if (relative.empty() || relative == ".." || relative.rfind("../", 0) == 0) {
    relative = absolute.lexically_relative(fs::absolute(root, error).lexically_normal())
                   .generic_string();
  }
  if (relative.empty() || relative == ".." || relative.rfind("../", 0) == 0) {
    return Error(path.string() + " is outside the repository; it was not read");
  }
  // The first symbolic link on the way whose target leaves the root names the problem.
  fs::path walked = canonical_root;
  for (const fs::path& part : fs::path(relative)) {
    walked /= part;
    fs::file_status status = fs::symlink_status(walked, error);
    if (error || !fs::exists(status)) break;
    if (!fs::is_symlink(status)) continue;
    if (!IsWithin(canonical_root, walked)) {
      fs::path target = fs::read_symlink(walked, error);
      return Error(walked.lexically_relative(canonical_root).generic_string() +
                   " is a symbolic link to '" + target.string() +
                   "', which leaves the repository; it was not read");
    }
  }
  fs::path real = fs::weakly_canonical(absolute, error);
  if (error || !IsWithin(canonical_root, real)) {
    return Error(relative + " leaves the repository; it was not read");
  }
  fs::file_status status = fs::status(real, error);
  if (error || !fs::exists(status)) return Error(relative + " does not exist");
  if (!fs::is_regular_file(status)) {
    return Error(relative + " is not a regular file (" +
                 (fs::is_directory(status) ? "a directory" : "a device, FIFO or socket") +
                 "); it was not read");
  }
  return OkStatus();
}

Result<std::string> ReadFileInside(const fs::path& root, const fs::path& path,
                                   uint64_t max_bytes) {
  ZC_RETURN_IF_ERROR(CheckFileInside(root, path));
  std::error_code error;
  return ReadFile(fs::weakly_canonical(path, error), max_bytes);
}

Result<TempDir> TempDir::Create(std::string_view prefix) {
  const char* tmpdir = std::getenv("TMPDIR");
  fs::path base = (tmpdir != nullptr && *tmpdir != '\0') ? fs::path(tmpdir) : fs::path("/tmp");
  std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Error("cannot create a temporary directory under " + base.string() + ": " +
                 std::strerror(errno));
  }
  return TempDir(fs::path(pattern));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<fs::path> ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Error("cannot read /proc/self/exe: " + ec.message());
  return exe.parent_path();
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace zooci
