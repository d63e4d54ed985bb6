// Safe extraction of model archives. libarchive only parses the archive; every file, directory and
// symlink is created here, relative to an fd of the destination, without following symlinks.
//
// Hard links are extracted as independent copies of the already-extracted regular file they name
// (the copy counts against max_total_bytes); a hard link to anything else is rejected.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "onnx/onnx_io.h"

namespace zooci {
namespace {

constexpr size_t kCopyBlockBytes = size_t{64} << 10;
constexpr int kMaxSymlinkHops = 40;  // as Linux's MAXSYMLINKS
constexpr int kMaxModelSearchDepth = 16;

struct ArchiveReadFree {
  void operator()(struct archive* reader) const { archive_read_free(reader); }
};
using ArchiveReader = std::unique_ptr<struct archive, ArchiveReadFree>;

std::string ArchiveErrorText(struct archive* reader) {
  const char* text = archive_error_string(reader);
  return text != nullptr ? text : "unknown libarchive error";
}

Error ErrnoError(const std::string& what) {
  return Error(what + ": " + std::strerror(errno));
}

// A path relative to the destination: no empty, "." or ".." components.
using RelPath = std::vector<std::string>;

std::string JoinRelPath(std::span<const std::string> parts) {
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : "/") + part;
  return joined;
}

// Splits on '/', dropping empty and "." components but keeping "..".
std::vector<std::string> SplitComponents(std::string_view path) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= path.size();) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

// An archive path as a RelPath. "./" and "a//b/" are fine; the result may be empty (dest itself).
Result<RelPath> ParseEntryPath(std::string_view path) {
  if (path.empty()) return Error("empty name");
  if (path.front() == '/') return Error("absolute path");
  RelPath parts = SplitComponents(path);
  for (const std::string& part : parts) {
    if (part == "..") return Error("path leaves the destination ('..' component)");
  }
  return parts;
}

// Resolves `target` from directory `dir` as the kernel would, following symlinks already
// extracted below `dest_fd` and treating missing components lexically. Fails when the resolution
// is absolute, climbs above the destination, or loops.
Status CheckResolvesInside(int dest_fd, RelPath dir, std::string_view target) {
  const std::string what = "symlink target '" + std::string(target) + "'";
  if (target.starts_with('/')) return Error(what + " is absolute");
  std::vector<std::string> first = SplitComponents(target);
  std::deque<std::string> pending(first.begin(), first.end());
  for (int hops = 0; !pending.empty();) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    if (name == "..") {
      if (dir.empty()) return Error(what + " leaves the destination");
      dir.pop_back();
      continue;
    }
    dir.push_back(name);
    const std::string rel = JoinRelPath(dir);
    struct stat st {};
    if (fstatat(dest_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(st.st_mode)) {
      continue;  // a directory, a file, or not extracted (yet): lexical
    }
    if (++hops > kMaxSymlinkHops) return Error(what + " loops");
    char buffer[PATH_MAX];
    ssize_t length = readlinkat(dest_fd, rel.c_str(), buffer, sizeof(buffer));
    if (length < 0) return ErrnoError("read symlink '" + rel + "'");
    std::string_view next(buffer, static_cast<size_t>(length));
    if (next.starts_with('/')) {
      return Error(what + " leads through '" + rel + "' to an absolute path");
    }
    dir.pop_back();
    std::vector<std::string> next_parts = SplitComponents(next);
    pending.insert(pending.begin(), next_parts.begin(), next_parts.end());
  }
  return OkStatus();
}

