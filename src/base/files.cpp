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
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
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

}  // namespace zooci