// Opens directory `dirs` below `dest_fd`, creating missing components when `create`. A component
// that is a symlink or not a directory is an error: nothing is ever followed.
Result<UniqueFd> OpenDir(int dest_fd, std::span<const std::string> dirs, bool create) {
  UniqueFd current(fcntl(dest_fd, F_DUPFD_CLOEXEC, 0));
  if (current.get() < 0) return ErrnoError("dup");
  for (const std::string& name : dirs) {
    if (create && mkdirat(current.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("create directory '" + name + "'");
    }
    UniqueFd next(
        openat(current.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0 && (errno == ELOOP || errno == ENOTDIR)) {
      return Error("'" + name + "' is a symlink or not a directory");
    }
    if (next.get() < 0) return ErrnoError("open directory '" + name + "'");
    current = std::move(next);
  }
  return current;
}

// Creates a new regular file at non-empty `path` (which must not exist yet) with `mode` limited to
// rwxr-xr-x.
Result<UniqueFd> CreateFile(int dest_fd, const RelPath& path, mode_t mode) {
  ZC_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(dest_fd, std::span(path).first(path.size() - 1), true));
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd file(openat(dir.get(), path.back().c_str(), flags, mode & 0755));
  if (file.get() < 0 && errno == EEXIST) return Error("duplicate entry (path already exists)");
  if (file.get() < 0) return ErrnoError("create file");
  return file;
}

// Counts extracted regular-file bytes against ExtractLimits::max_total_bytes and, through
// `compressed_bytes` (the archive bytes read so far), against the compression-ratio limit.
class ByteBudget {
 public:
  ByteBudget(const ExtractLimits& limits, std::function<uint64_t()> compressed_bytes)
      : limits_(limits), compressed_bytes_(std::move(compressed_bytes)) {}
  Status CheckFits(uint64_t bytes) const {
    if (bytes > limits_.max_total_bytes - used_bytes_) {
      return Error("total size of regular files exceeds the limit of " +
                   std::to_string(limits_.max_total_bytes) + " bytes");
    }
    return OkStatus();
  }
  Status Spend(uint64_t bytes) {
    ZC_RETURN_IF_ERROR(CheckFits(bytes));
    used_bytes_ += bytes;
    if (used_bytes_ > limits_.ratio_grace_bytes && compressed_bytes_) {
      const uint64_t read_bytes = std::max<uint64_t>(1, compressed_bytes_());
      if (used_bytes_ > limits_.max_ratio * read_bytes) {
        return Error("compression ratio over " + std::to_string(limits_.max_ratio) + ":1 (" +
                     std::to_string(used_bytes_) + " bytes extracted from " +
                     std::to_string(read_bytes) + " archive bytes): refused as an archive bomb");
      }
    }
    return OkStatus();
  }

 private:
  const ExtractLimits& limits_;
  std::function<uint64_t()> compressed_bytes_;
  uint64_t used_bytes_ = 0;  // invariant: <= limits_.max_total_bytes
};

// Appends blocks from `read_block(buffer, size) -> Result<size_t>` (0 at the end) to `out_fd`,
// spending each block from `budget` before writing it.
template <typename ReadBlock>
Status CopyBlocks(ReadBlock read_block, int out_fd, ByteBudget& budget) {
  std::vector<char> buffer(kCopyBlockBytes);
  while (true) {
    ZC_ASSIGN_OR_RETURN(size_t size, read_block(buffer.data(), buffer.size()));
    if (size == 0) return OkStatus();
    ZC_RETURN_IF_ERROR(budget.Spend(size));
    ZC_RETURN_IF_ERROR(WriteAll(out_fd, std::string_view(buffer.data(), size)));
  }
}

// State of one extraction. `dest_fd` is the destination; all paths are relative to it.
struct Extraction {
  struct archive* reader;
  int dest_fd;
  ByteBudget budget;
  struct Symlink {
    std::string entry_name;
    RelPath dir;
    std::string target;
  };
  std::vector<Symlink> symlinks;  // re-checked at the end, when the whole tree exists
};

Status ExtractRegularFile(Extraction& x, const RelPath& path, struct archive_entry* entry) {
  if (archive_entry_size_is_set(entry) != 0) {
    ZC_RETURN_IF_ERROR(x.budget.CheckFits(
        static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)))));
  }
  const mode_t mode = (archive_entry_perm(entry) & S_IXUSR) != 0 ? 0755 : 0644;
  ZC_ASSIGN_OR_RETURN(UniqueFd file, CreateFile(x.dest_fd, path, mode));
  auto read_block = [&x](char* buffer, size_t size) -> Result<size_t> {
    la_ssize_t got = archive_read_data(x.reader, buffer, size);
    if (got < 0) return Error("read data: " + ArchiveErrorText(x.reader));
    return static_cast<size_t>(got);
  };
  return CopyBlocks(read_block, file.get(), x.budget);
}

Status ExtractSymlink(Extraction& x, const RelPath& path, const char* target,
                      std::string entry_name) {
  if (target == nullptr || *target == '\0') return Error("symlink with an empty target");
  RelPath dir(path.begin(), path.end() - 1);
  ZC_RETURN_IF_ERROR(CheckResolvesInside(x.dest_fd, dir, target));
  ZC_ASSIGN_OR_RETURN(UniqueFd dir_fd, OpenDir(x.dest_fd, dir, true));
  if (symlinkat(target, dir_fd.get(), path.back().c_str()) != 0) {
    if (errno == EEXIST) return Error("duplicate entry (path already exists)");
    return ErrnoError("create symlink");
  }
  x.symlinks.push_back({std::move(entry_name), std::move(dir), target});
  return OkStatus();
}

// Copies the already-extracted regular file `target` (an archive path) to `path`.
Status ExtractHardLink(Extraction& x, const RelPath& path, std::string_view target) {
  const std::string what = "hard link target '" + std::string(target) + "'";
  Result<RelPath> source = ParseEntryPath(target);
  if (!source.ok()) return source.error().WithContext(what);
  if (source->empty()) return Error(what + " is not a regular file");
  ZC_ASSIGN_OR_RETURN(UniqueFd dir,
                      OpenDir(x.dest_fd, std::span(*source).first(source->size() - 1), false));
  UniqueFd in(
      openat(dir.get(), source->back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (in.get() < 0 || fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(what + " is not an extracted regular file");
  }
  ZC_ASSIGN_OR_RETURN(UniqueFd out, CreateFile(x.dest_fd, path, st.st_mode));
  auto read_block = [&in](char* buffer, size_t size) -> Result<size_t> {
    ssize_t got;
    do got = read(in.get(), buffer, size);
    while (got < 0 && errno == EINTR);
    if (got < 0) return ErrnoError("read hard link target");
    return static_cast<size_t>(got);
  };
  return CopyBlocks(read_block, out.get(), x.budget);
}

const char* FileTypeRejection(mode_t type) {
  switch (type) {
    case AE_IFCHR:
      return "character devices are not allowed";
    case AE_IFBLK:
      return "block devices are not allowed";
    case AE_IFIFO:
      return "FIFOs are not allowed";
    case AE_IFSOCK:
      return "sockets are not allowed";
    default:
      return "unsupported entry type";
  }
}

// Extracts the entry whose header was just read (its data not yet); `name` is its archive path.
Status ExtractEntry(Extraction& x, struct archive_entry* entry, const std::string& name) {
  ZC_ASSIGN_OR_RETURN(RelPath path, ParseEntryPath(name));
  const char* hard_link_target = archive_entry_hardlink(entry);
  const mode_t type = archive_entry_filetype(entry);
  if (path.empty() && (type != AE_IFDIR || hard_link_target != nullptr)) return Error("empty name");
  if (hard_link_target != nullptr) return ExtractHardLink(x, path, hard_link_target);
  if (type == AE_IFREG) return ExtractRegularFile(x, path, entry);
  if (type == AE_IFLNK) return ExtractSymlink(x, path, archive_entry_symlink(entry), name);
  if (type != AE_IFDIR) return Error(FileTypeRejection(type));
  ZC_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(x.dest_fd, path, true));
  return OkStatus();
}

Result<ArchiveReader> OpenArchive(const fs::path& archive) {
  ArchiveReader reader(archive_read_new());
  if (reader == nullptr) return Error("cannot allocate an archive reader");
  if (archive_read_support_filter_gzip(reader.get()) != ARCHIVE_OK ||
      archive_read_support_format_tar(reader.get()) != ARCHIVE_OK ||
      archive_read_open_filename(reader.get(), archive.c_str(), kCopyBlockBytes) != ARCHIVE_OK) {
    return Error(ArchiveErrorText(reader.get()));
  }
  return reader;
}

}  // namespace

Status ExtractArchive(const fs::path& archive, const fs::path& dest, const ExtractLimits& limits) {
  const std::string context = "extract " + archive.string();
  UniqueFd dest_fd(open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dest_fd.get() < 0) return ErrnoError(context + ": destination '" + dest.string() + "'");
  Result<ArchiveReader> reader = OpenArchive(archive);
  if (!reader.ok()) return reader.error().WithContext(context);
  struct archive* raw_reader = reader->get();
  auto compressed_bytes = [raw_reader] {
    return static_cast<uint64_t>(std::max<la_int64_t>(0, archive_filter_bytes(raw_reader, -1)));
  };
  Extraction x{raw_reader, dest_fd.get(), ByteBudget(limits, compressed_bytes), {}};

  for (uint64_t entry_count = 1;; ++entry_count) {
    struct archive_entry* entry = nullptr;
    const int status = archive_read_next_header(x.reader, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return Error(context + ": " + ArchiveErrorText(x.reader));
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    const std::string entry_context = context + ": entry '" + name + "'";
    if (entry_count > limits.max_entries) {
      return Error(entry_context + ": more than " + std::to_string(limits.max_entries) +
                   " entries");
    }
    Status extracted = ExtractEntry(x, entry, name);
    if (!extracted.ok()) return extracted.error().WithContext(entry_context);
  }

  // A later entry can turn a path component into a symlink, so links are checked again against
  // the finished tree.
  for (const Extraction::Symlink& link : x.symlinks) {
    Status inside = CheckResolvesInside(x.dest_fd, link.dir, link.target);
    if (!inside.ok()) {
      return inside.error().WithContext(context + ": entry '" + link.entry_name + "'");
    }
  }
  return OkStatus();
}

Result<fs::path> FindArchivedModel(const fs::path& extracted_dir) {
  const std::string context = "find the model in " + extracted_dir.string();
  std::error_code error;
  fs::recursive_directory_iterator it(extracted_dir, error), end;
  if (error) return Error(context + ": " + error.message());
  std::vector<fs::path> models;
  for (; it != end; it.increment(error)) {
    if (error) return Error(context + ": " + error.message());
    if (it.depth() >= kMaxModelSearchDepth) it.disable_recursion_pending();
    const std::string name = it->path().filename().string();
    if (!EndsWith(name, ".onnx") || StartsWith(name, "._")) continue;
    std::error_code status_error;
    if (it->is_regular_file(status_error) && IsWithin(extracted_dir, it->path())) {
      models.push_back(it->path());
    }
  }
  if (error) return Error(context + ": " + error.message());
  if (models.empty()) return Error(context + ": the archive holds no .onnx model");
  if (models.size() > 1) {
    std::vector<std::string> names;
    for (const fs::path& model : models)
      names.push_back(model.lexically_relative(extracted_dir).string());
    std::sort(names.begin(), names.end());
    return Error(context + ": the archive holds " + std::to_string(models.size()) +
                 " .onnx models, the zoo expects one: " + JoinStrings(names, ", "));
  }
  return models.front();
}

}  // namespace zooci
